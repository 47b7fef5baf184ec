"""The storage interface every backend implements, and the content-addressed key scheme."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import BinaryIO, Protocol

_KEY = re.compile(r"^[a-z0-9][a-z0-9_-]*(/[a-z0-9][a-z0-9._-]*)+$")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class StoredObjectMissing(LookupError):
    """No object is stored under the key."""


@dataclass(frozen=True)
class PresignedPut:
    """A URL a client may PUT the bytes to directly, with the headers it must send."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)


def content_key(kind: str, sha256: str, extension: str) -> str:
    """The key of content by its hash, fanned out over two directory levels: photos/ab/cd/abcd….jpg."""
    if not _SHA256.match(sha256):
        raise ValueError("expected a lower-case hex SHA-256")
    return check_key(f"{kind}/{sha256[:2]}/{sha256[2:4]}/{sha256}.{extension}")


def check_key(key: str) -> str:
    """Refuse keys that could escape the store (.., absolute paths, odd characters)."""
    if not _KEY.match(key) or ".." in key:
        raise ValueError(f"invalid storage key {key!r}")
    return key


class Storage(Protocol):
    """Where photos and files live; keys are relative paths such as photos/ab/cd/<sha256>.jpg."""

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store bytes under a key (replacing what was there) atomically."""

    def open(self, key: str) -> BinaryIO:
        """A readable stream of the object; StoredObjectMissing when absent."""

    def get(self, key: str) -> bytes:
        """The object's bytes; StoredObjectMissing when absent."""

    def exists(self, key: str) -> bool:
        """Whether an object is stored under the key."""

    def delete(self, key: str) -> None:
        """Remove the object (no error when it is already gone)."""

    def url_for_get(self, key: str, expires_in: int = 300) -> str | None:
        """A time-limited URL to download the object, or None when the API must stream it."""

    def presigned_put(self, key: str, content_type: str, expires_in: int = 300) -> PresignedPut | None:
        """A time-limited URL to upload the object directly, or None when uploads go through the API."""
