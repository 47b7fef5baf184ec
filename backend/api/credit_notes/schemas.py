"""Credit note payloads."""

from marshmallow import Schema, fields

from backend.api.charges.schemas import money
from backend.api.common import ident, sort_field, text


class CreditNoteSchema(Schema):
    """A reduction of one charge (a correction, a goodwill gesture); write-offs come from amendments."""

    id = fields.Integer(dump_only=True)
    number = fields.String(dump_only=True)
    charge_id = ident(required=True, load_only=True)
    project_id = fields.Integer(dump_only=True)
    customer_id = fields.Integer(dump_only=True)
    lease_id = fields.Integer(dump_only=True, allow_none=True)
    issued_on = fields.Date(metadata={"description": "Default: today in the project's time zone."})
    amount = money(
        required=True,
        metadata={
            "description": "At most what is open of the charge: a credit never makes a charge negative."
        },
    )
    currency = fields.String(dump_only=True)
    reason = text(500, required=True)
    created_at = fields.AwareDateTime(dump_only=True)


class CreditNoteQueryArgsSchema(Schema):
    """Filters for the credit note list."""

    customer_id = ident(in_query=True)
    project_id = ident(in_query=True)
    lease_id = ident(in_query=True)
    sort = sort_field("issued_on", "number", "amount")
