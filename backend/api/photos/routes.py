"""Photos: upload raw bytes keyed by their SHA-256, read metadata, download the photo or its thumbnail."""

from typing import Any

from flask import current_app, redirect, request, send_file
from flask.views import MethodView
from flask_smorest import Blueprint

from backend.adapters.storage import Storage
from backend.api.common import READ_ONE, errors
from backend.api.context import actor, uow
from backend.api.photos.schemas import PhotoSchema, PhotoUploadArgsSchema
from backend.field.services import photos

blp = Blueprint(
    "photos",
    __name__,
    url_prefix="/api/photos",
    description="Photo evidence, uploaded separately from the records that cite it.",
)

RAW_BODY = {
    "required": True,
    "description": "The photo's bytes (JPEG, PNG or WebP; recognised by content, not by Content-Type).",
    "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
}
IMAGE_RESPONSE = {"image/jpeg": {"schema": {"type": "string", "format": "binary"}}}


def _storage() -> Storage:
    storage: Storage = current_app.extensions["leasekeeper.storage"]
    return storage


def _limits() -> photos.PhotoLimits:
    config = current_app.config
    return photos.PhotoLimits(config["PHOTO_MAX_BYTES"], config["PHOTO_MAX_PIXELS"])


def _download(sha256: str, thumbnail: bool) -> Any:
    found = photos.download_photo(sha256, thumbnail, _storage(), actor(), uow())
    if found.url is not None:
        return redirect(found.url, code=302)
    assert found.stream is not None
    return send_file(found.stream, mimetype=found.content_type, max_age=0)


@blp.route("/<sha256>")
class PhotoViews(MethodView):
    """One photo, addressed by the SHA-256 of its uploaded bytes."""

    @blp.arguments(PhotoUploadArgsSchema, location="query")
    @blp.doc(requestBody=RAW_BODY)
    @blp.response(201, PhotoSchema, description="Stored")
    @blp.alt_response(
        200, schema=PhotoSchema, description="Already stored: the same bytes were uploaded before"
    )
    @errors(blp, 400, 401, 403, 404, 409, 413, 415, 422)
    def put(self, args: dict[str, Any], sha256: str) -> Any:
        """Upload a photo of an asset (idempotent)"""
        # Read one byte past the limit, enough to know the body is too large without reading it all.
        data = request.stream.read(current_app.config["PHOTO_MAX_BYTES"] + 1)
        upload = photos.upload_photo(sha256, args["asset_id"], data, _limits(), _storage(), actor(), uow())
        return upload.photo, 201 if upload.created else 200

    @blp.response(200, PhotoSchema)
    @errors(blp, *READ_ONE)
    def get(self, sha256: str) -> Any:
        """Read a photo's metadata"""
        return photos.get_photo(sha256, actor(), uow())


@blp.route("/<sha256>/content")
class PhotoContentViews(MethodView):
    """The stored photo itself."""

    @blp.doc(responses={"200": {"description": "The photo (JPEG)", "content": IMAGE_RESPONSE}})
    @blp.alt_response(302, description="Redirect to a short-lived presigned URL of the object store")
    @errors(blp, *READ_ONE)
    def get(self, sha256: str) -> Any:
        """Download a photo"""
        return _download(sha256, thumbnail=False)


@blp.route("/<sha256>/thumbnail")
class PhotoThumbnailViews(MethodView):
    """The photo's thumbnail (at most 320 px on its longer side)."""

    @blp.doc(responses={"200": {"description": "The thumbnail (JPEG)", "content": IMAGE_RESPONSE}})
    @blp.alt_response(302, description="Redirect to a short-lived presigned URL of the object store")
    @errors(blp, *READ_ONE)
    def get(self, sha256: str) -> Any:
        """Download a photo's thumbnail"""
        return _download(sha256, thumbnail=True)
