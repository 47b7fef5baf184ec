"""Contract template payloads."""

from marshmallow import Schema, fields, validate

from backend.api.common import Flag, TimestampsSchema, code, decimal, sort_field, text
from backend.leasing.domain.leases import REQUIRABLE_FIELDS, ContractType
from backend.leasing.domain.schedule import PeriodAnchor, RoundingMode

CODE_TEXT = {"description": "A canonical code or any alias from the alias table."}


class TemplateSchema(TimestampsSchema):
    """Defaults and required fields for one type of contract."""

    id = fields.Integer(dump_only=True)
    code = code(32, required=True)
    name = text(200, required=True)
    contract_type = fields.Enum(ContractType, by_value=True, required=True)
    required_fields = fields.List(
        text(50),
        load_default=list,
        validate=validate.Length(max=len(REQUIRABLE_FIELDS)),
        metadata={"description": f"Any of: {', '.join(REQUIRABLE_FIELDS)}."},
    )
    frequency = text(50, required=True, metadata=CODE_TEXT)
    timing = text(50, required=True, metadata=CODE_TEXT)
    due_day = fields.Integer(strict=True, allow_none=True, validate=validate.Range(min=1, max=31))
    due_offset_days = fields.Integer(strict=True, load_default=0, validate=validate.Range(min=-90, max=90))
    business_day_rule = text(50, load_default="none", metadata=CODE_TEXT)
    anchor = fields.Enum(PeriodAnchor, by_value=True, load_default=PeriodAnchor.LEASE_START)
    prorate = Flag(load_default=True)
    rounding = fields.Enum(RoundingMode, by_value=True, load_default=RoundingMode.HALF_UP)
    deposit_months = decimal(2, 0, 24, load_default="0")
    notice_period_days = fields.Integer(strict=True, load_default=90, validate=validate.Range(min=0, max=730))
    reminder_days = fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=1, max=730)),
        load_default=list,
        validate=validate.Length(max=10),
        metadata={
            "description": "Deprecated and not used: reminders follow the template's reminder rules "
            "(/api/reminders/rules), which give each tier its days, recipients and channels.",
            "deprecated": True,
        },
    )
    billing_lead_days = fields.Integer(
        strict=True,
        load_default=15,
        validate=validate.Range(min=0, max=90),
        metadata={"description": "The billing run issues an item this many days before it falls due."},
    )
    is_active = Flag(load_default=True)


class TemplateQueryArgsSchema(Schema):
    """Filters for the template list."""

    q = text(100)
    contract_type = fields.Enum(ContractType, by_value=True)
    is_active = fields.Boolean()
    sort = sort_field("code", "name")
