"""Customer payloads."""

from marshmallow import Schema, fields, validate

from backend.api.common import Flag, TimestampsSchema, code, ident, sort_field, text
from backend.org.domain.org import CustomerKind, CustomerTier


class ContactSchema(Schema):
    """A person to talk to at the customer."""

    name = text(100, required=True)
    title = text(100, allow_none=True)
    phone = text(32, allow_none=True)
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    is_primary = Flag(load_default=False)


class BankAccountSchema(Schema):
    """An account the customer pays from (used by bank reconciliation)."""

    bank_name = text(100, required=True)
    account_number = text(64, required=True)
    account_name = text(200, required=True)


class PayerNameSchema(Schema):
    """A name payments arrive under."""

    name = text(200, required=True)


class CustomerSchema(TimestampsSchema):
    """A tenant: a company or a person, managed by one region."""

    id = fields.Integer(dump_only=True)
    region_id = ident(required=True)
    code = code(32, required=True)
    kind = fields.Enum(CustomerKind, by_value=True, required=True)
    name = text(200, required=True)
    tier = fields.Enum(CustomerTier, by_value=True, load_default=CustomerTier.STANDARD)
    registration_number = text(
        64, allow_none=True, metadata={"description": "Unified social credit code or ID number."}
    )
    email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    phone = text(32, allow_none=True)
    address = text(300, allow_none=True)
    notes = text(2000, min_length=0, allow_none=True)
    locale = fields.String(
        validate=validate.OneOf(["zh_CN", "en"]),
        load_default="zh_CN",
        metadata={"description": "The language of the customer's messages (reminders of overdue rent)."},
    )
    contacts = fields.List(fields.Nested(ContactSchema), validate=validate.Length(max=50))
    bank_accounts = fields.List(fields.Nested(BankAccountSchema), validate=validate.Length(max=50))
    payer_names = fields.Pluck(PayerNameSchema, "name", many=True, validate=validate.Length(max=50))


class CustomerQueryArgsSchema(Schema):
    """Filters for the customer list."""

    q = text(100, metadata={"description": "Search in code, name and registration number."})
    region_id = ident(in_query=True)
    kind = fields.Enum(CustomerKind, by_value=True)
    tier = fields.Enum(CustomerTier, by_value=True)
    payer = text(200, metadata={"description": "Exact payer name or bank account number."})
    sort = sort_field("code", "name", "tier", "created_at")
