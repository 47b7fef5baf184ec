"""Photo uploads: real images in, EXIF-free JPEGs out, bad uploads refused clearly, stored once; S3 too."""

from __future__ import annotations

import io
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from PIL import ExifTags, Image

from backend import create_app
from backend.adapters.storage.s3 import S3Storage
from backend.config import TestConfig
from backend.core.services import users
from tests.conftest import SYSTEM
from tests.support.images import jpeg_with_gps, png, png_declaring, sha256, webp


@pytest.fixture
def project(make_region: Any, make_project: Any) -> Any:
    return make_project(make_region("EAST"), "SH-01")


@pytest.fixture
def asset(project: Any, make_asset: Any) -> Any:
    return make_asset(project, "SH-01-1201")


@pytest.fixture
def inspector(project: Any, make_user: Any, bearer_client: Any) -> Any:
    return bearer_client(make_user("inspector", project_id=project.id))


def upload(client: Any, asset: Any, data: bytes, digest: str | None = None, **headers: str) -> Any:
    return client.put(
        f"/api/photos/{digest or sha256(data)}?asset_id={asset.id}",
        data=data,
        headers={"Content-Type": "image/jpeg"} | headers,
    )


def fetch(client: Any, path: str) -> Any:
    """GET a path and close the response (photo downloads stream an open file)."""
    with client.get(path) as response:
        response.get_data()
        return response


def stored_files(app: Flask) -> list[Path]:
    return sorted(p for p in Path(app.config["STORAGE_LOCAL_ROOT"]).rglob("*") if p.is_file())


def test_a_jpeg_with_gps_exif_is_stored_upright_and_comes_back_without_exif(
    inspector: Any, asset: Any
) -> None:
    original = jpeg_with_gps(640, 480, orientation=6)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    created = upload(inspector, asset, original)
    assert created.status_code == 201, created.json
    assert created.json["sha256"] == sha256(original)
    assert (created.json["width"], created.json["height"]) == (480, 640)  # turned by its orientation
    assert created.json["source_content_type"] == "image/jpeg"
    content = fetch(inspector, created.json["content_url"])
    assert content.status_code == 200
    assert content.mimetype == "image/jpeg"
    returned = Image.open(io.BytesIO(content.data))
    assert returned.format == "JPEG"
    assert returned.size == (480, 640)
    assert dict(returned.getexif()) == {}
    assert b"Exif" not in content.data
    assert b"Huawei" not in content.data
    thumbnail = Image.open(io.BytesIO(fetch(inspector, created.json["thumbnail_url"]).data))
    assert max(thumbnail.size) == 320


@pytest.mark.parametrize(("data", "kind"), [(png(), "image/png"), (webp(), "image/webp")])
def test_png_and_webp_are_accepted_and_re_encoded_as_jpeg(
    inspector: Any, asset: Any, data: bytes, kind: str
) -> None:
    created = upload(inspector, asset, data)
    assert created.status_code == 201, created.json
    assert (created.json["source_content_type"], created.json["content_type"]) == (kind, "image/jpeg")
    content = fetch(inspector, created.json["content_url"]).data
    assert Image.open(io.BytesIO(content)).format == "JPEG"


def test_the_same_photo_uploaded_twice_is_stored_once(inspector: Any, asset: Any, app: Flask) -> None:
    data = jpeg_with_gps()
    first = upload(inspector, asset, data)
    second = upload(inspector, asset, data)
    assert (first.status_code, second.status_code) == (201, 200)
    assert second.json == first.json
    assert len(stored_files(app)) == 2  # the photo and its thumbnail
    audit = inspector.get("/api/audit?entity_type=photo")
    assert audit.status_code == 403  # inspectors do not read the audit log; the admin checks below


