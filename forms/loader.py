"""Load survey definition files from a folder."""

from __future__ import annotations

from pathlib import Path

from forms.definition import Survey, parse_survey
from forms.problems import DefinitionError, DefinitionProblem
from forms.yamlsource import YamlSyntaxError, read_yaml


def load_survey_file(path: Path, label: str | None = None) -> Survey:
    """Read and check one YAML definition file."""
    name = label or str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DefinitionError([DefinitionProblem(name, None, "", f"cannot read file: {exc}")]) from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        # Why: files saved from Notepad or Excel are often Windows-1252; say where and what to do.
        line = data[: exc.start].count(b"\n") + 1
        message = "cannot read file: it is not UTF-8 text; save it with UTF-8 encoding"
        raise DefinitionError([DefinitionProblem(name, line, "", message)]) from exc
    try:
        raw = read_yaml(text)
    except YamlSyntaxError as exc:
        raise DefinitionError([DefinitionProblem(name, exc.line, "", f"not valid YAML: {exc}")]) from exc
    return parse_survey(raw, name)


def survey_paths(folder: Path) -> list[Path]:
    """The definition files in a folder, in name order: `*.yaml` and `*.yml`, hidden files left out."""
    # Why not hidden files: a Mac copy leaves "._x.yaml" beside each file and editors leave ".#x.yaml" locks;
    # they are not surveys, and reading them stopped the app from starting.
    return sorted(p for p in [*folder.glob("*.yaml"), *folder.glob("*.yml")] if not p.name.startswith("."))


def load_surveys(folder: Path) -> dict[str, Survey]:
    """Every `*.yaml` / `*.yml` in a folder, by slug; raise listing every problem in every file."""
    if not folder.is_dir():
        raise DefinitionError([DefinitionProblem(str(folder), None, "", "survey folder does not exist")])
    surveys: dict[str, Survey] = {}
    problems: list[DefinitionProblem] = []
    paths = survey_paths(folder)
    if not paths:
        # Why: a service with no surveys would start and show nothing, without a word about why.
        message = "no survey files (*.yaml or *.yml) in this folder"
        raise DefinitionError([DefinitionProblem(str(folder), None, "", message)])
    for path in paths:
        try:
            survey = load_survey_file(path)
        except DefinitionError as exc:
            problems.extend(exc.problems)
            continue
        if survey.slug != path.stem:
            # Why: people find a survey's file by its address; docs/forms.md asks for the same name.
            message = f"slug '{survey.slug}' must match the file name: rename the file to {survey.slug}{path.suffix}"
            problems.append(DefinitionProblem(str(path), None, "slug", f"{message} or the slug to {path.stem}"))
            continue
        if survey.slug in surveys:
            other = surveys[survey.slug].source
            problems.append(DefinitionProblem(str(path), None, "slug", f"slug '{survey.slug}' is also used by {other}"))
            continue
        surveys[survey.slug] = survey
    if problems:
        raise DefinitionError(problems)
    return surveys
