"""What became of the signed-in user's field reports."""

from marshmallow import Schema, fields, validate

from sync.reports import STATES


class MyReportSchema(Schema):
    """One report: a status change request, an inspection, or a command the server refused."""

    kind = fields.String(
        metadata={
            "description": "`status_request`, `inspection` or `refused` (a command the server refused)."
        }
    )
    id = fields.Integer(metadata={"description": "The request's, inspection's or refusal's id."})
    state = fields.String(metadata={"description": "One of: " + ", ".join(STATES) + "."})
    summary = fields.String(metadata={"description": "One line in the reader's language."})
    submitted_at = fields.AwareDateTime(metadata={"description": "When the server received (or refused) it."})
    captured_at = fields.AwareDateTime(allow_none=True, metadata={"description": "When the phone made it."})
    op_id = fields.String(allow_none=True, metadata={"description": "The refused command's operation id."})
    asset_id = fields.Integer(allow_none=True)
    asset_code = fields.String(allow_none=True)
    project_id = fields.Integer(allow_none=True)
    from_status = fields.String(allow_none=True)
    to_status = fields.String(allow_none=True)
    reason = fields.String(allow_none=True, metadata={"description": "The reporter's reason."})
    note = fields.String(allow_none=True)
    decision_note = fields.String(allow_none=True, metadata={"description": "Why it was rejected."})
    decided_by_name = fields.String(allow_none=True)
    decided_at = fields.AwareDateTime(allow_none=True)
    checklist_id = fields.Integer(allow_none=True)
    message = fields.String(allow_none=True, metadata={"description": "Why the server refused it."})
    fields_ = fields.Dict(
        data_key="fields",
        attribute="fields",
        keys=fields.String(),
        values=fields.List(fields.String()),
        allow_none=True,
        metadata={"description": "A refusal's messages by field."},
    )


class MyReportQueryArgsSchema(Schema):
    """Filters for my reports."""

    state = fields.String(validate=validate.OneOf(STATES))
