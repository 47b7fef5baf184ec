"""Photo payloads."""

from marshmallow import Schema, fields

from backend.api.common import ident


class PhotoSchema(Schema):
    """A stored photo: re-encoded as JPEG without EXIF, with a thumbnail."""

    sha256 = fields.String(dump_only=True, metadata={"description": "SHA-256 of the uploaded bytes."})
    asset_id = fields.Integer(dump_only=True)
    content_type = fields.String(dump_only=True, metadata={"description": "Of the stored photo."})
    source_content_type = fields.String(dump_only=True, metadata={"description": "Of the upload."})
    width = fields.Integer(dump_only=True)
    height = fields.Integer(dump_only=True)
    size_bytes = fields.Integer(dump_only=True, metadata={"description": "Size of the upload."})
    uploaded_by_id = fields.Integer(dump_only=True, allow_none=True)
    created_at = fields.AwareDateTime(dump_only=True)
    content_url = fields.Function(lambda photo: f"/api/photos/{photo.sha256}/content", dump_only=True)
    thumbnail_url = fields.Function(lambda photo: f"/api/photos/{photo.sha256}/thumbnail", dump_only=True)


class PhotoUploadArgsSchema(Schema):
    """Which asset the photo is evidence for."""

    asset_id = ident(in_query=True, required=True)
