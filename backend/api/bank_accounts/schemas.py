"""Bank account and statement profile payloads."""

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from backend.api.charges.schemas import money
from backend.api.common import Flag, code, ident, sort_field, text


class CompanyBankAccountSchema(Schema):
    """An account of ours that tenants pay into."""

    id = fields.Integer(dump_only=True)
    region_id = ident(allow_none=True, metadata={"description": "Or give project_id: its region is taken."})
    project_id = ident(allow_none=True)
    bank_name = text(100, required=True)
    account_number = text(64, required=True)
    account_name = text(200, required=True)
    currency = fields.String(validate=validate.OneOf(["CNY", "USD", "EUR", "HKD"]), load_default="CNY")
    profile_code = code(32, allow_none=True, metadata={"description": "Default statement profile."})
    is_active = Flag(load_default=True)
    last_closing_balance = money(dump_only=True, allow_none=True)
    last_statement_end = fields.Date(dump_only=True, allow_none=True)
    created_at = fields.AwareDateTime(dump_only=True)


class CompanyBankAccountChangesSchema(Schema):
    """What may change on an account; at least one field."""

    bank_name = text(100)
    account_number = text(64)
    account_name = text(200)
    currency = fields.String(validate=validate.OneOf(["CNY", "USD", "EUR", "HKD"]))
    profile_code = code(32, allow_none=True)
    is_active = Flag()

    @validates_schema(pass_original=True)
    def _changes_given(self, data: Any, original_data: Any, **kwargs: Any) -> None:
        if not original_data:
            raise ValidationError("Send at least one field to change.")


class CompanyBankAccountQueryArgsSchema(Schema):
    """Filters for the account list."""

    q = text(100)
    region_id = ident(in_query=True)
    project_id = ident(in_query=True)
    is_active = fields.Boolean()
    sort = sort_field("bank_name", "account_number")


def _texts() -> fields.List[str]:
    return fields.List(text(100), validate=validate.Length(max=60))


def _labelled() -> fields.Dict:
    return fields.Dict(keys=fields.String(validate=validate.Length(max=40)), values=_texts())


class BankProfileSchema(Schema):
    """A statement layout: which header texts name which fields, how amounts, dates and totals are written."""

    code = fields.String(dump_only=True)
    name = text(100, required=True)
    header_aliases = fields.Dict(
        keys=fields.String(validate=validate.Length(max=40)),
        values=_texts(),
        required=True,
        metadata={"description": 'Field → header texts, e.g. {"credit": ["贷方发生额"]}.'},
    )
    direction_credit_values = _texts()
    direction_debit_values = _texts()
    signed_amounts = Flag(metadata={"description": "Whether an amount column without a direction is signed."})
    date_formats = _texts()
    summary_markers = _texts()
    account_markers = _labelled()
    summary_labels = _labelled()
    builtin = fields.Boolean(dump_only=True)
    customised = fields.Boolean(dump_only=True)
