"""The storage contract, run against local disk and against a real S3 API (moto's server)."""

from __future__ import annotations

import hashlib
import urllib.request
from pathlib import Path
from typing import Any

import pytest

from backend.adapters.storage import (
    LocalStorage,
    Storage,
    StoredObjectMissing,
    content_key,
    storage_from_config,
)
from backend.adapters.storage.s3 import S3Storage

DATA = b"\xff\xd8\xff\xe0 not really a jpeg, but bytes are bytes"
KEY = content_key("photos", hashlib.sha256(DATA).hexdigest(), "jpg")


@pytest.fixture(params=["local", "s3"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Storage:
    """Each backend in turn, empty."""
    if request.param == "local":
        return LocalStorage(tmp_path / "store")
    moto = request.getfixturevalue("moto_s3")
    s3 = storage_from_config(moto.settings(request.getfixturevalue("s3_bucket")))
    assert isinstance(s3, S3Storage)
    s3.ensure_bucket()
    return s3


def test_content_keys_fan_out_over_two_directory_levels() -> None:
    digest = hashlib.sha256(DATA).hexdigest()
    assert f"photos/{digest[:2]}/{digest[2:4]}/{digest}.jpg" == KEY
    with pytest.raises(ValueError, match="SHA-256"):
        content_key("photos", "../../etc/passwd", "jpg")


def test_what_is_put_can_be_read_back_opened_and_deleted(storage: Storage) -> None:
    assert not storage.exists(KEY)
    storage.put(KEY, DATA, "image/jpeg")
    assert storage.exists(KEY)
    assert storage.get(KEY) == DATA
    with storage.open(KEY) as stream:
        assert stream.read() == DATA
    storage.delete(KEY)
    assert not storage.exists(KEY)
    storage.delete(KEY)  # deleting twice is harmless


def test_putting_the_same_key_again_replaces_the_object(storage: Storage) -> None:
    storage.put(KEY, b"first", "image/jpeg")
    storage.put(KEY, DATA, "image/jpeg")
    assert storage.get(KEY) == DATA


def test_a_missing_object_is_reported_as_missing(storage: Storage) -> None:
    with pytest.raises(StoredObjectMissing):
        storage.get(KEY)
    with pytest.raises(StoredObjectMissing):
        storage.open(KEY)


@pytest.mark.parametrize("key", ["../escape.jpg", "/etc/passwd", "photos/../../x.jpg", "photos"])
def test_keys_that_could_escape_the_store_are_refused(storage: Storage, key: str) -> None:
    with pytest.raises(ValueError, match="invalid storage key"):
        storage.put(key, DATA, "image/jpeg")


def test_local_writes_are_atomic_and_leave_no_temporary_files(tmp_path: Path) -> None:
    local = LocalStorage(tmp_path / "store")
    local.put(KEY, DATA, "image/jpeg")
    files = [p for p in (tmp_path / "store").rglob("*") if p.is_file()]
    assert files == [tmp_path / "store" / KEY]


def test_local_storage_has_no_presigned_urls_so_the_api_streams(tmp_path: Path) -> None:
    local = LocalStorage(tmp_path)
    assert local.url_for_get(KEY) is None
    assert local.presigned_put(KEY, "image/jpeg") is None


def test_a_presigned_put_then_a_presigned_get_work_over_real_http(moto_s3: Any, s3_bucket: str) -> None:
    s3 = storage_from_config(moto_s3.settings(s3_bucket))
    assert isinstance(s3, S3Storage)
    s3.ensure_bucket()
    upload = s3.presigned_put(KEY, "image/jpeg")
    assert upload is not None
    assert upload.url.startswith(moto_s3.endpoint_url)
    request = urllib.request.Request(upload.url, data=DATA, method="PUT", headers=upload.headers)  # noqa: S310
    with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback test server
        assert response.status == 200
    assert s3.get(KEY) == DATA
    download = s3.url_for_get(KEY)
    assert download is not None
    with urllib.request.urlopen(download, timeout=10) as response:  # noqa: S310 - loopback test server
        assert response.read() == DATA


def test_presigned_urls_are_signed_for_the_public_endpoint_when_one_is_set(moto_s3: Any) -> None:
    settings = moto_s3.settings("photos") | {"S3_PUBLIC_ENDPOINT_URL": "https://files.example.com"}
    s3 = storage_from_config(settings)
    url = s3.url_for_get(KEY)
    assert url is not None
    assert url.startswith("https://files.example.com/photos/")


def test_an_unknown_storage_backend_is_a_clear_startup_error() -> None:
    with pytest.raises(RuntimeError, match="STORAGE_BACKEND"):
        storage_from_config({"STORAGE_BACKEND": "ftp"})


def test_a_private_endpoint_without_a_public_one_gives_no_urls_so_the_api_streams(moto_s3: Any) -> None:
    settings = moto_s3.settings("photos") | {"S3_PUBLIC_ENDPOINT_URL": None}
    s3 = storage_from_config(settings)
    assert s3.url_for_get(KEY) is None
    assert s3.presigned_put(KEY, "image/jpeg") is None
