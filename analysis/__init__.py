"""Analysis: pure functions over pandas DataFrames (rates, scores, themes); no web, no database."""

from analysis.frames import VERSION_COLUMN, IncompatibleVersions, answers_frame, versions_frame

__all__ = ["VERSION_COLUMN", "IncompatibleVersions", "answers_frame", "versions_frame"]
