"""A small HTML reader for the page tests (standard library only): elements, forms, error summaries."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

BREAK = "\ue000"  # stands for <br> in collected text
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


@dataclass
class Element:
    """One element: its tag, attributes, text (with descendants') and the classes of its ancestors."""

    tag: str
    attrs: dict[str, str]
    ancestors: list[Element] = field(default_factory=list, repr=False)
    parts: list[str] = field(default_factory=list, repr=False)

    @property
    def text(self) -> str:
        """The text inside, whitespace collapsed."""
        return " ".join("".join(self.parts).replace(BREAK, " ").split())

    @property
    def lines(self) -> list[str]:
        """The text inside, split where a <br> was."""
        return [" ".join(part.split()) for part in "".join(self.parts).split(BREAK)]

    @property
    def classes(self) -> set[str]:
        """The element's classes."""
        return set(self.attrs.get("class", "").split())

    def within(self, cls: str) -> Element | None:
        """The nearest ancestor with a class."""
        return next((a for a in reversed(self.ancestors) if cls in a.classes), None)


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[Element] = []
        self.stack: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {k: v or "" for k, v in attrs}, list(self.stack))
        self.elements.append(element)
        if tag == "br":
            self.handle_data(BREAK)
        if tag not in VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        for element in self.stack:
            element.parts.append(data)


class Html:
    """A parsed page with the queries the tests need."""

    def __init__(self, source: str) -> None:
        reader = _Reader()
        reader.feed(source)
        reader.close()
        self.source = source
        self.elements = reader.elements

    def all(self, tag: str | None = None, cls: str | None = None, within: str | None = None) -> list[Element]:
        """Elements by tag, class and an ancestor's class."""
        return [
            e
            for e in self.elements
            if (tag is None or e.tag == tag)
            and (cls is None or cls in e.classes)
            and (within is None or e.within(within) is not None)
        ]

    def one(self, tag: str | None = None, cls: str | None = None, within: str | None = None) -> Element:
        """Exactly one matching element."""
        found = self.all(tag, cls, within)
        assert len(found) == 1, f"expected one {tag}.{cls}, found {len(found)}"
        return found[0]

    @property
    def title(self) -> str:
        """The page title."""
        return self.one("title").text

    @property
    def h1(self) -> str:
        """The main heading."""
        return self.one("h1").text

    @property
    def ids(self) -> set[str]:
        """Every element id on the page."""
        return {e.attrs["id"] for e in self.elements if "id" in e.attrs}

    @property
    def back_link(self) -> str | None:
        """The back link's target."""
        links = self.all("a", "govuk-back-link")
        return links[0].attrs["href"] if links else None

    @property
    def error_summary(self) -> list[tuple[str, str]]:
        """(href, message) for each error in the GOV.UK error summary."""
        return [(a.attrs.get("href", ""), a.text) for a in self.all("a", within="govuk-error-summary")]

    @property
    def error_summary_title(self) -> str | None:
        """The error summary's heading."""
        titles = self.all(cls="govuk-error-summary__title")
        return titles[0].text if titles else None

    @property
    def inline_errors(self) -> dict[str, str]:
        """Inline error messages by element id, without the hidden 'Error:' prefix."""
        return {
            e.attrs.get("id", ""): e.text.removeprefix("Error:").strip() for e in self.all(cls="govuk-error-message")
        }

    def form_action(self) -> str:
        """The action of the page's form."""
        return self.one("form").attrs["action"]

    def field_values(self) -> dict[str, list[str]]:
        """The non-blank values the form shows: typed values, ticked boxes, chosen options, textareas.

        The CSRF token every form carries is left out: it is not an answer.
        """
        values: dict[str, list[str]] = {}
        for e in self.elements:
            name = e.attrs.get("name")
            if e.tag == "input" and name and name != "_csrf_token":
                kind = e.attrs.get("type", "text")
                if kind in ("radio", "checkbox"):
                    if "checked" in e.attrs:
                        values.setdefault(name, []).append(e.attrs.get("value", ""))
                elif kind != "submit":
                    values.setdefault(name, []).append(e.attrs.get("value", ""))
            elif e.tag == "textarea" and name:
                values.setdefault(name, []).append("".join(e.parts).removeprefix("\n"))
            elif e.tag == "option" and "selected" in e.attrs:
                select = next((a for a in reversed(e.ancestors) if a.tag == "select"), None)
                if select is not None and e.attrs.get("value"):
                    values.setdefault(select.attrs["name"], []).append(e.attrs["value"])
        return {name: [v for v in vs if v] for name, vs in values.items() if any(vs)}

    def field_names(self) -> set[str]:
        """The names of every form field on the page but the CSRF token's."""
        fields = ("input", "select", "textarea")
        names = {e.attrs["name"] for e in self.elements if e.tag in fields and "name" in e.attrs}
        return names - {"_csrf_token"}

    def summary_rows(self) -> dict[str, tuple[str, str]]:
        """Check-your-answers rows: question label -> (answer text, change link)."""
        rows = {}
        for row in self.all(cls="govuk-summary-list__row"):
            cells = [e for e in self.elements if row in e.ancestors]
            key = next(e for e in cells if "govuk-summary-list__key" in e.classes)
            value = next(e for e in cells if "govuk-summary-list__value" in e.classes)
            change = next((e for e in cells if e.tag == "a"), None)
            rows[key.text] = (value.text, change.attrs["href"] if change is not None else "")
        return rows

    def summary_lines(self, label: str) -> list[str]:
        """The separate lines of one check-your-answers value (split at <br>)."""
        for row in self.all(cls="govuk-summary-list__row"):
            cells = [e for e in self.elements if row in e.ancestors]
            key = next(e for e in cells if "govuk-summary-list__key" in e.classes)
            if key.text == label:
                return next(e for e in cells if "govuk-summary-list__value" in e.classes).lines
        raise KeyError(label)
