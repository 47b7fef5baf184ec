"""Import payloads: the uploaded file, and the row-by-row report."""

from typing import Any

from flask_smorest.fields import Upload
from marshmallow import Schema, ValidationError, fields, validates

from backend.adapters.spreadsheets import ACCEPTED_TYPES, MAX_BYTES, MAX_ROWS
from backend.api.messages import translate
from backend.leasing.domain.lease_import import ImportState
from backend.leasing.services.lease_import_jobs import SYNC_MAX_ROWS


class LeaseImportFormSchema(Schema):
    """A multipart form: the file, and whether to commit it or only preview it."""

    file = Upload(
        required=True,
        metadata={
            "description": f"{' or '.join(ACCEPTED_TYPES)}, at most {MAX_BYTES // 1024 // 1024} MB "
            f"and {MAX_ROWS} rows; the column layout is in docs/lease-import.md."
        },
    )
    commit = fields.Boolean(
        load_default=False,
        metadata={"description": "false: check and report only; true: create every lease, or none."},
    )
    background = fields.Boolean(
        load_default=False,
        metadata={
            "description": f"true: run it in the worker and answer 202 with the import to follow; files of "
            f"more than {SYNC_MAX_ROWS} rows always run there."
        },
    )

    @validates("file")
    def _is_a_file(self, value: Any, **kwargs: Any) -> None:
        if not hasattr(value, "stream"):
            raise ValidationError("Send the file as a file part of the multipart form.")


class ImportProblemSchema(Schema):
    """One problem: the row as Excel numbers it (the header is row 1), the column as headed, the reason."""

    row = fields.Integer()
    column = fields.String()
    message = fields.Function(lambda problem: translate(problem.message))


class ImportedLeaseSchema(Schema):
    """A lease the file creates (or would create)."""

    row = fields.Integer()
    number = fields.String()
    project = fields.String()
    customer = fields.String()
    assets = fields.List(fields.String())
    status = fields.String(metadata={"description": "draft or signed"})
    starts_on = fields.Date()
    ends_on = fields.Date()
    monthly_rent = fields.Decimal(as_string=True, metadata={"type": "string", "format": "decimal"})
    schedule_items = fields.Integer(
        metadata={"description": "Schedule items generated (or planned, for drafts)."}
    )
    lease_id = fields.Integer(allow_none=True, metadata={"description": "Set once committed."})


class LeaseImportReportSchema(Schema):
    """What the file holds: rows read, problems, leases created or to be created."""

    filename = fields.String()
    rows = fields.Integer(metadata={"description": "Data rows read (blank rows are skipped)."})
    committed = fields.Boolean()
    job_run_id = fields.Integer(allow_none=True)
    problems = fields.List(fields.Nested(ImportProblemSchema))
    leases = fields.List(fields.Nested(ImportedLeaseSchema))
    created_ids = fields.List(fields.Integer())


class LeaseImportJobSchema(Schema):
    """A lease file imported in the worker: where it stands, how far it got, and its report once done."""

    id = fields.Integer()
    filename = fields.String()
    commit = fields.Boolean(metadata={"description": "Whether the leases are created, or only checked."})
    state = fields.Enum(
        ImportState,
        by_value=True,
        metadata={"description": "queued → checking → (committing →) succeeded, or failed."},
    )
    phase = fields.String(
        allow_none=True, metadata={"description": "checking, staging or moving while it runs."}
    )
    processed = fields.Integer(metadata={"description": "Rows done in the current phase."})
    total = fields.Integer(metadata={"description": "Data rows of the file."})
    reason = fields.String(allow_none=True, metadata={"description": "Why it failed."})
    job_run_id = fields.Integer(allow_none=True)
    created_at = fields.AwareDateTime()
    started_at = fields.AwareDateTime(allow_none=True)
    finished_at = fields.AwareDateTime(allow_none=True)
    report = fields.Nested(
        LeaseImportReportSchema, allow_none=True, metadata={"description": "Once it succeeded or failed."}
    )