def test_an_upload_is_audited_once(inspector: Any, asset: Any, make_user: Any, bearer_client: Any) -> None:
    data = jpeg_with_gps()
    upload(inspector, asset, data)
    upload(inspector, asset, data)
    admin = bearer_client(make_user("admin"))
    entries = admin.get("/api/audit?entity_type=photo").json
    assert len(entries) == 1
    assert entries[0]["after"]["sha256"] == sha256(data)
    assert entries[0]["project_id"] == asset.project_id


def test_a_text_file_named_jpg_is_refused_as_not_an_image(inspector: Any, asset: Any, app: Flask) -> None:
    text = b"Quarterly inspection notes: all fine.\n" * 20
    response = upload(inspector, asset, text, **{"Content-Disposition": 'attachment; filename="photo.jpg"'})
    assert response.status_code == 415
    assert "不是 JPEG、PNG 或 WebP" in response.json["message"]  # users read Chinese by default
    assert stored_files(app) == []


def test_an_oversized_upload_is_refused_with_413(inspector: Any, asset: Any, app: Flask) -> None:
    app.config["PHOTO_MAX_BYTES"] = 20_000
    big = jpeg_with_gps(1600, 1200)
    assert len(big) > 20_000
    response = upload(inspector, asset, big)
    assert response.status_code == 413
    assert "照片超过 19.5 KB" in response.json["message"]
    assert stored_files(app) == []


@pytest.mark.parametrize(("width", "height"), [(100_000, 100_000), (7_000, 7_000)])
def test_a_decompression_bomb_is_refused_before_decoding(
    inspector: Any, asset: Any, app: Flask, width: int, height: int
) -> None:
    bomb = png_declaring(width, height)
    assert len(bomb) < 200
    response = upload(inspector, asset, bomb)
    assert response.status_code == 422
    assert "百万像素" in response.json["message"]
    assert "image" in response.json["errors"]["json"]
    assert stored_files(app) == []


def test_a_hash_that_does_not_match_the_bytes_is_refused_naming_sha256(
    inspector: Any, asset: Any, app: Flask
) -> None:
    response = upload(inspector, asset, jpeg_with_gps(), digest=sha256(b"something else"))
    assert response.status_code == 422
    assert "sha256" in response.json["errors"]["json"]
    malformed = upload(inspector, asset, jpeg_with_gps(), digest="ABC")
    assert malformed.status_code == 422
    assert "sha256" in malformed.json["errors"]["json"]
    assert stored_files(app) == []


