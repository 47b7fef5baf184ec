"""Photo evidence: idempotent uploads keyed by content hash, metadata, and downloads."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, BinaryIO

from backend.adapters.images import check_upload_size, process_photo
from backend.adapters.storage import Storage, StoredObjectMissing, content_key
from backend.core.domain.access import Permission as P
from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, Conflict, Forbidden, NotFound, ValidationFailed
from backend.core.services import audit
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork

_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class PhotoLimits:
    """What an upload may weigh, in bytes, and hold, in pixels."""

    max_bytes: int
    max_pixels: int


@dataclass(frozen=True)
class PhotoUpload:
    """The stored photo, and whether this upload created it (False: it was already there)."""

    photo: Any
    created: bool


@dataclass(frozen=True)
class PhotoDownload:
    """Either a URL to send the client to, or a stream to send it."""

    content_type: str
    url: str | None = None
    stream: BinaryIO | None = None


def _check_hash(sha256: str) -> None:
    if not _SHA256.match(sha256):
        raise ValidationFailed.single(
            "sha256", N_("Give the SHA-256 of the photo's bytes as 64 lower-case hex digits.")
        )


def _reportable_asset(asset_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    """The asset, if the actor may file field evidence on it: 404 unseen, 403 seen but not theirs."""
    report_scope = actor.require(P.FIELD_REPORT)
    asset = uow.assets.get(asset_id, actor.scope_for(P.ASSET_READ))
    if not report_scope.covers_project(asset.project_id, asset.project.region_id):
        raise Forbidden(N_("You may not file field evidence on this asset."))
    return asset


def upload_photo(
    sha256: str,
    asset_id: int,
    data: bytes,
    limits: PhotoLimits,
    storage: Storage,
    actor: Actor,
    uow: UnitOfWork,
) -> PhotoUpload:
    """Store a photo of an asset under the hash of its bytes; the same bytes again change nothing."""
    _check_hash(sha256)
    asset = _reportable_asset(asset_id, actor, uow)
    check_upload_size(data, limits.max_bytes)
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ValidationFailed.single("sha256", N_("The SHA-256 does not match the uploaded bytes."))
    existing = uow.photos.find_by_sha256(sha256)
    if existing is not None:
        return PhotoUpload(_visible(existing, actor, uow), created=False)
    image = process_photo(data, limits.max_bytes, limits.max_pixels)
    # Content-addressed keys: a retry or a racing upload of the same bytes writes the same objects.
    photo_key = content_key("photos", sha256, "jpg")
    thumbnail_key = content_key("thumbnails", sha256, "jpg")
    storage.put(photo_key, image.content, image.content_type)
    storage.put(thumbnail_key, image.thumbnail, image.content_type)
    photo = uow.photos.create(
        sha256=sha256,
        asset_id=asset.id,
        storage_key=photo_key,
        thumbnail_key=thumbnail_key,
        content_type=image.content_type,
        source_content_type=image.source_content_type,
        width=image.width,
        height=image.height,
        size_bytes=len(data),
        uploaded_by_id=actor.user_id,
    )
    try:
        uow.flush()
    except Conflict:
        # Another upload of the same bytes committed first; theirs is the photo.
        raced = uow.photos.find_by_sha256(sha256)
        if raced is None:
            raise
        return PhotoUpload(_visible(raced, actor, uow), created=False)
    audit.record(
        uow,
        actor,
        AuditAction.CREATE,
        "photo",
        photo.id,
        after=photo.audit_snapshot(),
        region_id=asset.project.region_id,
        project_id=asset.project_id,
    )
    uow.commit()
    return PhotoUpload(photo, created=True)


def _visible(photo: Any, actor: Actor, uow: UnitOfWork) -> Any:
    """An already stored photo, if the actor may see it; else a conflict that reveals nothing more."""
    try:
        return uow.photos.by_sha256(photo.sha256, actor.scope_for(P.ASSET_READ))
    except NotFound:
        raise Conflict(N_("This photo is already stored for another asset.")) from None


def get_photo(sha256: str, actor: Actor, uow: UnitOfWork) -> Any:
    """A photo's metadata, for those who may read its asset."""
    return uow.photos.by_sha256(sha256, actor.require(P.ASSET_READ))


def download_photo(
    sha256: str, thumbnail: bool, storage: Storage, actor: Actor, uow: UnitOfWork
) -> PhotoDownload:
    """Where to get a photo (or its thumbnail): a presigned URL, or a stream from local storage."""
    photo = get_photo(sha256, actor, uow)
    key = photo.thumbnail_key if thumbnail else photo.storage_key
    url = storage.url_for_get(key)
    if url is not None:
        return PhotoDownload(photo.content_type, url=url)
    try:
        return PhotoDownload(photo.content_type, stream=storage.open(key))
    except StoredObjectMissing:
        raise NotFound("Photo") from None


def photo_arrivals(cited: Collection[tuple[str, int]], uow: UnitOfWork) -> dict[tuple[str, int], datetime]:
    """When each cited photo (hash, asset id) arrived for its asset; one not in the answer is pending."""
    arrived = uow.photos.received_on({sha256 for sha256, _ in cited})
    return {key: arrived[key] for key in cited if key in arrived}


def pending_photos(cited: Collection[tuple[str, int]], uow: UnitOfWork) -> set[tuple[str, int]]:
    """Which cited photos (hash, asset id) have not arrived for their asset yet: that evidence shows as
    pending. A photo stored for another asset is no evidence here (nor a sign of what exists elsewhere)."""
    return set(cited) - uow.photos.stored_on({sha256 for sha256, _ in cited})


def _own_target(values: Mapping[str, Any], actor: Actor, uow: UnitOfWork) -> tuple[str, Any, Any]:
    """(audit entity, target, the row whose hashes change) — only the target's author may add photos."""
    scope = actor.require(P.ASSET_READ)
    if values["target_type"] == "status_request":
        request = uow.status_requests.get(values["target_id"], scope)
        if actor.user_id is None or request.applicant_id != actor.user_id:
            raise Forbidden(N_("Only the person who filed it may add photos to it."))
        return "status_change_request", request, request
    inspection = uow.inspections.get(values["target_id"], scope)
    if actor.user_id is None or inspection.inspector_id != actor.user_id:
        raise Forbidden(N_("Only the person who filed it may add photos to it."))
    answer = next((a for a in inspection.answers if a.item_key == values.get("item_key")), None)
    if answer is None:
        raise ValidationFailed.single(
            "item_key", N_("Name the answer of the inspection the photo belongs to.")
        )
    return "inspection", inspection, answer


def attach_photo(values: Mapping[str, Any], actor: Actor, uow: UnitOfWork) -> Any:
    """Add a photo (uploaded before or after) to a status request or an inspection answer one filed."""
    _check_hash(values["photo_hash"])
    entity, target, holder = _own_target(values, actor, uow)
    before = {"photo_hashes": list(holder.photo_hashes or [])}
    holder.photo_hashes = list(dict.fromkeys([*before["photo_hashes"], values["photo_hash"]]))
    uow.flush()
    audit.record(
        uow,
        actor,
        AuditAction.UPDATE,
        entity,
        target.id,
        before=before,
        after={"photo_hashes": holder.photo_hashes, "item_key": values.get("item_key")},
        project_id=target.project_id,
        region_id=target.asset.project.region_id,
    )
    uow.commit()
    return target
