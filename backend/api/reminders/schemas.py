"""Reminder payloads: rules and tiers, tasks, the "why not?" of a lease, critical dates, calendar feeds."""

from typing import Any

from flask_babel import gettext
from marshmallow import Schema, fields, validate

from backend.api.collections.schemas import RenewalAdviceSchema
from backend.api.common import ident, sort_field, text
from backend.core.domain.errors import N_
from backend.reminders.domain.dates import MANUAL_KINDS, REMINDED_KINDS, DateKind
from backend.reminders.domain.rules import (
    CHANNELS,
    MAX_DAYS_BEFORE,
    MAX_TIERS,
    RECIPIENTS,
    TaskKind,
    TaskState,
)
from backend.reminders.services.explain import EXPLAINED_KINDS

DATE_KINDS = [k.value for k in REMINDED_KINDS]
# Keys of a reason's template and of a message among its values (names, kept out of the catalogue).
TEMPLATE, MESSAGE = "template", "message"


class PersonSchema(Schema):
    """A user named."""

    id = fields.Integer()
    name = fields.String()


class TierSchema(Schema):
    """One tier of a rule: how many days before the date, to whom, on which channels."""

    tier = fields.Integer(dump_only=True, metadata={"description": "1 for the earliest reminder."})
    days_before = fields.Integer(
        required=True, strict=True, validate=validate.Range(min=0, max=MAX_DAYS_BEFORE)
    )
    roles = fields.List(
        fields.String(validate=validate.OneOf(RECIPIENTS)),
        required=True,
        validate=validate.Length(min=1, max=len(RECIPIENTS)),
        metadata={
            "description": "account_manager is the lease's own; the others are roles over its project."
        },
    )
    channels = fields.List(
        fields.String(validate=validate.OneOf(CHANNELS)),
        load_default=list,
        validate=validate.Length(max=len(CHANNELS)),
        metadata={"description": "Beyond the in-app inbox, which every reminder reaches."},
    )
    ack_required = fields.Boolean(load_default=False)


class RuleSetSchema(Schema):
    """A template's tiers for one date kind."""

    template_id = fields.Integer()
    date_kind = fields.String(validate=validate.OneOf(DATE_KINDS))
    is_default = fields.Boolean(metadata={"description": "The template keeps the default tiers."})
    tiers = fields.Method("_tiers")

    def _tiers(self, rule: Any) -> list[dict[str, Any]]:
        return [
            {
                "tier": t.number,
                "days_before": t.days_before,
                "roles": list(t.roles),
                "channels": list(t.channels),
                "ack_required": t.ack_required,
            }
            for t in rule.tiers
        ]


class RuleQueryArgsSchema(Schema):
    """Whose rules."""

    template_id = ident(in_query=True, required=True)


class RuleBodySchema(Schema):
    """A date kind's new tiers (numbered by the server from the earliest)."""

    tiers = fields.List(
        fields.Nested(TierSchema), required=True, validate=validate.Length(min=1, max=MAX_TIERS)
    )


class TaskSchema(Schema):
    """A reminder's task: what it is about, whose it is, where it stands."""

    id = fields.Function(lambda v: v.task.id)
    kind = fields.Function(lambda v: v.task.kind.value, metadata={"enum": [k.value for k in TaskKind]})
    lease_id = fields.Function(lambda v: v.task.lease_id)
    lease_number = fields.String()
    project_id = fields.Function(lambda v: v.task.project_id)
    project_name = fields.String()
    customer_name = fields.String(allow_none=True)
    date_kind = fields.Function(lambda v: v.task.date_kind.value)
    critical_date = fields.Function(lambda v: v.task.critical_date.isoformat())
    tier = fields.Function(lambda v: v.task.tier)
    tier_count = fields.Function(lambda v: v.task.tier_count)
    fire_on = fields.Function(lambda v: v.task.fire_on.isoformat())
    sent_at = fields.Function(lambda v: v.task.sent_at.isoformat())
    late = fields.Function(
        lambda v: v.task.late, metadata={"description": "Sent after its day (a missed run)."}
    )
    due_on = fields.Function(lambda v: v.task.due_on.isoformat())
    overdue = fields.Boolean()
    state = fields.Function(lambda v: v.task.state.value, metadata={"enum": [s.value for s in TaskState]})
    ack_required = fields.Function(lambda v: v.task.ack_required)
    assignee = fields.Nested(PersonSchema)
    recipient = fields.Nested(PersonSchema)
    acknowledged_at = fields.Function(
        lambda v: v.task.acknowledged_at.isoformat() if v.task.acknowledged_at else None
    )
    acknowledged_by = fields.Nested(PersonSchema, allow_none=True)
    note = fields.Function(lambda v: v.task.note)
    escalated_at = fields.Function(lambda v: v.task.escalated_at.isoformat() if v.task.escalated_at else None)
    renewal_advice = fields.Nested(
        RenewalAdviceSchema,
        allow_none=True,
        metadata={
            "description": "On one task of a lease's end or renewal notice (not in lists): retain, "
            "follow up as usual, or prepare to release, with the reasons."
        },
    )
    renewal_lease_id = fields.Function(lambda v: v.task.renewal_lease_id)
    renewal_lease_number = fields.String(allow_none=True)


