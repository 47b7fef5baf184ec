"""Job run payloads."""

from marshmallow import Schema, fields

from backend.api.common import ident, sort_field
from backend.core.domain.jobs import JobKind, JobStatus


class JobRunSchema(Schema):
    """A recorded generation, check or import and how it ended."""

    id = fields.Integer()
    kind = fields.Enum(JobKind, by_value=True)
    status = fields.Enum(JobStatus, by_value=True)
    subject_type = fields.String(allow_none=True)
    subject_id = fields.Integer(allow_none=True)
    project_id = fields.Integer(allow_none=True)
    reason = fields.String(allow_none=True)
    details = fields.Dict()
    requested_by_id = fields.Integer(allow_none=True)
    retry_of_id = fields.Integer(allow_none=True)
    started_at = fields.AwareDateTime()
    finished_at = fields.AwareDateTime(allow_none=True)


class JobRunQueryArgsSchema(Schema):
    """Filters for the job run list."""

    kind = fields.Enum(JobKind, by_value=True)
    status = fields.List(fields.Enum(JobStatus, by_value=True))
    subject_id = ident(in_query=True)
    project_id = ident(in_query=True)
    sort = sort_field("started_at", "finished_at")
