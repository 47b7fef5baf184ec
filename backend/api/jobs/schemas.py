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
    job = fields.String(allow_none=True, metadata={"description": "The scheduled job, for its runs."})
    slot_at = fields.AwareDateTime(allow_none=True, metadata={"description": "When the run was due."})
    attempt = fields.Integer(allow_none=True)
    worker = fields.String(allow_none=True)


class ScheduledJobSchema(Schema):
    """A scheduled job: when it runs, how its slots stand, its latest slot."""

    name = fields.String()
    description = fields.String()
    cron = fields.String()
    timezone = fields.String(metadata={"description": "'project' when it runs in each project's time zone."})
    next_at = fields.AwareDateTime(allow_none=True)
    slots = fields.Dict(keys=fields.String(), values=fields.Integer())
    latest_slot_at = fields.AwareDateTime(allow_none=True)
    latest_state = fields.String(allow_none=True)
    latest_run_id = fields.Integer(allow_none=True)
    latest_error = fields.String(allow_none=True)


class JobRunQueryArgsSchema(Schema):
    """Filters for the job run list."""

    kind = fields.Enum(JobKind, by_value=True)
    status = fields.List(fields.Enum(JobStatus, by_value=True))
    subject_id = ident(in_query=True)
    project_id = ident(in_query=True)
    sort = sort_field("started_at", "finished_at")
