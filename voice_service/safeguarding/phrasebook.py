"""Read and check the file of disclosure categories and phrases (disclosure-phrases.yaml)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from forms.problems import DefinitionError, DefinitionProblem, Fields, ParseContext, join, line_of
from forms.yamlsource import LineDict, LineList, YamlSyntaxError, read_yaml
from voice_service.safeguarding.normalise import key
from voice_service.safeguarding.patterns import Pattern, PatternError, compile_phrase, parse_alternatives

DEFAULT_FILE = Path(__file__).with_name("disclosure-phrases.yaml")
TOP_KEYS = ("negation", "spellings", "fillers", "alike", "words", "exceptions", "categories")
CATEGORY_KEYS = ("description", "phrases", "weak", "exceptions", "negation")
NEGATION_KEYS = ("words", "window", "clause_breaks", "undo")
NEGATION_MODES = ("suppresses", "ignored")

PhrasebookError = DefinitionError


@dataclass(frozen=True)
class Negation:
    """Which words before a phrase undo it ("he never hits me"), how far back, and what stops the search."""

    words: frozenset[str] = frozenset()
    window: int = 3
    clause_breaks: frozenset[str] = frozenset()
    #: Words just after the phrase that bring it back ("he doesn't hit me anymore").
    undo: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Category:
    """One kind of disclosure: its description, phrases and benign exceptions."""

    name: str
    description: str
    patterns: tuple[Pattern, ...]
    exceptions: tuple[Pattern, ...]
    negatable: bool
    #: Phrases (as written) that ordinary answers also say: the learned model may overrule them.
    weak: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Phrasebook:
    """Everything the screener needs, checked and compiled."""

    source: str
    negation: Negation
    spellings: dict[str, tuple[str, ...]]
    categories: dict[str, Category]
    #: Exceptions that apply to every category.
    exceptions: tuple[Pattern, ...] = field(default=())
    #: Words that may stand between any two words of a phrase ("i want really to die").
    fillers: frozenset[str] = frozenset()
    #: Groups of words a phrase reads as one another (me, her, him: the third person counts too).
    alike: tuple[frozenset[str], ...] = ()


def load_phrasebook(path: Path = DEFAULT_FILE, label: str | None = None) -> Phrasebook:
    """Read and check a phrase file; raise PhrasebookError listing every problem with file:line."""
    name = label or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise PhrasebookError([DefinitionProblem(name, None, "", f"cannot read file: {exc}")]) from exc
    return parse_phrasebook(text, name)


def parse_phrasebook(text: str, name: str) -> Phrasebook:
    """Check and compile the text of a phrase file."""
    try:
        raw = read_yaml(text)
    except YamlSyntaxError as exc:
        raise PhrasebookError([DefinitionProblem(name, exc.line, "", f"not valid YAML: {exc}")]) from exc
    ctx = ParseContext(name)
    top = Fields(ctx, raw, "")
    top.reject_unknown(TOP_KEYS)
    if top.ok and not top.has("categories"):
        top.error(None, "'categories' is required")
    spellings = _spellings(ctx, top.raw.get("spellings"), top.raw)

    def normalise(word: str) -> str:
        k = key(word)
        mapped = spellings.get(k, (k,))
        if len(mapped) > 1:
            # Why: the answer's word becomes several words before matching, so a phrase must use those.
            raise PatternError(f"'{word}' is read as '{' '.join(mapped)}' (see spellings); write that instead")
        return mapped[0]

    def one_word(word: str) -> str:
        mapped = spellings.get(key(word), (key(word),))
        return mapped[0]

    negation = _negation(ctx, top.raw.get("negation"), top.raw, one_word)
    fillers = frozenset(one_word(w) for w, _ in _strings(ctx, top.raw.get("fillers"), "fillers", top.raw, "fillers"))
    alike = _alike(ctx, top.raw.get("alike"), top.raw, normalise)
    lists = _word_lists(ctx, top.raw.get("words"), top.raw, normalise)
    exceptions = _phrases(ctx, top.raw.get("exceptions"), "exceptions", "*", lists, normalise, top.raw, "exceptions")
    categories: dict[str, Category] = {}
    raw_categories = top.raw.get("categories")
    if raw_categories is not None and (not isinstance(raw_categories, dict) or not raw_categories):
        top.error("categories", "must be a mapping of category names to categories, with at least one")
    elif isinstance(raw_categories, dict):
        for cname, craw in raw_categories.items():
            path = join("categories", cname)
            cat = Fields(ctx, craw, path, raw_categories, cname)
            if not cat.ok:
                continue
            cat.reject_unknown(CATEGORY_KEYS)
            description = cat.text("description", required=True) or ""
            mode = cat.choice("negation", NEGATION_MODES, default="suppresses")
            patterns = _phrases(
                ctx, craw.get("phrases"), join(path, "phrases"), cname, lists, normalise, craw, "phrases"
            )
            if not patterns and craw.get("phrases") is None:
                ctx.error(join(path, "phrases"), "a category needs at least one phrase", line_of(raw_categories, cname))
            excs = _phrases(
                ctx, craw.get("exceptions"), join(path, "exceptions"), cname, lists, normalise, craw, "exceptions"
            )
            weak = _weak(ctx, craw, path, {p.source for p in patterns})
            categories[cname] = Category(cname, description, tuple(patterns), tuple(excs), mode == "suppresses", weak)
    if ctx.problems:
        raise PhrasebookError(ctx.problems)
    return Phrasebook(name, negation, spellings, categories, tuple(exceptions), fillers, alike)


def _alike(ctx: ParseContext, raw: Any, parent: Any, normalise: Any) -> tuple[frozenset[str], ...]:
    """Groups of at least two plain words; a word may be in one group only."""
    if raw is None:
        return ()
    if not isinstance(raw, LineList) or not raw:
        ctx.error("alike", "must be a list of groups of words, like `- [me, her, him]`", line_of(parent, "alike"))
        return ()
    groups: list[frozenset[str]] = []
    seen: dict[str, int] = {}
    for i, items in enumerate(raw):
        path = join("alike", i)
        words: set[str] = set()
        for j, (text, line) in enumerate(_strings(ctx, items, path, raw, i)):
            try:
                word = normalise(text)
            except PatternError as exc:
                ctx.error(join(path, j), f"bad word '{text}': {exc}", line)
                continue
            if not word.isalnum():
                ctx.error(join(path, j), f"'{text}' must be one plain word (no *, | or [list])", line)
            elif word in seen:
                ctx.error(
                    join(path, j), f"'{text}' is already in group {seen[word] + 1}; a word can be in one group", line
                )
            else:
                seen[word] = i
                words.add(word)
        if isinstance(items, LineList) and len(items) < 2:
            ctx.error(path, "a group needs at least two words", line_of(raw, i))
        groups.append(frozenset(words))
    return tuple(groups)


def _strings(ctx: ParseContext, raw: Any, path: str, parent: Any, pkey: str | int) -> list[tuple[str, int | None]]:
    """A non-empty list of non-empty strings, each with its line."""
    if raw is None:
        return []
    if not isinstance(raw, LineList) or not raw:
        ctx.error(path, "must be a non-empty list", line_of(parent, pkey))
        return []
    out = []
    for i, item in enumerate(raw):
        if not isinstance(item, str) or not item.strip():
            # Why: unquoted, `[adult] hits` is read by YAML as a list; quoting is the usual fix.
            ctx.error(join(path, i), 'must be non-empty text in "double quotes"', line_of(raw, i))
        else:
            out.append((item.strip(), line_of(raw, i)))
    return out


def _weak(ctx: ParseContext, craw: Any, path: str, phrases: set[str]) -> frozenset[str]:
    """The category's phrases marked weak; each must be written exactly as under `phrases`."""
    weak = set()
    for i, (text, line) in enumerate(_strings(ctx, craw.get("weak"), join(path, "weak"), craw, "weak")):
        if text in phrases:
            weak.add(text)
        else:
            ctx.error(join(join(path, "weak"), i), f"'{text}' is not one of this category's phrases", line)
    return frozenset(weak)


