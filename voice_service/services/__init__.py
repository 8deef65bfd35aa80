"""Business rules as plain functions and small classes, called by handlers, the CLI and tests."""
