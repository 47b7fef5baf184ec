"""Imports: lease files previewed row by row, or committed all-or-nothing."""

from typing import Any

from flask.views import MethodView

from backend.adapters import spreadsheets
from backend.api.common import UploadBlueprint, errors
from backend.api.context import actor, now, uow
from backend.api.imports.schemas import LeaseImportFormSchema, LeaseImportReportSchema
from backend.leasing.services import lease_import

blp = UploadBlueprint(
    "imports", __name__, url_prefix="/api/imports", description="Imports of existing data from spreadsheets."
)


@blp.route("/leases")
class LeaseImportViews(MethodView):
    """Lease files (.xlsx, .csv)."""

    @blp.arguments(LeaseImportFormSchema, location="multipart")
    @blp.response(200, LeaseImportReportSchema, description="Preview: nothing was written.")
    @blp.alt_response(201, schema=LeaseImportReportSchema, description="Committed: every lease was created.")
    @errors(blp, 400, 401, 403, 413, 415, 422)
    def post(self, form: dict[str, Any]) -> Any:
        """Check a lease file row by row, or import it all-or-nothing with commit=true"""
        upload = form["file"]
        try:
            data = upload.stream.read(spreadsheets.MAX_BYTES + 1)
        finally:
            upload.close()
        if form["commit"]:
            return lease_import.commit(data, upload.filename or "", actor(), uow(), now()), 201
        return lease_import.preview(data, upload.filename or "", actor(), uow(), now())
