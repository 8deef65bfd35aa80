"""Survey definitions and the form engine: pure Python, no web and no database."""

from forms.definition import MEASURES, Page, Section, Survey, parse_survey
from forms.engine import Validation, validate_answers, validate_page
from forms.loader import load_survey_file, load_surveys
from forms.problems import DefinitionError, DefinitionProblem

__all__ = [
    "MEASURES",
    "DefinitionError",
    "DefinitionProblem",
    "Page",
    "Section",
    "Survey",
    "Validation",
    "load_survey_file",
    "load_surveys",
    "parse_survey",
    "validate_answers",
    "validate_page",
]