def _phrases(
    ctx: ParseContext, raw: Any, path: str, category: str, lists: Any, normalise: Any, parent: Any, pkey: str
) -> list[Pattern]:
    patterns: list[Pattern] = []
    for i, (text, line) in enumerate(_strings(ctx, raw, path, parent, pkey)):
        try:
            patterns.extend(compile_phrase(text, category, lists, normalise))
        except PatternError as exc:
            ctx.error(join(path, i), f"bad phrase '{text}': {exc}", line)
    return patterns


def _spellings(ctx: ParseContext, raw: Any, parent: Any) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    if raw is None:
        return out
    if not isinstance(raw, LineDict):
        ctx.error(
            "spellings",
            "must map a written form to what it means, like `sucide: suicide`",
            line_of(parent, "spellings"),
        )
        return out
    for written, meant in raw.items():
        keys = tuple(key(w) for w in meant.split()) if isinstance(meant, str) else ()
        if not keys or not all(keys) or not key(written):
            ctx.error(join("spellings", written), "must map a word to one or more words", line_of(raw, written))
            continue
        out[key(written)] = keys
    return out


def _negation(ctx: ParseContext, raw: Any, parent: Any, normalise: Any) -> Negation:
    if raw is None:
        return Negation()
    neg = Fields(ctx, raw, "negation", parent, "negation")
    neg.reject_unknown(NEGATION_KEYS)

    def words(name: str) -> frozenset[str]:
        return frozenset(
            normalise(w) for w, _ in _strings(ctx, neg.raw.get(name), join("negation", name), neg.raw, name)
        )

    window = neg.text("window", default="3") or "3"
    if not window.isdigit() or not 0 <= int(window) <= 10:
        neg.error("window", "must be a whole number from 0 to 10")
        window = "3"
    return Negation(words("words"), int(window), words("clause_breaks"), words("undo"))


def _word_lists(ctx: ParseContext, raw: Any, parent: Any, normalise: Any) -> dict[str, frozenset[str]]:
    lists: dict[str, frozenset[str]] = {}
    if raw is None:
        return lists
    if not isinstance(raw, LineDict):
        ctx.error("words", "must map list names to lists of words", line_of(parent, "words"))
        return lists
    for name, items in raw.items():
        path = join("words", name)
        labels: set[str] = set()
        for i, (text, line) in enumerate(_strings(ctx, items, path, raw, name)):
            try:
                # Why: later lists may use earlier ones, so [adult] can be built from [parent] and [relative].
                labels |= parse_alternatives(text, lists, normalise)
            except PatternError as exc:
                ctx.error(join(path, i), f"bad word '{text}': {exc}", line)
        if items is not None and not labels and isinstance(items, LineList) and items:
            continue
        if items is None:
            ctx.error(path, "a word list needs at least one word", line_of(raw, name))
        lists[name] = frozenset(labels)
    return lists