def test_a_damaged_image_is_refused_as_damaged(inspector: Any, asset: Any) -> None:
    whole = jpeg_with_gps(1600, 1200)
    truncated = whole[: len(whole) // 2]
    response = upload(inspector, asset, truncated)
    assert response.status_code == 422
    assert "image" in response.json["errors"]["json"]


def test_who_may_upload_and_who_may_read(
    asset: Any, project: Any, make_user: Any, make_region: Any, make_project: Any, bearer_client: Any
) -> None:
    agent = bearer_client(make_user("leasing_agent", region_id=project.region_id))
    assert upload(agent, asset, png()).status_code == 403
    outsider_project = make_project(make_region("SOUTH"), "GZ-01")
    outsider = bearer_client(make_user("inspector", project_id=outsider_project.id))
    assert upload(outsider, asset, png()).status_code == 404
    manager = bearer_client(make_user("project_manager", project_id=project.id))
    created = upload(manager, asset, png())
    assert created.status_code == 201
    digest = created.json["sha256"]
    assert agent.get(f"/api/photos/{digest}").status_code == 200
    assert fetch(agent, f"/api/photos/{digest}/thumbnail").status_code == 200
    assert outsider.get(f"/api/photos/{digest}").status_code == 404
    assert outsider.get(f"/api/photos/{digest}/content").status_code == 404
    assert upload(outsider, asset, png()).status_code == 404


def test_the_same_bytes_for_an_asset_the_uploader_cannot_see_are_a_conflict(
    asset: Any,
    inspector: Any,
    make_region: Any,
    make_project: Any,
    make_asset: Any,
    make_user: Any,
    bearer_client: Any,
) -> None:
    data = png()
    assert upload(inspector, asset, data).status_code == 201
    other = make_project(make_region("SOUTH"), "GZ-01")
    other_inspector = bearer_client(make_user("inspector", project_id=other.id))
    response = upload(other_inspector, make_asset(other, "GZ-01-0101"), data)
    assert response.status_code == 409


def test_a_missing_photo_is_not_found(inspector: Any) -> None:
    missing = sha256(b"never uploaded")
    assert inspector.get(f"/api/photos/{missing}").status_code == 404
    assert inspector.get(f"/api/photos/{missing}/content").status_code == 404


# S3 ---------------------------------------------------------------------------------------------


@pytest.fixture
def s3_app(database_url: str, moto_s3: Any, s3_bucket: str) -> Iterator[Flask]:
    """The application storing photos in a bucket on moto's S3 server."""
    application = create_app(TestConfig, DATABASE_URL=database_url, **moto_s3.settings(s3_bucket))
    storage = application.extensions["leasekeeper.storage"]
    assert isinstance(storage, S3Storage)
    storage.ensure_bucket()
    yield application
    application.extensions["leasekeeper.db"].dispose()


def test_on_s3_a_photo_is_stored_in_the_bucket_and_downloads_redirect_to_presigned_urls(
    s3_app: Flask, asset: Any, project: Any, make_user: Any, bearer_client: Any, moto_s3: Any
) -> None:
    signed_in = bearer_client(make_user("inspector", project_id=project.id))
    phone = s3_app.test_client()
    phone.environ_base["HTTP_AUTHORIZATION"] = signed_in.environ_base["HTTP_AUTHORIZATION"]
    data = jpeg_with_gps()
    created = upload(phone, asset, data)
    assert created.status_code == 201, created.json
    assert upload(phone, asset, data).status_code == 200
    storage: S3Storage = s3_app.extensions["leasekeeper.storage"]
    keys = [item["Key"] for item in storage.client.list_objects_v2(Bucket=storage.bucket)["Contents"]]
    assert len(keys) == 2
    assert all(sha256(data) in key for key in keys)
    for path in (created.json["content_url"], created.json["thumbnail_url"]):
        redirect = phone.get(path)
        assert redirect.status_code == 302
        assert redirect.location.startswith(moto_s3.endpoint_url)
        with urllib.request.urlopen(redirect.location, timeout=10) as response:  # noqa: S310 - loopback
            image = Image.open(io.BytesIO(response.read()))
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}


def test_an_asset_with_photo_evidence_cannot_be_deleted(
    inspector: Any, asset: Any, make_user: Any, bearer_client: Any
) -> None:
    assert upload(inspector, asset, png()).status_code == 201
    admin = bearer_client(make_user("admin"))
    refused = admin.delete(f"/api/assets/{asset.id}")
    assert refused.status_code == 409
    assert "照片证据" in refused.json["message"]  # users read Chinese by default
    assert admin.get(f"/api/assets/{asset.id}").status_code == 200


def test_refusals_are_in_english_for_english_users(
    asset: Any, project: Any, make_user: Any, bearer_client: Any, run: Any, app: Flask
) -> None:
    user = make_user("inspector", project_id=project.id)
    run(users.update_user, user.id, {"locale": "en"}, SYSTEM)
    phone = bearer_client(user)
    app.config["PHOTO_MAX_BYTES"] = 15 * 1024 * 1024
    assert (
        upload(phone, asset, b"plain text").json["message"] == "The upload is not a JPEG, PNG or WebP image."
    )
    bomb = upload(phone, asset, png_declaring(100_000, 100_000)).json
    assert bomb["message"] == "The image has more than 24 megapixels."
    assert bomb["errors"]["json"]["image"] == ["Too many pixels; this could be a decompression bomb."]
