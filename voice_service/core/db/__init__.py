"""The database engine, the declarative base and portable statements."""
