"""Imports: lease files previewed row by row, or committed all-or-nothing; large ones in the worker."""

from typing import Any

from flask import jsonify, url_for
from flask.views import MethodView

from backend.adapters import spreadsheets
from backend.api.common import READ_ONE, UploadBlueprint, errors
from backend.api.context import actor, now, uow
from backend.api.imports.schemas import LeaseImportFormSchema, LeaseImportJobSchema, LeaseImportReportSchema
from backend.leasing.services import lease_import_jobs
from backend.leasing.services.lease_import import ImportReport

blp = UploadBlueprint(
    "imports", __name__, url_prefix="/api/imports", description="Imports of existing data from spreadsheets."
)


@blp.route("/leases")
class LeaseImportViews(MethodView):
    """Lease files (.xlsx, .csv)."""

    @blp.arguments(LeaseImportFormSchema, location="multipart")
    @blp.response(200, LeaseImportReportSchema, description="Preview: nothing was written.")
    @blp.alt_response(201, schema=LeaseImportReportSchema, description="Committed: every lease was created.")
    @blp.alt_response(
        202,
        schema=LeaseImportJobSchema,
        description="Queued for the worker (background=true, or a large file): follow it at its status.",
    )
    @errors(blp, 400, 401, 403, 413, 415, 422)
    def post(self, form: dict[str, Any]) -> Any:
        """Check a lease file row by row, or import it all-or-nothing with commit=true"""
        upload = form["file"]
        try:
            data = upload.stream.read(spreadsheets.MAX_BYTES + 1)
        finally:
            upload.close()
        answer = lease_import_jobs.submit(
            data, upload.filename or "", form["commit"], form["background"], actor(), uow(), now()
        )
        if not isinstance(answer, ImportReport):  # queued: answered in its own schema
            queued = LeaseImportJobSchema().dump(lease_import_jobs.status(answer.id, actor(), uow()))
            location = url_for("imports.LeaseImportByIdViews", import_id=answer.id)
            return jsonify(queued), 202, {"Location": location}
        return answer, 201 if answer.committed else 200


@blp.route("/leases/<id:import_id>")
class LeaseImportByIdViews(MethodView):
    """One lease import run in the worker."""

    @blp.response(200, LeaseImportJobSchema)
    @errors(blp, *READ_ONE)
    def get(self, import_id: int) -> Any:
        """Read a lease import: its state, rows processed of the total, and its report once done"""
        return lease_import_jobs.status(import_id, actor(), uow())
