"""Imports: lease files previewed row by row, or committed all-or-nothing."""

from typing import Any, ClassVar

import flask
import marshmallow as ma
from flask.views import MethodView
from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict

from backend.adapters import spreadsheets
from backend.api.common import errors
from backend.api.context import actor, now, uow
from backend.api.imports.schemas import LeaseImportFormSchema, LeaseImportReportSchema
from backend.leasing.services import lease_import


class _MultipartParser(FlaskParser):
    """Reads a multipart body's form fields and files together, as one set of arguments."""

    __location_map__ = {**FlaskParser.__location_map__, "multipart": "load_multipart"}

    def load_multipart(self, req: flask.Request, schema: ma.Schema) -> Any:
        """Form values and files of the request."""
        return self._makeproxy(CombinedMultiDict([req.form, req.files]), schema)


class _UploadBlueprint(Blueprint):  # type: ignore[misc]
    """A blueprint whose `multipart` arguments are documented as one multipart/form-data body."""

    ARGUMENTS_PARSER = _MultipartParser()
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING: ClassVar[dict[str, str]] = {
        **Blueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "multipart": "multipart/form-data",
    }


blp = _UploadBlueprint(
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
