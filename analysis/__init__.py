"""Analysis: pure functions over pandas DataFrames (rates, scores, themes); no web, no database."""

from analysis.frames import answers_frame

__all__ = ["answers_frame"]
