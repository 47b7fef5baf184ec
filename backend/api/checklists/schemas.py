"""Checklist payloads."""

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from backend.api.common import Flag, TimestampsSchema, code, decimal, sort_field, text
from backend.core.domain.errors import N_
from backend.field.domain.inspections import ItemKind
from backend.org.domain.org import AssetType

READING_LIMIT = 10**12 - 1


class ChecklistItemSchema(Schema):
    """One item: a key the answers refer to, labels in Chinese and English, the kind of answer."""

    position = fields.Integer(dump_only=True)
    key = fields.String(
        required=True,
        validate=validate.Regexp(
            r"^[a-z][a-z0-9_]{0,63}$",
            error=N_("Use lower-case letters, digits and '_', starting with a letter."),
        ),
        metadata={"description": "Answers name the item by this key, e.g. fire_extinguisher."},
    )
    label_zh = text(200, required=True)
    label_en = text(200, required=True)
    kind = fields.Enum(ItemKind, by_value=True, required=True)
    required = Flag(load_default=True)
    number_min = decimal(4, -READING_LIMIT, READING_LIMIT, allow_none=True)
    number_max = decimal(4, -READING_LIMIT, READING_LIMIT, allow_none=True)
    number_unit = text(16, allow_none=True, metadata={"description": "e.g. h, km, bar."})


class ChecklistSchema(TimestampsSchema):
    """One version of a checklist for an asset type."""

    id = fields.Integer(dump_only=True)
    code = code(32, required=True, metadata={"description": "Shared by every version of the checklist."})
    version = fields.Integer(dump_only=True)
    name = text(200, required=True, metadata={"description": "The title in Chinese."})
    name_en = text(200, allow_none=True, metadata={"description": "The title in English (else `name`)."})
    asset_type = fields.Enum(AssetType, by_value=True, required=True)
    active = Flag(
        load_default=True,
        metadata={"description": "The active checklist is the one filled in for assets of its type."},
    )
    items = fields.List(
        fields.Nested(ChecklistItemSchema), required=True, validate=validate.Length(min=1, max=100)
    )


class ChecklistChangeSchema(Schema):
    """A change: the name, the items, or whether the version is active.

    A version already used by an inspection is not edited: a new version with the change replaces it.
    """

    name = text(200)
    name_en = text(200, allow_none=True)
    active = Flag()
    items = fields.List(fields.Nested(ChecklistItemSchema), validate=validate.Length(min=1, max=100))

    @validates_schema(pass_original=True)
    def _changes_given(self, data: Any, original_data: Any, **kwargs: Any) -> None:
        if not original_data:
            raise ValidationError(N_("Send at least one field to change."))


class ChecklistQueryArgsSchema(Schema):
    """Filters for the checklist list."""

    code = code(32)
    asset_type = fields.Enum(AssetType, by_value=True)
    active = fields.Boolean()
    sort = sort_field("code", "version", "asset_type")
