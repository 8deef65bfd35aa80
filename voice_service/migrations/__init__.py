"""Alembic migrations for every domain's tables, and the code that applies them."""
