"""Receivables report payloads."""

from marshmallow import Schema, ValidationError, fields, validates_schema

from backend.api.charges.schemas import money
from backend.api.common import ident


def _buckets() -> fields.Dict:
    return fields.Dict(
        keys=fields.String(),
        values=money(),
        metadata={"description": "Open amount per bucket: current, 1-15, 16-30, 31-60, 61-90, 90+ days."},
    )


class AgingQueryArgsSchema(Schema):
    """Which open amounts to age."""

    as_of = fields.Date(metadata={"description": "Default: today (Asia/Shanghai)."})
    project_id = ident(in_query=True)
    customer_id = ident(in_query=True)


class AgingRowSchema(Schema):
    """One customer's open amounts by bucket."""

    customer_id = fields.Integer()
    customer_name = fields.String(allow_none=True)
    currency = fields.String()
    buckets = _buckets()
    total = money()
    overdue = money()


class AgingTotalSchema(Schema):
    """Open amounts by bucket over all customers, per currency."""

    currency = fields.String()
    buckets = _buckets()
    total = money()


class AgingSchema(Schema):
    """Aging on a day, in the dunning tiers' buckets."""

    as_of = fields.Date()
    buckets = fields.List(fields.String())
    rows = fields.List(fields.Nested(AgingRowSchema))
    totals = fields.List(fields.Nested(AgingTotalSchema))


class StatementQueryArgsSchema(Schema):
    """The period of a statement of account."""

    start = fields.Date(required=True)
    end = fields.Date(required=True)

    @validates_schema
    def _ordered(self, data: dict[str, object], **kwargs: object) -> None:
        if data["start"] > data["end"]:  # type: ignore[operator]
            raise ValidationError("The start lies after the end.", "start")


class StatementLineSchema(Schema):
    """A document on the account with the balance after it."""

    on = fields.Date(attribute="entry.on")
    kind = fields.String(attribute="entry.kind")
    reference = fields.String(attribute="entry.reference")
    description = fields.String(attribute="entry.description")
    document_id = fields.Integer(attribute="entry.document_id")
    debit = money()
    credit = money()
    balance = money()


class StatementOfAccountSchema(Schema):
    """What the customer owed at the start, each document, what they owe at the end."""

    opening = money()
    lines = fields.List(fields.Nested(StatementLineSchema))
    closing = money()


class BillingRunRequestSchema(Schema):
    """Which project to bill now."""

    project_id = ident(required=True)


class BillingRunSchema(Schema):
    """What a billing run issued."""

    project_id = fields.Integer()
    billed_on = fields.Date()
    charges = fields.Integer()
    amount = money()
    free_periods = fields.Integer()
    credit_notes = fields.Integer()
    deposits_requested = fields.Integer()
    numbers = fields.List(fields.String())
    run_id = fields.Integer(allow_none=True)
