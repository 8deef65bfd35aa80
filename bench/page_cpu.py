"""CPU per page kind of the HTML journey, in process: the app called directly, one request at a time.

Repeatable on a shared machine where `bench/journey.py`'s rates are not: each request's process CPU
time (every thread: the event loop, aiosqlite's and the writer's) is measured around it, with no
HTTP server or load generator in the way. Journeys are walked like `bench/journey.py` walks them
(its browser's form reading and answering); the first five are a warm-up (templates compiled, the
survey versions read). Prints the median and mean CPU per kind in microseconds.

    .venv/bin/python bench/page_cpu.py [--journeys 80] [--survey young-people-voice] [--database URL]

A/B a change by running it alternately against two copies of the code (`PYTHONPATH=<copy>`, run
from outside the checkout so the copy is imported).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))

from html_client import answer_form, read_form

KINDS = ["start", "begin", "page GET", "page POST", "check", "submit", "done"]
WARMUP_JOURNEYS = 5


class InProcessBrowser:
    """Calls the ASGI app directly with a cookie jar, as one browser on one connection."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.cookies: dict[str, str] = {}

    async def request(self, method: str, path: str, form: list[tuple[str, str]] | None = None) -> tuple[int, str, str]:
        """(status, Location, body text); cookies set by the reply are kept, deleted ones dropped."""
        body = urlencode(form).encode() if form is not None else b""
        headers = [(b"host", b"127.0.0.1")]
        if self.cookies:
            headers.append((b"cookie", "; ".join(f"{k}={v}" for k, v in self.cookies.items()).encode()))
        if form is not None:
            headers += [(b"content-type", b"application/x-www-form-urlencoded"), (b"content-length", b"%d" % len(body))]
        route, _, query = path.partition("?")
        scope = {
            "type": "http",
            "asgi": {"version": "3.0"},
            "http_version": "1.1",
            "method": method,
            "scheme": "http",
            "path": route,
            "raw_path": route.encode(),
            "query_string": query.encode(),
            "root_path": "",
            "headers": headers,
            "client": ("127.0.0.1", 50000),
            "server": ("127.0.0.1", 80),
            "state": {},
        }
        sent = False

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.Event().wait()  # the client never disconnects
            raise AssertionError("unreachable")

        reply: dict[str, Any] = {"status": 0, "headers": [], "body": b""}

        async def send(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                reply["status"], reply["headers"] = message["status"], message.get("headers", [])
            else:
                reply["body"] += message.get("body", b"")

        await self.app(scope, receive, send)
        location = ""
        for raw_name, raw_value in reply["headers"]:
            name, value = raw_name.decode().lower(), raw_value.decode("latin-1")
            if name == "location":
                location = value
            elif name == "set-cookie":
                pair, *attributes = value.split(";")
                key, _, kept = pair.strip().partition("=")
                if not kept or any(a.strip().lower() == "max-age=0" for a in attributes):
                    self.cookies.pop(key, None)
                else:
                    self.cookies[key] = kept
        return reply["status"], location, reply["body"].decode()


async def measure(app: Any, slug: str, journeys: int, seed: int = 1) -> dict[str, list[float]]:
    """Seconds of process CPU per request, by kind, over `journeys` whole journeys after the warm-up."""
    cpu: dict[str, list[float]] = {kind: [] for kind in KINDS}
    browser = InProcessBrowser(app)
    rng = random.Random(seed)

    async def hit(kind: str, status: int, method: str, path: str, form: list[tuple[str, str]] | None = None) -> Any:
        started = time.process_time()
        reply = await browser.request(method, path, form)
        cpu[kind].append(time.process_time() - started)
        if reply[0] != status:
            raise RuntimeError(f"{kind} {path}: {reply[0]}, expected {status}")
        return reply

    async with app.lifespan():
        for number in range(WARMUP_JOURNEYS + journeys):
            if number == WARMUP_JOURNEYS:
                for times in cpu.values():
                    times.clear()
            browser.cookies = {}
            form = read_form((await hit("start", 200, "GET", f"/s/{slug}/"))[2])
            path = urlsplit((await hit("begin", 303, "POST", form.action or "", answer_form(form, rng)))[1]).path
            while "/page/" in path:
                page = read_form((await hit("page GET", 200, "GET", path))[2])
                reply = await hit("page POST", 303, "POST", page.action or path, answer_form(page, rng))
                path = urlsplit(reply[1]).path
            check = read_form((await hit("check", 200, "GET", path))[2])
            done = (await hit("submit", 303, "POST", check.action or "", answer_form(check, rng)))[1]
            await hit("done", 200, "GET", urlsplit(done).path)
    return cpu


def report(slug: str, cpu: dict[str, list[float]]) -> str:
    """One line: requests, mean CPU per request, and each kind's median/mean in microseconds."""
    requests = sum(len(times) for times in cpu.values())
    mean = sum(sum(times) for times in cpu.values()) / requests
    kinds = "; ".join(
        f"{kind} {statistics.median(times) * 1e6:.0f}/{statistics.mean(times) * 1e6:.0f}" for kind, times in cpu.items()
    )
    return f"{slug}: {requests} requests, {mean * 1e6:.0f} us CPU per request; median/mean us: {kinds}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--journeys", type=int, default=80)
    parser.add_argument("--survey", default="young-people-voice")
    parser.add_argument("--database", help="a database URL (default: a new SQLite file in a temporary folder)")
    args = parser.parse_args()

    from voice_service.app import create_app
    from voice_service.core.settings import Settings
    from voice_service.migrations.runner import upgrade

    with tempfile.TemporaryDirectory(prefix="page-cpu-") as folder:
        url = args.database or f"sqlite+aiosqlite:///{folder}/journey.db"
        # Why no limits: every journey comes from one address, hundreds a minute.
        limits = {"drafts_per_minute": 0, "drafts_per_hour": 0, "submissions_per_minute": 0, "submissions_per_hour": 0}
        settings = Settings(
            database_url=url, secret_key="page-cpu", jobs_in_process=False, outbox_dir=Path(folder), **limits
        )
        upgrade(settings)
        cpu = asyncio.run(measure(create_app(settings), args.survey, args.journeys))
    print(report(args.survey, cpu), flush=True)


if __name__ == "__main__":
    main()
