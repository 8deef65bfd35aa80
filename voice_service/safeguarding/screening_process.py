"""Disclosure screening in a child process, fed batches from the web worker's event loop.

Screening a young person's typed answers is the largest part of a submission's CPU, and one
worker is bound by its one core while the machine's other core waits. `ScreeningProcess` starts a
named child that holds a copy of the worker's own `Screener` (its phrase book and learned model
sent pickled, so the results are the same; the worker keeps only those bytes, kept_screener.py) and
screens batches of texts: `await screen(texts)`
joins the batch of the current event-loop turn, one message per turn goes down a socket, and a
protocol callback on the socket resolves each waiting submission with its own results. Nothing is
ever lost or weakened: until the child is ready, and whenever it dies, is slower than `timeout` or
fails on a text, the worker screens in-process with the same code (building its own screener from
the kept bytes the first time), logs that (never the text) and starts a new child.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import pickle
import signal
import socket
import struct
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

from voice_service.core.child_processes import refuse_imports
from voice_service.safeguarding.kept_screener import KeptScreener, rebuild
from voice_service.safeguarding.screening import Screener

log = logging.getLogger(__name__)

#: The child's name: the kernel's short name, shown by `ps` and `top`.
PROCESS_NAME = "vs-screening"
#: Packages the child must not load (about 90 MiB together); the screener needs none of them.
HEAVY = ("pandas", "scipy", "sklearn", "matplotlib", "sqlalchemy", "litestar")
#: How long a new child may take to load the screener before it is given up and started again.
START_SECONDS = 30.0
#: The longest wait before starting a child again after failures in a row.
MOST_BACKOFF_SECONDS = 60.0
#: A frame: its length as 8 bytes, big-endian, then a pickle.
HEADER = struct.Struct("!Q")
PICKLE = pickle.HIGHEST_PROTOCOL
READY = "ready"

#: One text's result: None (not flagged), the categories and (category, phrase, start, end) matches
#: of a flagged one, or the type name of the exception screening it raised.
Outcome = tuple[tuple[str, ...], tuple[tuple[str, str, int, int], ...]] | str | None


def screen_one(screener: Screener, text: str) -> Outcome:
    """One text's outcome, as plain data: the same in the child and in-process."""
    try:
        result = screener.screen(text)
    except Exception as exc:
        # The type only: the message could quote the answer.
        return type(exc).__name__
    if not result.flagged:
        return None
    return tuple(result.categories), tuple((m.category, m.phrase, m.span[0], m.span[1]) for m in result.matches)


def screen_here(screener: Screener, texts: Sequence[str]) -> list[Outcome]:
    """Outcomes screened in this process."""
    return [screen_one(screener, text) for text in texts]


# --- the child ---------------------------------------------------------------------------------


def _name_process() -> None:
    """The kernel's short name, so `ps -o comm` and `top` tell the child from the worker."""
    with contextlib.suppress(OSError):
        Path("/proc/self/comm").write_text(PROCESS_NAME)


def _read_frame(stream: BinaryIO) -> bytes | None:
    header = stream.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    (size,) = HEADER.unpack(header)
    body = stream.read(size)
    return body if len(body) == size else None


def _receive_screener(stream: BinaryIO) -> Screener | None:
    """The worker's screener, rebuilt from the two parts it sends (kept_screener.py); None at end of input."""
    book = _read_frame(stream)
    model = _read_frame(stream) if book is not None else None
    return rebuild((book, model)) if book is not None and model is not None else None


def serve(sock: socket.socket) -> None:
    """The child's loop: receive the screener, then answer each batch until end of input."""
    refuse_imports(HEAVY)
    _name_process()
    # Why: Ctrl-C in a terminal reaches the whole process group; the worker ends this child by closing the socket.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    stream = sock.makefile("rb")
    screener = _receive_screener(stream)
    if screener is None:
        return
    sock.sendall(_frame((READY, 0, [])))
    while (frame := _read_frame(stream)) is not None:
        number, texts = pickle.loads(frame)  # noqa: S301 - as above  # nosec B301
        sock.sendall(_frame((None, number, screen_here(screener, texts))))


def _frame(message: Any) -> bytes:
    """A message as one frame."""
    body = pickle.dumps(message, PICKLE)
    return HEADER.pack(len(body)) + body


def _send_frame(sock: socket.socket, body: bytes) -> None:
    """Send a large frame with a blocking socket, without copying it."""
    sock.sendall(HEADER.pack(len(body)))
    sock.sendall(body)


# --- the worker's side ---------------------------------------------------------------------------


@dataclass
class _Batch:
    """Texts sent in one message, and who waits for which of them."""

    waiting: list[tuple[Sequence[str], asyncio.Future[list[Outcome]]]]
    timer: asyncio.TimerHandle | None = None


@dataclass
class _Child:
    """One child process and its end of the socket pair."""

    process: subprocess.Popen[bytes]
    transport: asyncio.Transport | None = None
    ready: bool = False
    started: float = field(default_factory=time.monotonic)


