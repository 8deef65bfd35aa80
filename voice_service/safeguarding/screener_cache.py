"""The fitted screener's parts kept on disk between starts, signed so a changed file is refused.

Fitting the learned model costs about 6 s of CPU at every start of every worker (docs/benchmarks.md,
"the suite's time"); the parts it yields depend only on the phrase and examples files, this package's
code and the libraries' versions. So a start looks for parts made from exactly those, in a directory
the service owns (`SCREENER_CACHE_DIR`, default `var/cache`), and fits only when there are none.

Why signed: the parts are pickles, and unpickling runs code. A file is read only when its HMAC-SHA256
under the service's secret key matches, so only a process holding that key could have written it;
anything else (a changed, truncated or foreign file, or a new key) is ignored and the model is fitted.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import platform
import struct
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

log = logging.getLogger(__name__)

#: The code the parts are built and read by: any change to it makes earlier parts unusable.
PACKAGE_DIR = Path(__file__).resolve().parent
LIBRARIES = ("scikit-learn", "numpy", "scipy", "PyYAML")
PREFIX = "screener-"
SUFFIX = ".parts"
TAG_BYTES = hashlib.sha256().digest_size


def parts_key(files: Iterable[Path | None]) -> str:
    """What the parts are made from, as one hex digest: the files, this package's code, the libraries."""
    digest = hashlib.sha256()
    for path in files:
        digest.update(b"-" if path is None else hashlib.sha256(path.read_bytes()).digest())
    for source in sorted(PACKAGE_DIR.glob("*.py")):
        digest.update(source.name.encode() + hashlib.sha256(source.read_bytes()).digest())
    digest.update(platform.python_version().encode())
    for library in LIBRARIES:
        digest.update(f"{library}={metadata.version(library)}".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class ScreenerCache:
    """A directory of signed screener parts; `secret` is the service's secret key."""

    directory: Path
    secret: str

    def path_for(self, key: str) -> Path:
        """The file that holds the parts made from `key`."""
        return self.directory / f"{PREFIX}{key}{SUFFIX}"

    def read(self, key: str) -> tuple[bytes, ...] | None:
        """The parts made from `key`, or None when there are none this service signed."""
        try:
            data = self.path_for(key).read_bytes()
        except OSError:
            return None
        tag, body = data[:TAG_BYTES], data[TAG_BYTES:]
        if not hmac.compare_digest(tag, self._tag(key, body)):
            log.warning("ignoring %s: not signed by this service's key", self.path_for(key).name)
            return None
        return _unpack(body)

    def write(self, key: str, parts: Sequence[bytes]) -> None:
        """Keep the parts for `key` (whole or not at all) and remove the parts of other keys."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            body = _pack(parts)
            # Why a temporary file and a rename: a reader never sees half a file, and a crash leaves none.
            handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".screener-", suffix=".tmp")
            with os.fdopen(handle, "wb") as out:
                out.write(self._tag(key, body) + body)
            os.replace(temporary, self.path_for(key))
            for old in self.directory.glob(f"{PREFIX}*{SUFFIX}"):
                if old != self.path_for(key):
                    old.unlink(missing_ok=True)
        except OSError as exc:
            # The cache only saves time: a start without it is slower, not broken.
            log.warning("could not keep the screener in %s (%s); the next start fits it again", self.directory, exc)

    def _tag(self, key: str, body: bytes) -> bytes:
        return hmac.new(self.secret.encode(), key.encode() + body, hashlib.sha256).digest()


def screener_cache(directory: Path | None, secret: str) -> ScreenerCache | None:
    """The cache in `directory`, or None (fit at every start) without a directory or a key to sign with."""
    return ScreenerCache(directory, secret) if directory is not None and secret else None


def _pack(parts: Sequence[bytes]) -> bytes:
    """Parts as a count, then each part's length and bytes."""
    return struct.pack("<I", len(parts)) + b"".join(struct.pack("<Q", len(p)) + p for p in parts)


def _unpack(body: bytes) -> tuple[bytes, ...] | None:
    """The parts `_pack` wrote, or None when the body is not whole."""
    try:
        (count,) = struct.unpack_from("<I", body)
        offset, parts = 4, []
        for _ in range(count):
            (size,) = struct.unpack_from("<Q", body, offset)
            offset += 8
            parts.append(body[offset : offset + size])
            offset += size
    except struct.error:
        return None
    if offset != len(body) or any(len(p) == 0 for p in parts):
        return None
    return tuple(parts)
