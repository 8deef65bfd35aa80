"""Bad input that reached code unprepared for it gets a clear 4xx instead of a 500."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.exceptions import ClientException
from litestar.file_system import BaseLocalFileSystem
from litestar.types import PathType
from litestar.types.file_types import FileInfo


class SafeRequest(Request[Any, Any, Any]):
    """A request whose JSON nested deeper than the decoder can follow is a 400, not a RecursionError."""

    async def json(self) -> Any:
        """The decoded JSON body."""
        try:
            return await super().json()
        except RecursionError:
            raise ClientException("The JSON is nested too deeply") from None


class AssetFiles(BaseLocalFileSystem):
    """Static files where a name the operating system refuses (a NUL byte, too long) is not found."""

    async def info(self, path: PathType, **kwargs: Any) -> FileInfo:
        """What is known about a file; FileNotFoundError (a 404) for names that cannot exist."""
        try:
            return await super().info(path, **kwargs)
        except (FileNotFoundError, PermissionError):
            raise
        except (ValueError, OSError) as exc:
            raise FileNotFoundError(str(path)) from exc
