"""Surveys: definitions served page by page, the survey API, drafts and the write path."""
