"""Charge payloads."""

from marshmallow import Schema, fields, validate

from backend.api.common import decimal, ident, sort_field, text
from backend.receivables.domain.ledger import AllocationSource, ChargeKind, ChargeState


def money(**kwargs: object) -> fields.Decimal:
    """An amount of money as a string with two decimals ("12000.00")."""
    return decimal(2, 0, 10**11, **kwargs)


class AllocationSchema(Schema):
    """Part of a payment or credit note settling part of a charge."""

    id = fields.Integer(dump_only=True)
    charge_id = fields.Integer(dump_only=True)
    payment_id = fields.Integer(dump_only=True, allow_none=True)
    credit_note_id = fields.Integer(dump_only=True, allow_none=True)
    amount = money(dump_only=True)
    source = fields.Enum(AllocationSource, by_value=True, dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True)


class ChargeSchema(Schema):
    """A bill: what a customer owes for a lease, charge type and period, or a one-off."""

    id = fields.Integer(dump_only=True)
    number = fields.String(dump_only=True, metadata={"description": "Per project and month, gapless."})
    project_id = ident(required=True)
    customer_id = ident(required=True)
    lease_id = ident(allow_none=True)
    kind = fields.Enum(
        ChargeKind,
        by_value=True,
        load_default=ChargeKind.ONE_OFF,
        metadata={"description": "By hand: one_off, adjustment or other; the rest come from schedules."},
    )
    description = text(300, required=True)
    period_start = fields.Date(dump_only=True, allow_none=True)
    period_end = fields.Date(dump_only=True, allow_none=True)
    issued_on = fields.Date(metadata={"description": "Default: today in the project's time zone."})
    due_date = fields.Date(required=True)
    gross = money(dump_only=True)
    concessions = money(dump_only=True)
    amount = money(required=True)
    currency = fields.String(validate=validate.OneOf(["CNY"]), load_default="CNY")
    open_amount = money(dump_only=True)
    state = fields.Enum(ChargeState, by_value=True, dump_only=True)
    created_at = fields.AwareDateTime(dump_only=True)


class ChargeDetailSchema(ChargeSchema):
    """A charge with the schedule items it bills and what settles it."""

    schedule_item_ids = fields.List(fields.Integer(), dump_only=True)
    allocations = fields.List(fields.Nested(AllocationSchema), dump_only=True)


class ChargeQueryArgsSchema(Schema):
    """Filters for the charge list."""

    q = text(100, metadata={"description": "Search in number and description."})
    project_id = ident(in_query=True)
    customer_id = ident(in_query=True)
    lease_id = ident(in_query=True)
    kind = fields.List(fields.Enum(ChargeKind, by_value=True))
    due_from = fields.Date()
    due_to = fields.Date()
    open = fields.Boolean(load_default=False, metadata={"description": "Only charges not fully settled."})
    sort = sort_field("number", "due_date", "issued_on", "amount")