class _Reader(asyncio.Protocol):
    """Reads the child's frames as they arrive (a callback on the socket, no thread)."""

    def __init__(self, owner: ScreeningProcess, child: _Child) -> None:
        self.owner = owner
        self.child = child
        self.buffer = bytearray()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while len(self.buffer) >= HEADER.size:
            (size,) = HEADER.unpack_from(self.buffer)
            if len(self.buffer) < HEADER.size + size:
                return
            body = bytes(self.buffer[HEADER.size : HEADER.size + size])
            del self.buffer[: HEADER.size + size]
            kind, number, outcomes = pickle.loads(body)  # noqa: S301 - from our own child  # nosec B301
            self.owner._received(self.child, kind, number, outcomes)

    def connection_lost(self, exc: Exception | None) -> None:
        self.owner._lost(self.child)


class ScreeningProcess:
    """Screens batches of texts in a child process; in-process whenever the child cannot."""

    def __init__(self, screener: Screener | KeptScreener, timeout: float = 2.0) -> None:
        #: The screener as the bytes each child is sent; built here only when this process screens.
        self.kept = screener if isinstance(screener, KeptScreener) else KeptScreener.of(screener)
        self._ending: set[asyncio.Task[None]] = set()
        #: Seconds a batch may take in the child before its texts are screened here instead.
        self.timeout = timeout
        self._child: _Child | None = None
        self._queued: list[tuple[Sequence[str], asyncio.Future[list[Outcome]]]] = []
        self._flush_soon: asyncio.Handle | None = None
        self._sent: dict[int, _Batch] = {}
        self._number = 0
        self._failures = 0
        self._restart: asyncio.TimerHandle | None = None
        self._running = False
        self._became_ready = asyncio.Event()
        #: Texts screened in-process because the child could not, and messages sent to it (for tests and benchmarks).
        self.screened_here = 0
        self.batches_sent = 0

    @property
    def ready(self) -> bool:
        """Whether a child is running and has loaded the screener."""
        return self._child is not None and self._child.ready

    @property
    def pid(self) -> int | None:
        """The running child's process id."""
        return self._child.process.pid if self._child is not None else None

    async def start(self) -> None:
        """Start the child; screening is in-process until it is ready (a second or so)."""
        self._running = True
        await self._spawn()

    async def wait_ready(self, seconds: float) -> bool:
        """Wait until a child is ready, at most `seconds`; whether one is.

        Why the served app waits: until then the worker screens in-process, which builds its own
        screener (20 MiB it would then keep) for the first submissions after a start.
        """
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._became_ready.wait(), seconds)
        return self.ready

    async def stop(self) -> None:
        """Answer what waits (in-process), close the socket and let the child exit."""
        self._running = False
        if self._restart is not None:
            self._restart.cancel()
        child, self._child = self._child, None
        self._became_ready.clear()
        self._flush()
        self._screen_sent_here("the service is stopping")
        if child is not None:
            await _end(child)
        await asyncio.gather(*self._ending, return_exceptions=True)

    async def screen(self, texts: Sequence[str]) -> list[Outcome]:
        """Each text's outcome, screened in the child with this turn's other texts, or here if it cannot."""
        if not texts:
            return []
        if not self.ready:
            return self._here(texts)
        future: asyncio.Future[list[Outcome]] = asyncio.get_running_loop().create_future()
        self._queued.append((texts, future))
        if self._flush_soon is None:
            # Why call_soon: every submission that runs in this turn of the loop joins the one message.
            self._flush_soon = asyncio.get_running_loop().call_soon(self._flush)
        return await future

    def _here(self, texts: Sequence[str]) -> list[Outcome]:
        self.screened_here += len(texts)
        return screen_here(self.kept.screener(), texts)

    def _flush(self) -> None:
        """Send everything queued this turn as one message."""
        self._flush_soon = None
        queued, self._queued = self._queued, []
        if not queued:
            return
        child = self._child
        if child is None or not child.ready or child.transport is None or child.transport.is_closing():
            for texts, future in queued:
                _settle(future, self._here(texts))
            return
        self._number += 1
        self.batches_sent += 1
        batch = _Batch(queued)
        self._sent[self._number] = batch
        child.transport.write(_frame((self._number, [t for texts, _ in queued for t in texts])))
        batch.timer = asyncio.get_running_loop().call_later(self.timeout, self._too_slow, child)

    def _received(self, child: _Child, kind: str | None, number: int, outcomes: list[Outcome]) -> None:
        if child is not self._child:
            return
        if kind == READY:
            child.ready = True
            self._became_ready.set()
            log.info("screening process %s is ready", child.process.pid)
            return
        batch = self._sent.pop(number, None)
        if batch is None:
            return  # already screened here after a timeout
        if batch.timer is not None:
            batch.timer.cancel()
        self._failures = 0
        at = 0
        for texts, future in batch.waiting:
            mine, at = outcomes[at : at + len(texts)], at + len(texts)
            _settle(future, self._checked(texts, mine))

    def _checked(self, texts: Sequence[str], outcomes: list[Outcome]) -> list[Outcome]:
        """The child's outcomes, any it failed on screened again here (so a failure there weakens nothing)."""
        if len(outcomes) != len(texts):
            log.error("the screening process answered %d of %d texts; screening them here", len(outcomes), len(texts))
            return self._here(texts)
        if not any(isinstance(o, str) for o in outcomes):
            return outcomes
        for n, outcome in enumerate(outcomes):
            if isinstance(outcome, str):
                log.error("the screening process failed on a text with %s; screening it here", outcome)
                outcomes[n] = self._here([texts[n]])[0]
        return outcomes

    def _too_slow(self, child: _Child) -> None:
        if child is self._child:
            log.warning("the screening process took over %.1f s; screening here and starting it again", self.timeout)
            self._replace(child)

    def _lost(self, child: _Child) -> None:
        if child is self._child:
            log.warning("the screening process %s ended; screening here and starting it again", child.process.pid)
            self._replace(child)

    def _replace(self, child: _Child) -> None:
        """Give up a child: whatever it was sent is screened here, then a new one starts (backing off)."""
        self._child = None
        self._became_ready.clear()
        self._screen_sent_here("the screening process was replaced")
        ending = asyncio.get_running_loop().create_task(_end(child))
        self._ending.add(ending)  # why: the loop keeps only a weak reference to a task
        ending.add_done_callback(self._ending.discard)
        if not self._running:
            return
        self._failures += 1
        delay = min(MOST_BACKOFF_SECONDS, 0.5 * 2 ** (self._failures - 1)) if self._failures > 1 else 0.0
        self._restart = asyncio.get_running_loop().call_later(delay, self._spawn_soon)

    def _screen_sent_here(self, why: str) -> None:
        sent, self._sent = self._sent, {}
        for batch in sent.values():
            if batch.timer is not None:
                batch.timer.cancel()
            for texts, future in batch.waiting:
                _settle(future, self._here(texts))
        if sent:
            log.info("%d batch(es) screened in this process: %s", len(sent), why)

    def _spawn_soon(self) -> None:
        self._restart = None
        if self._running:
            asyncio.get_running_loop().create_task(self._spawn())

    async def _spawn(self) -> None:
        """Start a child and send it the screener; it says when it is ready."""
        ours, theirs = socket.socketpair()
        try:
            process = _start_child(theirs)
        except OSError as exc:
            ours.close()
            log.error("the screening process could not start (%s); screening in this process", type(exc).__name__)
            return
        finally:
            theirs.close()  # the child has its own copy; ours must go for end of input to reach it
        child = _Child(process)
        self._child = child  # not ready: screening stays in-process until it says so
        loop = asyncio.get_running_loop()
        loop.call_later(START_SECONDS, self._check_started, child)
        try:
            for part in self.kept.parts:
                # Why a thread: the child reads only once its interpreter has started (about half a
                # second), and a blocking send leaves no second copy in a transport's buffer.
                await asyncio.to_thread(_send_frame, ours, part)
            child.transport, _ = await loop.create_unix_connection(lambda: _Reader(self, child), sock=ours)
        except OSError as exc:
            ours.close()
            if child is self._child:
                log.warning("the screening process could not be sent its screener (%s)", type(exc).__name__)
                self._replace(child)
            return
        if child is not self._child:
            await _end(child)  # stopped or given up meanwhile

    def _check_started(self, child: _Child) -> None:
        if child is self._child and not child.ready:
            log.warning("the screening process did not load within %.0f s; starting it again", START_SECONDS)
            self._replace(child)


