"""Web pieces shared by every domain: templates, errors, health, security."""
