"""`python -m forms check [FOLDER]`: check survey definitions without the web service."""

from __future__ import annotations

import sys
from pathlib import Path

from forms.loader import load_surveys
from forms.problems import DefinitionError


def check(folder: Path) -> int:
    """Print every problem in a folder of definitions; 0 when all are valid."""
    try:
        surveys = load_surveys(folder)
    except DefinitionError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"{len(exc.problems)} problem(s) found in {folder}", file=sys.stderr)
        return 1
    for survey in surveys.values():
        count = len(survey.questions)
        print(f"ok  {survey.slug:<36} {survey.version}  {count} question{'' if count == 1 else 's'}  {survey.source}")
    return 0


if __name__ == "__main__":
    args = sys.argv[1:]
    if not args or args[0] != "check":
        print("usage: python -m forms check [FOLDER]", file=sys.stderr)
        sys.exit(2)
    sys.exit(check(Path(args[1]) if len(args) > 1 else Path(__file__).parent / "surveys"))