def _settle(future: asyncio.Future[list[Outcome]], outcomes: list[Outcome]) -> None:
    if not future.done():
        future.set_result(outcomes)


def _start_child(sock: socket.socket) -> subprocess.Popen[bytes]:
    """A fresh interpreter running this module's `serve` on the given socket.

    Why not multiprocessing's spawn: it runs the parent's main script again in the child, which for
    `voice-service serve` is the CLI with SQLAlchemy and the web stack (111 MiB instead of about 55).
    The child finds modules where this process does (its `sys.path`, tests' and benchmarks' included).
    """
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
    return subprocess.Popen(  # noqa: S603 - this interpreter, this module, a descriptor number
        [sys.executable, "-m", __name__, str(sock.fileno())],
        pass_fds=(sock.fileno(),),
        stdin=subprocess.DEVNULL,
        env=env,
    )


def _wait(process: subprocess.Popen[bytes], seconds: float) -> None:
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(seconds)


async def _end(child: _Child) -> None:
    """Close a child's socket (it exits at end of input), and kill it if it has not gone within a second."""
    if child.transport is not None:
        child.transport.close()
    process = child.process
    await asyncio.to_thread(_wait, process, 1.0)
    if process.poll() is None:
        process.kill()
        await asyncio.to_thread(_wait, process, 1.0)


if __name__ == "__main__":
    serve(socket.socket(fileno=int(sys.argv[1])))
