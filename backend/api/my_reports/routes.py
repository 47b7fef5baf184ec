"""My reports: every field report of the signed-in user, from any of their devices, and what became of it."""

from typing import Any

from flask.views import MethodView
from flask_smorest import Blueprint

from backend.api.common import READ, errors, paginate
from backend.api.context import actor, now, uow
from backend.api.messages import CatalogueTranslator
from backend.api.my_reports.schemas import MyReportQueryArgsSchema, MyReportSchema
from sync import reports

blp = Blueprint(
    "my_reports",
    __name__,
    url_prefix="/api/field/my-reports",
    description="What became of your status reports, inspections and refused commands, on every device.",
)


@blp.route("")
class MyReportViews(MethodView):
    """Your reports."""

    @blp.arguments(MyReportQueryArgsSchema, location="query")
    @blp.response(200, MyReportSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ, 422)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """List your field reports, newest first: waiting, confirmed, rejected, refused…"""
        items, pagination_parameters.item_count = reports.my_reports(
            args.get("state"),
            pagination_parameters.page,
            pagination_parameters.page_size,
            actor(),
            uow(),
            now(),
            CatalogueTranslator(),
        )
        return items
