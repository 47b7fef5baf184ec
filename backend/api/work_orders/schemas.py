"""Work order payloads."""

from marshmallow import Schema, fields

from backend.api.common import TimestampsSchema, ident, sort_field, text
from backend.field.domain.requests import WorkOrderKind, WorkOrderState
from backend.org.domain.org import AssetStatus
from sync.commands import WorkOrderMoveArgsSchema


class WorkOrderSchema(TimestampsSchema):
    """Work on an asset, linked to a lease where it belongs to one."""

    id = fields.Integer(dump_only=True)
    kind = fields.Enum(WorkOrderKind, by_value=True, required=True)
    state = fields.Enum(WorkOrderState, by_value=True, dump_only=True)
    asset_id = ident(required=True)
    asset_code = fields.String(attribute="asset.code", dump_only=True)
    lease_id = ident(allow_none=True)
    project_id = fields.Integer(dump_only=True)
    title = text(200, required=True)
    note = text(4000, allow_none=True)
    assignee_id = ident(allow_none=True)
    opened_by_id = fields.Integer(dump_only=True, allow_none=True)
    blocks_letting = fields.Boolean(
        load_default=False, metadata={"description": "Repairs only: the asset goes into maintenance."}
    )
    status_before = fields.Enum(AssetStatus, by_value=True, dump_only=True, allow_none=True)
    meter_value = fields.Decimal(as_string=True, dump_only=True, allow_none=True)
    meter_unit = text(16, allow_none=True)
    started_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    closed_at = fields.AwareDateTime(dump_only=True, allow_none=True)


class WorkOrderUpdateSchema(Schema):
    """The details of a work order that may change."""

    title = text(200)
    note = text(4000, allow_none=True)
    assignee_id = ident(allow_none=True)
    meter_unit = text(16, allow_none=True)


class WorkOrderMoveSchema(WorkOrderMoveArgsSchema):
    """A note on the move; completing a meter reading gives the reading."""

    class Meta:
        exclude = ("work_order_id", "action")  # the path names the work order and the move


class WorkOrderQueryArgsSchema(Schema):
    """Filters for the work order list."""

    project_id = ident(in_query=True)
    asset_id = ident(in_query=True)
    lease_id = ident(in_query=True)
    assignee_id = ident(in_query=True)
    kind = fields.Enum(WorkOrderKind, by_value=True)
    state = fields.Enum(WorkOrderState, by_value=True)
    sort = sort_field("created_at", "state", "kind")
