"""HTTP: public survey pages, the JSON API, health, error pages."""
