"""Label download arguments."""

from marshmallow import Schema, fields, validate

from backend.org.domain.org import AssetStatus
from qr_tools.sheets import LAYOUTS


class LabelSheetSchema(Schema):
    """Which sticker layout, and which assets of the project (by status; all when omitted)."""

    layout = fields.String(
        load_default="a4-3x8",
        validate=validate.OneOf(list(LAYOUTS)),
        metadata={
            "description": "; ".join(f"{name}: {layout.description}" for name, layout in LAYOUTS.items())
        },
    )
    status = fields.List(
        fields.Enum(AssetStatus, by_value=True),
        load_default=list,
        metadata={"description": "Only assets in these statuses."},
    )


class AssetLabelQueryArgsSchema(Schema):
    """The image format of a single 50 × 30 mm label."""

    format = fields.String(
        load_default="png",
        validate=validate.OneOf(["png", "svg"]),
        metadata={"description": "png (300 dpi) or svg."},
    )
