"""Photo and file storage: local disk or S3 behind one interface, created once per application."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backend.adapters.storage.base import PresignedPut, Storage, StoredObjectMissing, content_key
from backend.adapters.storage.local import LocalStorage

__all__ = [
    "LocalStorage",
    "PresignedPut",
    "Storage",
    "StoredObjectMissing",
    "content_key",
    "storage_from_config",
]


def storage_from_config(config: Mapping[str, Any]) -> Storage:
    """The storage the configuration names (STORAGE_BACKEND = local or s3)."""
    backend = config["STORAGE_BACKEND"]
    if backend == "local":
        return LocalStorage(config["STORAGE_LOCAL_ROOT"])
    if backend == "s3":
        from backend.adapters.storage.s3 import S3Storage  # boto3 is only imported where S3 is used

        return S3Storage(
            bucket=config["S3_BUCKET"],
            endpoint_url=config.get("S3_ENDPOINT_URL"),
            public_endpoint_url=config.get("S3_PUBLIC_ENDPOINT_URL"),
            access_key_id=config.get("S3_ACCESS_KEY_ID"),
            secret_access_key=config.get("S3_SECRET_ACCESS_KEY"),
            region=config.get("S3_REGION") or "us-east-1",
        )
    raise RuntimeError(f"STORAGE_BACKEND must be 'local' or 's3', not {backend!r}")
