"""Bank statement payloads."""

from typing import Any

from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, validates

from backend.adapters.statements import ACCEPTED_TYPES, MAX_BYTES
from backend.api.charges.schemas import money
from backend.api.common import code, ident, sort_field
from backend.api.messages import translate

PREVIEW_LINES = 1000


class StatementFormSchema(Schema):
    """A multipart form: the account, the file, the profile (optional) and whether to commit."""

    bank_account_id = fields.Integer(required=True, validate=lambda v: v > 0)
    file = Upload(
        required=True,
        metadata={
            "description": f"{', '.join(ACCEPTED_TYPES)}, at most {MAX_BYTES // 1024 // 1024} MB: a bank's "
            "CSV or XLSX export (GBK, GB18030 or UTF-8), MT940, or ISO 20022 camt.053."
        },
    )
    profile_code = code(
        32, metadata={"description": "Left out: the account's default, else the header decides."}
    )
    commit = fields.Boolean(
        load_default=False,
        metadata={"description": "false: check and preview; true: import every line or none."},
    )

    @validates("file")
    def _is_a_file(self, value: Any, **kwargs: Any) -> None:
        if not hasattr(value, "stream"):
            raise ValidationError("Send the file as a file part of the multipart form.")


class StatementLinePreviewSchema(Schema):
    """One line as read from the file."""

    line_no = fields.Integer()
    booked_on = fields.Date()
    value_on = fields.Date(allow_none=True)
    amount = money(metadata={"description": "Positive: money in; negative: money out."})
    currency = fields.String()
    counterparty_name = fields.String(allow_none=True)
    counterparty_account = fields.String(allow_none=True)
    counterparty_bank = fields.String(allow_none=True)
    memo = fields.String(allow_none=True)
    bank_reference = fields.String(allow_none=True)
    balance_after = money(allow_none=True)


def _lines(result: Any) -> list[Any]:
    return list(result.statement.lines[:PREVIEW_LINES])


class StatementImportSchema(Schema):
    """What the file holds (a preview), or what was imported."""

    statement_id = fields.Integer(allow_none=True, metadata={"description": "Set once imported."})
    bank_account_id = fields.Integer()
    filename = fields.String()
    format = fields.String(attribute="statement.format")
    profile_code = fields.String(attribute="statement.profile", allow_none=True)
    account_number = fields.String(attribute="statement.account_number", allow_none=True)
    period_start = fields.Date(attribute="statement.period_start", allow_none=True)
    period_end = fields.Date(attribute="statement.period_end", allow_none=True)
    opening_balance = money(attribute="statement.opening_balance", allow_none=True)
    closing_balance = money(attribute="statement.closing_balance", allow_none=True)
    previous_closing = money(
        attribute="previous_closing",
        allow_none=True,
        metadata={"description": "The closing balance of the statement this one continues."},
    )
    total_credits = money(attribute="statement.total_credits")
    total_debits = money(attribute="statement.total_debits")
    line_count = fields.Function(lambda result: len(result.statement.lines))
    warnings = fields.Function(
        lambda result: [translate(warning) for warning in result.warnings],
        metadata={"description": "Lines that look repeated within the file (imported all the same)."},
    )
    lines = fields.Function(
        lambda result: StatementLinePreviewSchema(many=True).dump(_lines(result)),
        metadata={"description": f"The first {PREVIEW_LINES} lines."},
    )


class BankStatementSchema(Schema):
    """An imported statement."""

    id = fields.Integer()
    bank_account_id = fields.Integer()
    filename = fields.String()
    format = fields.String()
    profile_code = fields.String(allow_none=True)
    period_start = fields.Date(allow_none=True)
    period_end = fields.Date(allow_none=True)
    opening_balance = money(allow_none=True)
    closing_balance = money(allow_none=True)
    line_count = fields.Integer()
    total_credits = money()
    total_debits = money()
    imported_at = fields.AwareDateTime()


class BankStatementQueryArgsSchema(Schema):
    """Filters for the statement list."""

    bank_account_id = ident(in_query=True)
    sort = sort_field("imported_at", "period_end")
