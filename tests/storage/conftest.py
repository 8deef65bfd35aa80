"""Shared fixtures: apps built on a copy of the survey folder or with changed settings."""

from tests.support.apps import closed_forms, forms_copy, make_client

__all__ = ["closed_forms", "forms_copy", "make_client"]
