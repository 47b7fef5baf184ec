"""Approval payloads."""

from marshmallow import Schema, fields

from backend.api.common import ident, sort_field, text
from backend.core.domain.approvals import ApprovalKind, ApprovalStatus


class ApprovalSchema(Schema):
    """A change waiting for, or decided by, a second person."""

    id = fields.Integer()
    kind = fields.Enum(ApprovalKind, by_value=True)
    subject_type = fields.String()
    subject_id = fields.Integer()
    summary = fields.String()
    project_id = fields.Integer()
    status = fields.Enum(
        ApprovalStatus,
        by_value=True,
        attribute="status_now",
        metadata={"description": "As of the response: a pending approval whose time ran out reads expired."},
    )
    requested_by_id = fields.Integer(allow_none=True)
    requested_at = fields.AwareDateTime()
    reason = fields.String(allow_none=True)
    details = fields.Dict(
        allow_none=True,
        metadata={
            "description": "What to weigh: for a lease amendment its effect on the schedule, period by "
            "period (before, after, difference; billed periods with the credit or debit that settles them)."
        },
    )
    expires_at = fields.AwareDateTime(allow_none=True)
    decided_by_id = fields.Integer(allow_none=True)
    decided_at = fields.AwareDateTime(allow_none=True)
    decision_note = fields.String(allow_none=True)


class ApprovalQueryArgsSchema(Schema):
    """Filters for the approval list."""

    status = fields.List(fields.Enum(ApprovalStatus, by_value=True))
    kind = fields.Enum(ApprovalKind, by_value=True)
    project_id = ident(in_query=True)
    requested_by_id = ident(in_query=True)
    sort = sort_field("requested_at", "status")


class DecisionSchema(Schema):
    """A note with the decision; required when rejecting."""

    note = text(2000, allow_none=True)
