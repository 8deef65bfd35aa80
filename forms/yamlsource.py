"""Read survey YAML into plain containers that remember their line numbers."""

from __future__ import annotations

import re
from typing import Any

import yaml


class LineDict(dict[str, Any]):
    """A mapping read from YAML, with the line of each key."""

    line: int | None = None
    key_lines: dict[str, int]
    #: The word (`null`, `Null`, `NULL`, `~`) of each value YAML read as no value, for a message naming it.
    null_words: dict[str, str]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.key_lines = {}
        self.null_words = {}


class LineList(list[Any]):
    """A sequence read from YAML, with the line of each item."""

    line: int | None = None
    item_lines: list[int]

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self.item_lines = []


class _StringsLoader(yaml.SafeLoader):
    """A YAML loader that reads every plain scalar as a string.

    Why: YAML 1.1 turns `yes`, `no`, `on` and `11_15` into booleans and integers, which
    silently corrupts option values written by hand. The definition parser converts the
    keys that are meant to be numbers or booleans itself, with a clear error.
    """


def _construct_mapping(loader: _StringsLoader, node: yaml.MappingNode) -> LineDict:
    result = LineDict()
    result.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key is None and isinstance(key_node, yaml.ScalarNode):
            # Why: `null:` or `~:` as a key means the text itself; the definition parser then reports it
            # (an option value, an unknown key) with its key path, like any other key.
            key = key_node.value
        if not isinstance(key, str):
            kind = "a list" if isinstance(key, list) else "a mapping"
            message = f"mapping keys must be plain text, not {kind}"
            raise yaml.constructor.ConstructorError(None, None, message, key_node.start_mark)
        if key in result:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[key] = key_node.start_mark.line + 1
        if result[key] is None and isinstance(value_node, yaml.ScalarNode) and value_node.value:
            result.null_words[key] = value_node.value
    return result


def _construct_sequence(loader: _StringsLoader, node: yaml.SequenceNode) -> LineList:
    result = LineList(loader.construct_object(child, deep=True) for child in node.value)
    result.line = node.start_mark.line + 1
    result.item_lines = [child.start_mark.line + 1 for child in node.value]
    return result


#: Control characters other than tab and line breaks, and lone surrogates: YAML's escapes ("\\0", "\\u0000",
#: "\\ud800") write them, but no page can show them and PostgreSQL cannot store them.
UNSHOWABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _construct_plain(loader: _StringsLoader, node: yaml.ScalarNode) -> str | None:
    value = loader.construct_scalar(node)
    if node.style is None and value in ("", "~", "null", "Null", "NULL"):
        return None
    if found := UNSHOWABLE.search(value):
        # Why here: every text of a definition is read here, with its line; a "\\0" in a label passed the
        # check and then stopped the app starting on PostgreSQL, which stores each version's definition.
        message = f"text with the unprintable character U+{ord(found.group()):04X}, which a page cannot show: remove it"
        raise yaml.constructor.ConstructorError(None, None, message, node.start_mark)
    return str(value)


# Only strings, maps and lists: drop every implicit resolver (bool, int, float, timestamp).
_StringsLoader.yaml_implicit_resolvers = {}
_StringsLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
_StringsLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _construct_sequence)
_StringsLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SCALAR_TAG, _construct_plain)


def null_word_problem(raw: Any, key: str) -> str | None:
    """The fix for a value written as a YAML null word (`label: Null`), or None if it was not one."""
    word = raw.null_words.get(key) if isinstance(raw, LineDict) else None
    if word is None:
        return None
    return f"{word} is read as no value: write it in quotes ('{word}') if it is the text"


class YamlSyntaxError(ValueError):
    """The file is not well-formed YAML."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def read_yaml(text: str) -> Any:
    """Parse YAML text into LineDict/LineList/str values."""
    try:
        # A SafeLoader subclass: no Python objects can be built from the text.
        return yaml.load(text, Loader=_StringsLoader)  # noqa: S506  # nosec B506
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise YamlSyntaxError(exc.problem or str(exc), line) from exc
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(str(exc), None) from exc
    except RecursionError as exc:
        # Why: PyYAML parses nesting recursively, so a few hundred nested `{all: [...]}` ended in a traceback.
        raise YamlSyntaxError("lists or mappings are nested too deeply to read", None) from exc
