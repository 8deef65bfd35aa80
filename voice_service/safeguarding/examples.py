"""The screener's training examples: the examples files' format, read and checked like survey definitions."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from forms.problems import DefinitionError, DefinitionProblem, ParseContext, join, line_of
from forms.yamlsource import LineDict, LineList, YamlSyntaxError, read_yaml

__all__ = [
    "EXAMPLES_FILE",
    "GENERAL",
    "SETS_FILE",
    "Example",
    "load_examples",
    "parse_examples",
    "same_text",
    "training_examples",
]

EXAMPLES_FILE = Path(__file__).with_name("screening-examples.yaml")
#: The phrasings of the ten earlier evaluation sets, in the examples file's format; generated, never
#: edited: `python -m tests.safeguarding.loso_training --write-package-data` (docs/safeguarding.md).
SETS_FILE = Path(__file__).with_name("screening-examples-sets.yaml")
SECTIONS = ("disclosures", "ordinary")
#: The category an ordinary answer may have besides the phrase file's: it looks like none of them.
GENERAL = "general"


@dataclass(frozen=True)
class Example:
    """One training answer: its text, the category it tells of or looks like, and whether it discloses."""

    text: str
    category: str
    disclosure: bool


def load_examples(path: Path, categories: Iterable[str], label: str | None = None) -> list[Example]:
    """Read and check an examples file; raise DefinitionError listing every problem with file:line."""
    name = label or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DefinitionError([DefinitionProblem(name, None, "", f"cannot read file: {exc}")]) from exc
    return parse_examples(text, name, categories)


def same_text(text: str) -> str:
    """The form in which two phrasings are the same one: case and spacing aside."""
    return " ".join(text.lower().split())


def training_examples(examples: Path, categories: Iterable[str], sets: Path | None = SETS_FILE) -> list[Example]:
    """The examples file's examples, then each phrasing of the sets file that is not one of them already."""
    known = list(categories)
    out = load_examples(examples, known)
    if sets is None:
        return out
    seen = {same_text(e.text) for e in out}
    for example in load_examples(sets, known):
        if (key := same_text(example.text)) not in seen:
            seen.add(key)
            out.append(example)
    return out


def parse_examples(text: str, name: str, categories: Iterable[str]) -> list[Example]:
    """Check the text of an examples file against the phrase file's categories."""
    try:
        raw = read_yaml(text)
    except YamlSyntaxError as exc:
        raise DefinitionError([DefinitionProblem(name, exc.line, "", f"not valid YAML: {exc}")]) from exc
    ctx = ParseContext(name)
    known = list(categories)
    examples: list[Example] = []
    if not isinstance(raw, LineDict):
        ctx.error("", "must map `disclosures` and `ordinary` to examples by category", line_of(raw))
        raise DefinitionError(ctx.problems)
    for extra in [k for k in raw if k not in SECTIONS]:
        ctx.error(str(extra), f"unknown key '{extra}' (known: {', '.join(SECTIONS)})", line_of(raw, extra))
    for section in SECTIONS:
        allowed = known if section == "disclosures" else [*known, GENERAL]
        by_category = raw.get(section)
        if not isinstance(by_category, LineDict) or not by_category:
            ctx.error(section, "must map categories to lists of examples", line_of(raw, section))
            continue
        for category, texts in by_category.items():
            path = join(section, str(category))
            if category not in allowed:
                ctx.error(path, f"unknown category (known: {', '.join(allowed)})", line_of(by_category, category))
                continue
            if not isinstance(texts, LineList) or not texts:
                ctx.error(path, "must be a non-empty list of examples", line_of(by_category, category))
                continue
            for i, item in enumerate(texts):
                if not isinstance(item, str) or not item.strip():
                    ctx.error(join(path, i), 'must be non-empty text in "double quotes"', line_of(texts, i))
                else:
                    examples.append(Example(item.strip(), str(category), section == "disclosures"))
    if not ctx.problems:
        missing = [c for c in known if not any(e.disclosure and e.category == c for e in examples)]
        if missing:
            ctx.error("disclosures", f"every category needs examples; none for {', '.join(missing)}", None)
    if ctx.problems:
        raise DefinitionError(ctx.problems)
    return examples
