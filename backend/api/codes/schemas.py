"""Alias and price index payloads."""

from marshmallow import Schema, fields, validate

from backend.api.common import TimestampsSchema, decimal, sort_field, text


class CodeAliasSchema(TimestampsSchema):
    """Free text that means a canonical code, e.g. 两月一次 → bimonthly."""

    id = fields.Integer(dump_only=True)
    domain = fields.String(
        required=True,
        validate=validate.OneOf(["frequency", "timing", "business_day_rule", "charge_type"]),
    )
    alias = text(100, required=True)
    canonical = text(32, required=True)


class BuiltinAliasSchema(Schema):
    """An alias shipped with the product."""

    domain = fields.String()
    alias = fields.String()
    canonical = fields.String()


class CodeAliasQueryArgsSchema(Schema):
    """Filters for the alias list."""

    domain = fields.String(
        validate=validate.OneOf(["frequency", "timing", "business_day_rule", "charge_type"])
    )
    q = text(100)
    sort = sort_field("domain", "alias")


class IndexValueSchema(Schema):
    """One month of a price index series."""

    series = fields.String(dump_only=True)
    month = fields.Date(required=True, metadata={"description": "First day of the month."})
    value = decimal(4, 0, 100_000, required=True)


class IndexValuesSchema(Schema):
    """Months to store or correct."""

    values = fields.List(
        fields.Nested(IndexValueSchema), required=True, validate=validate.Length(min=1, max=600)
    )


class IndexQueryArgsSchema(Schema):
    """Which series to list."""

    series = text(32)
