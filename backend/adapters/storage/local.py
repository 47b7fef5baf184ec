"""Storage on the local disk (the embedded default): atomic writes under one root folder."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from backend.adapters.storage.base import PresignedPut, StoredObjectMissing, check_key


class LocalStorage:
    """Objects as files under a root folder; a write goes to a temporary file renamed into place."""

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        return self.root / check_key(key)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Write to a temporary file in the target folder, flush it to disk, then rename it into place."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".incoming-")
        try:
            with os.fdopen(handle, "wb") as stream:
                stream.write(data)
                stream.flush()
                os.fsync(stream.fileno())
            os.replace(temporary, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise

    def open(self, key: str) -> BinaryIO:
        """The file opened for reading."""
        try:
            return self._path(key).open("rb")
        except FileNotFoundError:
            raise StoredObjectMissing(key) from None

    def get(self, key: str) -> bytes:
        """The file's bytes."""
        with self.open(key) as stream:
            return stream.read()

    def exists(self, key: str) -> bool:
        """Whether the file exists."""
        return self._path(key).is_file()

    def delete(self, key: str) -> None:
        """Remove the file if present."""
        self._path(key).unlink(missing_ok=True)

    def url_for_get(self, key: str, expires_in: int = 300) -> str | None:
        """None: the API streams local files itself."""
        return None

    def presigned_put(self, key: str, content_type: str, expires_in: int = 300) -> PresignedPut | None:
        """None: uploads to local storage go through the API."""
        return None
