"""Bank line and reconciliation payloads."""

from typing import Any

from marshmallow import Schema, fields, validate

from backend.api.charges.schemas import ChargeSchema, money
from backend.api.common import ident, sort_field, text
from backend.api.messages import translate
from backend.api.payments.schemas import AllocationRequestSchema
from backend.banking.domain.lines import LineState
from backend.core.domain.errors import Message


def _explained(template: str | None, params: dict[str, Any] | None) -> str | None:
    if template is None:
        return None
    return translate(Message(template, **(params or {})))


class MatchSuggestionSchema(Schema):
    """A candidate the rules found but did not trust enough to apply."""

    customer_id = fields.Integer()
    charge_ids = fields.List(fields.Integer())
    score = fields.Float()
    reason = fields.Function(lambda s: _explained(s.get("reason"), s.get("params")))


class ReconciliationDecisionSchema(Schema):
    """The latest decision about a line: outcome, rule, score, explanation."""

    outcome = fields.String(metadata={"description": "matched, suggested or unmatched"})
    rule = fields.String(
        allow_none=True,
        metadata={
            "description": "Who it is for: bill_reference, lease_reference, virtual_account, "
            "payer_account, payer_name, payer_alias, fuzzy; manual for a person's match."
        },
    )
    fit = fields.String(
        allow_none=True, metadata={"description": "How it was spread: same_amount, combined or partial."}
    )
    score = fields.Decimal(as_string=True, allow_none=True, metadata={"type": "string", "format": "decimal"})
    explanation = fields.Function(lambda d: _explained(d.explanation, d.params))
    customer_id = fields.Integer(allow_none=True)
    fee = money()
    suggestions = fields.List(fields.Nested(MatchSuggestionSchema))
    run_id = fields.Integer(allow_none=True)
    decided_at = fields.AwareDateTime()
    decided_by_id = fields.Integer(allow_none=True)


class BankLineSchema(Schema):
    """A statement line and what became of it."""

    id = fields.Integer()
    statement_id = fields.Integer()
    bank_account_id = fields.Integer()
    line_no = fields.Integer()
    booked_on = fields.Date()
    value_on = fields.Date(allow_none=True)
    amount = money()
    currency = fields.String()
    counterparty_name = fields.String(allow_none=True)
    counterparty_account = fields.String(allow_none=True)
    counterparty_bank = fields.String(allow_none=True)
    memo = fields.String(allow_none=True)
    bank_reference = fields.String(allow_none=True)
    balance_after = money(allow_none=True)
    state = fields.Enum(LineState, by_value=True)
    note = fields.String(allow_none=True)
    decision = fields.Nested(ReconciliationDecisionSchema, allow_none=True)


class BankLineDetailSchema(BankLineSchema):
    """A line with its payment and the open charges of the suggested customers."""

    payment_id = fields.Function(lambda line: line.payment.id if line.payment else None)
    candidates = fields.List(fields.Nested(ChargeSchema))


class BankLineQueryArgsSchema(Schema):
    """Filters for the line list; by default the difference list."""

    q = text(100, metadata={"description": "Search in payer, memo and bank reference."})
    bank_account_id = ident(in_query=True)
    statement_id = ident(in_query=True)
    state = fields.List(
        fields.Enum(LineState, by_value=True),
        load_default=lambda: [LineState.UNMATCHED],
        metadata={"description": "Default: unmatched (the difference list)."},
    )
    outcome = fields.List(fields.String(validate=validate.OneOf(["matched", "suggested", "unmatched"])))
    booked_from = fields.Date()
    booked_to = fields.Date()
    sort = sort_field("booked_on", "amount", "line_no")


class MatchSchema(Schema):
    """A person's match: the customer, the charges settled, a fee, and whether to learn the payer."""

    customer_id = ident(required=True)
    allocations = fields.List(
        fields.Nested(AllocationRequestSchema),
        validate=validate.Length(max=200),
        metadata={"description": "Charges to settle; left out: the customer's oldest open charges."},
    )
    fee = money(load_default=None, allow_none=True)
    deposit_id = ident(
        allow_none=True,
        metadata={"description": "Record the line as money received for this deposit (no charges, no fee)."},
    )
    learn = fields.String(
        allow_none=True,
        validate=validate.OneOf(["account", "name"]),
        metadata={"description": "account: register the payer account; name: register the payer name."},
    )


class IgnoreSchema(Schema):
    """Why a line is set aside."""

    reason = text(500, required=True)


class ReconciliationRunRequestSchema(Schema):
    """What to reconcile now."""

    bank_account_id = ident(allow_none=True, metadata={"description": "Left out: every account you work on."})


class ReconciliationRunSchema(Schema):
    """What a run decided."""

    lines = fields.Integer()
    matched = fields.Integer()
    suggested = fields.Integer()
    unmatched = fields.Integer()
    amount_matched = money()
    fees = money()
    by_rule = fields.Dict(keys=fields.String(), values=fields.Integer())
    run_id = fields.Integer(allow_none=True)
