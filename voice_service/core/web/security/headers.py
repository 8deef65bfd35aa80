"""Security headers, added to every response as it is sent (a before_send hook: 404s and errors too).

HTML gets a Content-Security-Policy without 'unsafe-inline' (GOV.UK Frontend's inline js-enabled
snippet is allowed by its sha256 hash, computed at start-up from the rendered template),
framing refused, `Referrer-Policy: same-origin` and `Cache-Control: no-store`. A route reached by
a link carrying a token declares `opt=NO_REFERRER`; a header a handler sets itself is kept.
"""

from __future__ import annotations

import hashlib
import re
from base64 import b64encode

from jinja2 import Environment, TemplateError
from litestar.types import Message, Scope

#: Route option asking for `Referrer-Policy: no-referrer` (pages whose address holds a token).
REFERRER_OPT = "referrer_policy"
NO_REFERRER = {REFERRER_OPT: "no-referrer"}
#: The template every page extends (it extends GOV.UK Frontend's, which holds the inline snippet).
BASE_TEMPLATE = "base.html"
#: Paths whose responses are never stored by a browser or proxy, whatever their type (CSV exports too).
PRIVATE_PREFIXES = ("/staff", "/api/staff")

INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)
NOSNIFF = (b"x-content-type-options", b"nosniff")
NO_STORE = (b"cache-control", b"no-store")


def inline_script_hashes(environment: Environment) -> list[str]:
    """CSP sources (`'sha256-...'`) for each inline script the base page template renders."""
    try:
        html = environment.get_template(BASE_TEMPLATE).render()
    except TemplateError as exc:
        # Why: without the hash every page would lose its styling hooks; refuse to start instead.
        raise RuntimeError(f"cannot render {BASE_TEMPLATE} to hash its inline scripts: {exc}") from exc
    sources = set()
    for body in INLINE_SCRIPT.findall(html):
        digest = b64encode(hashlib.sha256(body.encode()).digest()).decode()
        sources.add(f"'sha256-{digest}'")
    return sorted(sources)


def content_security_policy(script_hashes: list[str], https: bool) -> str:
    """Our own origin only, no inline code but the hashed snippet, no framing, forms post only here."""
    directives = [
        "default-src 'self'",
        " ".join(["script-src 'self'", *script_hashes]),
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
    if https:
        directives.append("upgrade-insecure-requests")
    return "; ".join(directives)


class SecurityHeaders:
    """The before_send hook: headers computed once, appended to each response start."""

    __slots__ = ("_html",)

    def __init__(self, script_hashes: list[str], https: bool) -> None:
        self._html = [
            (b"content-security-policy", content_security_policy(script_hashes, https).encode()),
            (b"x-frame-options", b"DENY"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]

    async def __call__(self, message: Message, scope: Scope) -> None:
        """Add what the response lacks; never replace a header a handler set on purpose."""
        if message["type"] != "http.response.start":
            return
        headers = list(message.get("headers") or ())
        names = set()
        content_type = b""
        for name, value in headers:
            name = name.lower()
            names.add(name)
            if name == b"content-type":
                content_type = value
        extra = [] if b"x-content-type-options" in names else [NOSNIFF]
        html = content_type.startswith(b"text/html")
        if html:
            extra.extend(header for header in self._html if header[0] not in names)
            if b"referrer-policy" not in names:
                extra.append((b"referrer-policy", _referrer_policy(scope)))
        if b"cache-control" not in names and (html or scope["path"].startswith(PRIVATE_PREFIXES)):
            # Why: Back after sending must not show a child's answers from the cache of a shared computer.
            extra.append(NO_STORE)
        # Why: a new list, as the headers given may be shared by other responses.
        message["headers"] = headers + extra


def _referrer_policy(scope: Scope) -> bytes:
    handler = scope.get("route_handler")
    policy = handler.opt.get(REFERRER_OPT) if handler is not None else None
    return str(policy or "same-origin").encode()