class TaskQueryArgsSchema(Schema):
    """Which tasks."""

    mine = fields.Boolean(load_default=True, metadata={"description": "Only your own (default)."})
    state = fields.List(fields.String(validate=validate.OneOf([s.value for s in TaskState])))
    lease_id = ident(in_query=True)
    project_id = ident(in_query=True)
    date_kind = fields.List(fields.String(validate=validate.OneOf(DATE_KINDS)))
    overdue = fields.Boolean(metadata={"description": "Only open tasks past their due day."})
    sort = sort_field("due_on", "critical_date", "sent_at", "id")


class TaskCountSchema(Schema):
    """Your open tasks."""

    open = fields.Integer()
    overdue = fields.Integer()


class AcknowledgeSchema(Schema):
    """Acknowledging a task."""

    note = fields.String(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=2000),
        metadata={"description": "What was done or decided; required when the tier asks for it."},
    )


class ReassignSchema(Schema):
    """Handing a task to someone else."""

    assignee_id = ident(required=True)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=2000))


class ReasonSchema(Schema):
    """Why a tier is not (or not fully) sent, in your language."""

    code = fields.String()
    message = fields.Method("_message")

    def _message(self, reason: dict[str, Any]) -> str:
        template = str(gettext(reason[TEMPLATE]))
        params = {name: _text(value) for name, value in reason["params"].items()}
        return template % params if params else template


def _text(value: Any) -> Any:
    """A reason's value as text: a message translated, a list of them joined the language's way."""
    if isinstance(value, dict):
        return gettext(value[MESSAGE])
    if isinstance(value, list):
        return gettext(LIST_SEPARATOR).join(str(_text(item)) for item in value)
    return value


LIST_SEPARATOR = N_(", ")


class ExplainedDeliverySchema(Schema):
    """One channel's delivery of a reminder."""

    channel = fields.String()
    state = fields.String()
    error = fields.String(allow_none=True)


class ExplainedRecipientSchema(Schema):
    """Who got a tier, and what became of it."""

    user = fields.Nested(PersonSchema)
    assignee = fields.Nested(PersonSchema)
    task_id = fields.Integer()
    task_state = fields.String()
    sent_at = fields.AwareDateTime()
    late = fields.Boolean()
    deliveries = fields.List(fields.Nested(ExplainedDeliverySchema))


class ExplainedTierSchema(Schema):
    """One tier of one date: its day, its state, its recipients, the reasons."""

    tier = fields.Integer()
    tier_count = fields.Integer()
    days_before = fields.Integer()
    nominal_on = fields.Date(metadata={"description": "The day the rule names."})
    fire_on = fields.Date(
        metadata={"description": "Rolled back to a business day of the project's calendar."}
    )
    rolled = fields.Boolean()
    roles = fields.List(fields.String())
    channels = fields.List(fields.String())
    ack_required = fields.Boolean()
    state = fields.String(
        metadata={"description": "scheduled, sent, sent_late, skipped, or missed (its date passed first)."}
    )
    reasons = fields.List(fields.Nested(ReasonSchema))
    recipients = fields.List(fields.Nested(ExplainedRecipientSchema))


