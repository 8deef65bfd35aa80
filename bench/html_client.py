"""A browser for the journey benchmark: one keep-alive HTTP/1.1 connection with cookies, and form answering.

Pages are read with the standard library's HTML parser: the first POST form's action, its fields
and options, the CSRF token, and whether the page shows an error summary. Every question is answered
validly with options taken from the page itself.
"""

from __future__ import annotations

import asyncio
import random
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urlencode

TEXTS = [
    "More places to go in the evening that feel safe.",
    "Teachers who listen when you tell them something is wrong.",
    "Shorter waits for counselling & buses <at night>.",
    "Cheaper buses, and youth clubs open at weekends.",
]


class JourneyFailed(Exception):
    """A page was not what a browser following the journey expects."""


# --------------------------------------------------------------------------- reading a page


class FormReader(HTMLParser):
    """The first POST form of a page: its action and fields; and whether the page shows an error summary."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.action: str | None = None
        self.fields: list[tuple[str, dict[str, str]]] = []  # (tag, attributes), in page order
        self.has_errors = False
        self._in_form = False
        self._done = False
        self._select: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "govuk-error-summary" in a.get("class", "").split():
            self.has_errors = True
        if self._done:
            return
        if tag == "form" and a.get("method", "get").lower() == "post":
            self.action, self._in_form = a.get("action", ""), True
        elif not self._in_form:
            return
        elif tag in ("input", "textarea"):
            self.fields.append((tag, a))
        elif tag == "select":
            self._select = {"name": a.get("name", ""), "options": []}
        elif tag == "option" and self._select is not None:
            self._select["options"].append(a.get("value", ""))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select" and self._select is not None:
            self.fields.append(("select", {"name": self._select["name"], "options": self._select["options"]}))
            self._select = None
        elif tag == "form" and self._in_form:
            self._in_form, self._done = False, True


def read_form(html: str) -> FormReader:
    """Parse a page; JourneyFailed when it has no form to post."""
    reader = FormReader()
    reader.feed(html)
    reader.close()
    if reader.action is None:
        raise JourneyFailed("no form on the page")
    return reader


def answer_form(reader: FormReader, rng: random.Random) -> list[tuple[str, str]]:
    """Form fields answering every question on the page validly, choosing from the page's own options."""
    pairs: list[tuple[str, str]] = []
    radios: dict[str, list[str]] = {}
    boxes: dict[str, list[str]] = {}
    rankings: dict[str, list[tuple[str, list[str]]]] = {}
    for tag, a in reader.fields:
        name = a.get("name", "")
        kind = a.get("type", "text") if tag == "input" else tag
        if not name or kind in ("submit", "button"):
            continue
        if kind == "hidden":
            pairs.append((name, a.get("value", "")))
        elif kind == "radio":
            radios.setdefault(name, []).append(a.get("value", ""))
        elif kind == "checkbox":
            # An exclusive option ("I wouldn't talk to anyone") may not be ticked with others.
            if a.get("data-behaviour") != "exclusive":
                boxes.setdefault(name, []).append(a.get("value", ""))
        elif kind == "select":
            # A ranking: one select per place, named QUESTION-1, QUESTION-2, ...
            rankings.setdefault(name.rsplit("-", 1)[0], []).append((name, [v for v in a["options"] if v]))
        elif kind == "textarea":
            limit = int(a.get("maxlength") or 300)
            pairs.append((name, rng.choice(TEXTS)[:limit]))
        elif a.get("inputmode") in ("numeric", "decimal"):
            pairs.append((name, str(rng.randint(0, 12))))
        else:
            pairs.append((name, rng.choice(TEXTS)[:100]))
    pairs += [(name, rng.choice(values)) for name, values in radios.items()]
    for name, values in boxes.items():
        pairs += [(name, v) for v in rng.sample(values, min(len(values), rng.randint(1, 2)))]
    for selects in rankings.values():
        picked = rng.sample(selects[0][1], min(len(selects), len(selects[0][1])))
        pairs += [(name, value) for (name, _), value in zip(selects, picked, strict=False)]
    return pairs


# --------------------------------------------------------------------------- a browser on one connection


class Browser:
    """One keep-alive HTTP/1.1 connection with a cookie jar (a new jar for each journey)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None
        self.cookies: dict[str, str] = {}

    async def request(self, method: str, path: str, form: list[tuple[str, str]] | None = None) -> tuple[int, str, str]:
        """(status, Location, body text); cookies set by the reply are kept, deleted ones dropped."""
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        head = f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{self.port}\r\n"
        if self.cookies:
            head += "Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items()) + "\r\n"
        body = b""
        if form is not None:
            body = urlencode(form).encode()
            head += f"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {len(body)}\r\n"
        self.writer.write(head.encode() + b"\r\n" + body)
        try:
            raw = await self.reader.readuntil(b"\r\n\r\n")
            lines = raw.decode("latin-1").split("\r\n")
            status = int(lines[0].split(" ", 2)[1])
            location, length, chunked, close = "", 0, False, False
            for line in lines[1:]:
                name, _, value = line.partition(":")
                name, value = name.strip().lower(), value.strip()
                if name == "content-length":
                    length = int(value)
                elif name == "location":
                    location = value
                elif name == "set-cookie":
                    self._keep(value)
                elif name == "transfer-encoding":
                    chunked = "chunked" in value.lower()
                elif name == "connection":
                    close = value.lower() == "close"
            payload = await self._chunked() if chunked else await self.reader.readexactly(length) if length else b""
        except (asyncio.IncompleteReadError, ConnectionError, OSError) as exc:
            self.close()
            raise JourneyFailed(f"no reply: {exc}") from exc
        if close:
            self.close()
        return status, location, payload.decode()

    async def _chunked(self) -> bytes:
        assert self.reader is not None
        parts = []
        while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
            parts.append(await self.reader.readexactly(size + 2))
        await self.reader.readuntil(b"\r\n")
        return b"".join(p[:-2] for p in parts)

    def _keep(self, header: str) -> None:
        pair, *attributes = header.split(";")
        name, _, value = pair.strip().partition("=")
        gone = not value or any(a.strip().lower() == "max-age=0" for a in attributes)
        if gone:
            self.cookies.pop(name, None)
        else:
            self.cookies[name] = value

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None
