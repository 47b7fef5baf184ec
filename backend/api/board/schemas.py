"""Asset board payloads."""

from marshmallow import Schema, fields, validate

from backend.api.common import ident, sort_field, text
from backend.api.inspections.schemas import InspectionSchema
from backend.api.status_requests.schemas import StatusRequestSchema
from backend.core.domain.audit import AuditAction, Origin
from backend.field.domain.inspections import InspectionResult
from backend.org.domain.org import AssetStatus, AssetType

OPEN_REQUEST_DOC = {"description": "The asset's open status-change request with its evidence; null if none."}


class ProjectBoardSchema(Schema):
    """How many of a project's assets hold each status."""

    project_id = fields.Integer(attribute="project.id")
    project_code = fields.String(attribute="project.code")
    project_name = fields.String(attribute="project.name")
    counts = fields.Dict(
        keys=fields.String(),
        values=fields.Integer(),
        metadata={"description": "By status; every status is listed, zeros included."},
    )
    total = fields.Integer()


class CurrentLeaseSchema(Schema):
    """The binding lease an asset is let under (null for callers who may not read leases)."""

    lease_id = fields.Integer()
    number = fields.String()
    customer_name = fields.String(allow_none=True)
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)


class LastInspectionSchema(Schema):
    """When the asset was last inspected and how it went."""

    id = fields.Integer()
    captured_at = fields.AwareDateTime()
    submitted_at = fields.AwareDateTime()
    result = fields.Enum(InspectionResult, by_value=True)


class BoardAssetSchema(Schema):
    """An asset on the board."""

    id = fields.Integer(attribute="asset.id")
    code = fields.String(attribute="asset.code")
    name = fields.String(attribute="asset.name", allow_none=True)
    project_id = fields.Integer(attribute="asset.project_id")
    asset_type = fields.Enum(AssetType, by_value=True, attribute="asset.asset_type")
    floor = fields.String(attribute="asset.floor", allow_none=True)
    status = fields.Enum(AssetStatus, by_value=True, attribute="asset.status")
    status_version = fields.Integer(attribute="asset.status_version")
    lease = fields.Nested(CurrentLeaseSchema, allow_none=True)
    last_inspection = fields.Nested(LastInspectionSchema, allow_none=True)
    open_request = fields.Nested(StatusRequestSchema, allow_none=True, metadata=OPEN_REQUEST_DOC)


class BoardQueryArgsSchema(Schema):
    """Filters for the board's asset list."""

    project_id = ident(in_query=True)
    status = fields.List(fields.Enum(AssetStatus, by_value=True), metadata={"description": "One or more."})
    q = text(100, metadata={"description": "Search in code, name and serial number."})
    asset_type = fields.Enum(AssetType, by_value=True)
    floor = text(16)
    sort = sort_field("code", "name", "status", "floor", "asset_type", "updated_at")


class HistoryEntrySchema(Schema):
    """One change of the asset, from the audit log."""

    occurred_at = fields.AwareDateTime()
    actor_name = fields.String()
    origin = fields.Enum(Origin, by_value=True)
    action = fields.Enum(AuditAction, by_value=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)


class AssetCardArgsSchema(Schema):
    """Which page of the asset's history to include."""

    history_page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    history_page_size = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class AssetCardSchema(Schema):
    """An asset's card: status, lease, latest inspections, open request, and a page of its history."""

    id = fields.Integer(attribute="asset.id")
    code = fields.String(attribute="asset.code")
    name = fields.String(attribute="asset.name", allow_none=True)
    project_id = fields.Integer(attribute="asset.project_id")
    project_code = fields.String(attribute="asset.project.code")
    asset_type = fields.Enum(AssetType, by_value=True, attribute="asset.asset_type")
    floor = fields.String(attribute="asset.floor", allow_none=True)
    status = fields.Enum(AssetStatus, by_value=True, attribute="asset.status")
    status_version = fields.Integer(attribute="asset.status_version")
    allowed_statuses = fields.List(
        fields.Enum(AssetStatus, by_value=True),
        metadata={"description": "Where the asset state machine lets the status go next."},
    )
    lease = fields.Nested(CurrentLeaseSchema, allow_none=True)
    inspections = fields.List(fields.Nested(InspectionSchema), metadata={"description": "Newest first."})
    open_request = fields.Nested(StatusRequestSchema, allow_none=True, metadata=OPEN_REQUEST_DOC)
    history = fields.List(fields.Nested(HistoryEntrySchema), metadata={"description": "Newest first."})
    history_total = fields.Integer()
    history_page = fields.Integer()
    history_page_size = fields.Integer()