class ExplainedDateSchema(Schema):
    """One critical date and its tiers."""

    date_kind = fields.String(metadata={"enum": list(EXPLAINED_KINDS)})
    date = fields.Date()
    source = fields.String(metadata={"description": "derived (from the terms) or manual."})
    label = fields.String(allow_none=True)
    rules = fields.String(metadata={"description": "template (its own tiers) or default."})
    tiers = fields.List(fields.Nested(ExplainedTierSchema))


class ExplainedTagSchema(Schema):
    """A tag of the lease, who set it and whether it carries authority."""

    tag = fields.String()
    source = fields.String(metadata={"description": "manual, amendment, import or unknown."})
    set_by = fields.Nested(PersonSchema, allow_none=True)
    set_at = fields.AwareDateTime(allow_none=True)
    state = fields.String(metadata={"description": "authorised or flagged (waiting for review)."})
    confirmed_by = fields.Nested(PersonSchema, allow_none=True)
    confirmed_at = fields.AwareDateTime(allow_none=True)
    stops_renewal = fields.Boolean(metadata={"description": "A 'no renewal' tag."})
    silences = fields.Boolean(metadata={"description": "It does stop the renewal reminders."})


class ExplainedLeaseSchema(Schema):
    """The lease explained."""

    id = fields.Integer()
    number = fields.String()
    status = fields.String()
    project_id = fields.Integer()
    project_name = fields.String()
    ends_on = fields.Date(allow_none=True)
    auto_renew = fields.Boolean()
    template_id = fields.Integer()
    template_name = fields.String()


class ExplanationSchema(Schema):
    """Why a lease's reminders did or did not go."""

    lease = fields.Nested(ExplainedLeaseSchema)
    today = fields.Date(metadata={"description": "The project's business day."})
    tags = fields.List(fields.Nested(ExplainedTagSchema))
    dates = fields.List(fields.Nested(ExplainedDateSchema))
    warnings = fields.List(fields.Nested(ReasonSchema))


class ExplainQueryArgsSchema(Schema):
    """Which date kind (default: all)."""

    date_kind = fields.String(validate=validate.OneOf(list(EXPLAINED_KINDS)))


class TagReviewSchema(Schema):
    """Confirming a lease's tag."""

    tag = text(50, required=True)


class CriticalDateSchema(Schema):
    """A critical date of a lease."""

    id = fields.Function(
        lambda d: d.date.manual_id, metadata={"description": "Only for a date entered by hand."}
    )
    lease_id = fields.Function(lambda d: d.date.lease_id)
    lease_number = fields.String()
    project_id = fields.Integer()
    project_name = fields.String()
    date_kind = fields.Function(lambda d: d.date.kind.value, metadata={"enum": [k.value for k in DateKind]})
    date = fields.Function(lambda d: d.date.on.isoformat())
    label = fields.Function(lambda d: d.date.label)
    source = fields.Function(lambda d: d.date.source.value)


class CriticalDateQueryArgsSchema(Schema):
    """Which dates (default: the next 90 days)."""

    lease_id = ident(in_query=True)
    date_kind = fields.String(validate=validate.OneOf([k.value for k in DateKind]))
    from_ = fields.Date(data_key="from")
    to = fields.Date()


class CriticalDateBodySchema(Schema):
    """A date entered for a lease."""

    lease_id = ident(required=True)
    date_kind = fields.String(required=True, validate=validate.OneOf([k.value for k in MANUAL_KINDS]))
    date = fields.Date(required=True)
    label = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))


class FeedSchema(Schema):
    """Your calendar feed."""

    active = fields.Boolean()
    created_at = fields.AwareDateTime(allow_none=True)
    url = fields.String(
        allow_none=True,
        metadata={"description": "Shown once, when made; keep it private (it needs no session)."},
    )


class RunSchema(Schema):
    """One engine run."""

    id = fields.Integer()
    project_id = fields.Integer(allow_none=True)
    project_name = fields.String(allow_none=True)
    status = fields.String()
    reason = fields.String(allow_none=True)
    started_at = fields.AwareDateTime()
    finished_at = fields.AwareDateTime(allow_none=True)
    details = fields.Dict(
        metadata={
            "description": "today, projects, leases, due, sent, late, skipped (by reason), escalated, "
            "reassigned, cancelled, auto_renewals, errors [{lease, message}]."
        }
    )


class RunQueryArgsSchema(Schema):
    """Which runs."""

    project_id = ident(in_query=True)
