"""QR labels: a project's label sheet as PDF, one asset's label as PNG or SVG."""

import io
from typing import Any

from flask import Response
from flask.views import MethodView
from flask_smorest import Blueprint

from backend.api.common import errors
from backend.api.context import actor, label_settings, uow
from backend.api.labels.schemas import AssetLabelQueryArgsSchema, LabelSheetSchema
from backend.field.services import labels

blp = Blueprint(
    "labels", __name__, url_prefix="/api", description="QR labels for assets, to print and stick on."
)

BINARY = {"type": "string", "format": "binary"}
IMAGE_TYPES = {"png": "image/png", "svg": "image/svg+xml"}


def _settings() -> labels.LabelSettings:
    return label_settings()


@blp.route("/projects/<id:project_id>/labels")
class ProjectLabelViews(MethodView):
    """A project's label sheet."""

    @blp.arguments(LabelSheetSchema, required=False)
    @blp.response(
        200, BINARY, content_type="application/pdf", description="The label sheet, one PDF page per sheet."
    )
    @errors(blp, 400, 401, 403, 404, 422)
    def post(self, args: dict[str, Any], project_id: int) -> Response:
        """Print the label sheet of a project's assets (PDF)

        A POST: printing labels is recorded in the audit log (who printed which project's labels, when).
        """
        buffer = io.BytesIO()
        labels.print_sheet(
            project_id, [s.value for s in args["status"]], args["layout"], _settings(), actor(), uow(), buffer
        )
        filename = f"labels-{project_id}-{args['layout']}.pdf"
        return Response(
            buffer.getvalue(),
            mimetype="application/pdf",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )


@blp.route("/assets/<id:asset_id>/label")
class AssetLabelViews(MethodView):
    """One asset's label."""

    @blp.arguments(AssetLabelQueryArgsSchema, location="query")
    @blp.response(200, BINARY, content_type="image/png", description="The label, 50 × 30 mm.")
    @blp.doc(responses={"200": {"content": {media: {"schema": BINARY} for media in IMAGE_TYPES.values()}}})
    @errors(blp, 401, 403, 404, 422)
    def get(self, args: dict[str, Any], asset_id: int) -> Response:
        """Download one asset's label (PNG or SVG)"""
        body = labels.asset_label(asset_id, args["format"], _settings(), actor(), uow())
        return Response(body, mimetype=IMAGE_TYPES[args["format"]])
