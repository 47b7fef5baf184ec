"""Collections payloads: the workbench's standings, notices, promises, grace periods, disputes, cases, tasks,
policies, runs, and a customer's credit profile and a lease's health."""

from typing import Any

from flask_babel import gettext
from marshmallow import Schema, fields, validate

from backend.api.charges.schemas import money
from backend.api.common import ChangesSchema, decimal, ident, sort_field, text
from backend.collections.domain.pauses import DisputeState, GraceState, PromiseState
from backend.collections.domain.plan import Step
from backend.collections.domain.templates import LANGUAGES, PLACEHOLDERS
from backend.collections.domain.tiers import TIER_NAMES, DunningTier
from backend.collections.services.policies import CUSTOMER_CHANNELS
from backend.collections.services.workbench import CASE_OUTCOMES
from backend.org.domain.org import CustomerTier

ACTIONS = ["nothing", "cleared", "held", "paused", "notice", "task", "case"]
TIERS = [tier.code for tier in DunningTier]


def _message(template: str, params: Any) -> str:
    text_ = str(gettext(template))
    try:
        return text_ % dict(params or {}) if params else text_
    except (KeyError, ValueError, TypeError):
        return text_


class TierField(fields.Field[int]):
    """A tier stored as its number, read and written as its code (none, friendly, formal, legal)."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else DunningTier(int(value)).code

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if value not in TIERS:
            raise self.make_error("invalid")
        return int(DunningTier.of(value))

    default_error_messages = {"invalid": "Must be one of: " + ", ".join(TIERS) + "."}


class DunningStandingSchema(Schema):
    """Where a customer stands in a project's dunning after the latest run."""

    id = fields.Integer()
    project_id = fields.Integer()
    customer_id = fields.Integer()
    customer_name = fields.Function(lambda row: row.customer.name)
    customer_tier = fields.Function(lambda row: row.customer.tier.value)
    tier = TierField(metadata={"description": "none, friendly, formal or legal."})
    tier_name = fields.Function(lambda row: gettext(TIER_NAMES[DunningTier(row.tier)]))
    tier_since = fields.Date(allow_none=True)
    oldest_days = fields.Integer()
    overdue = fields.Dict(
        keys=fields.String(), values=fields.String(), metadata={"description": "By currency."}
    )
    last_notice_on = fields.Date(allow_none=True)
    last_run_on = fields.Date(allow_none=True)
    last_action = fields.String(
        allow_none=True, metadata={"description": "One of " + ", ".join(ACTIONS) + "."}
    )
    last_reason = fields.String(allow_none=True)


class DunningStandingQueryArgsSchema(Schema):
    """Filters for the workbench."""

    project_id = ident(in_query=True)
    customer_id = ident(in_query=True)
    tier = fields.List(TierField(), metadata={"description": "Repeat for several tiers."})
    last_action = fields.List(fields.String(validate=validate.OneOf(ACTIONS)))
    sort = sort_field("tier", "oldest_days", "last_run_on")


class OverdueBillSchema(Schema):
    """An overdue bill a notice was about."""

    charge_id = fields.Integer()
    number = fields.String()
    lease_id = fields.Integer(allow_none=True)
    due_date = fields.String()
    open = fields.String()
    currency = fields.String()


class DunningNoticeSchema(Schema):
    """What one run did for one customer: the tier, the bills, the message and where it went."""

    id = fields.Integer()
    run_id = fields.Integer(allow_none=True)
    project_id = fields.Integer()
    customer_id = fields.Integer()
    run_on = fields.Date()
    action = fields.String(metadata={"description": "One of " + ", ".join(ACTIONS) + "."})
    reason = fields.String()
    tier = TierField()
    previous_tier = TierField()
    step = fields.String(allow_none=True, metadata={"description": "first or follow_up."})
    bills = fields.List(fields.Nested(OverdueBillSchema))
    totals = fields.Dict(keys=fields.String(), values=fields.String())
    oldest_days = fields.Integer()
    locale = fields.String(allow_none=True)
    subject = fields.String(allow_none=True)
    body = fields.String(allow_none=True)
    channels = fields.List(fields.String())
    targets = fields.List(fields.String())
    held_by_lines = fields.List(fields.Integer(), metadata={"description": "Bank lines waiting unmatched."})
    created_at = fields.AwareDateTime()


class DunningNoticeQueryArgsSchema(Schema):
    """Filters for the notices."""

    project_id = ident(in_query=True)
    customer_id = ident(in_query=True)
    action = fields.List(fields.String(validate=validate.OneOf(ACTIONS)))
    run_from = fields.Date()
    run_to = fields.Date()
    sort = sort_field("run_on")


class PaymentPromiseSchema(Schema):
    """A customer's promise to pay an amount by a day."""

    id = fields.Integer(dump_only=True)
    project_id = ident(required=True)
    customer_id = ident(required=True)
    promised_on = fields.Date(required=True)
    amount = decimal(2, 0, 1_000_000_000, required=True)
    currency = fields.String(dump_only=True)
    made_on = fields.Date(dump_only=True)
    note = text(2000, allow_none=True)
    state = fields.Enum(PromiseState, by_value=True, dump_only=True)
    settled_on = fields.Date(dump_only=True, allow_none=True)
    paid = money(dump_only=True)
    created_by_id = fields.Integer(dump_only=True, allow_none=True)


class PauseQueryArgsSchema(Schema):
    """Filters for promises, grace periods and disputes."""

    project_id = ident(in_query=True)
    customer_id = ident(in_query=True)
    state = fields.List(fields.String(), metadata={"description": "Repeat for several states."})


class GracePeriodSchema(Schema):
    """Days without dunning, asked for on a customer's behalf; they start once a second person approves."""

    id = fields.Integer(dump_only=True)
    project_id = ident(required=True)
    customer_id = ident(required=True)
    days = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=30))
    reason = text(2000, required=True)
    state = fields.Enum(GraceState, by_value=True, dump_only=True)
    starts_on = fields.Date(dump_only=True, allow_none=True)
    ends_on = fields.Date(dump_only=True, allow_none=True)
    requested_at = fields.AwareDateTime(dump_only=True)
    requested_by_id = fields.Integer(dump_only=True, allow_none=True)
    decided_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    decided_by_id = fields.Integer(dump_only=True, allow_none=True)
    decision_note = fields.String(dump_only=True, allow_none=True)


class DisputeSchema(Schema):
    """A customer's objection to some of their bills."""

    id = fields.Integer(dump_only=True)
    project_id = ident(required=True)
    customer_id = ident(required=True)
    charge_ids = fields.List(ident(), required=True, validate=validate.Length(min=1, max=100))
    reason = text(2000, required=True)
    opened_on = fields.Date(dump_only=True)
    state = fields.Enum(DisputeState, by_value=True, dump_only=True)
    resolved_on = fields.Date(dump_only=True, allow_none=True)
    resolution = fields.String(dump_only=True, allow_none=True)


class DisputeResolutionSchema(Schema):
    """How a dispute ended."""

    resolution = text(2000, required=True)


class CaseDocumentSchema(Schema):
    """A document of a case: what it is and where it is kept."""

    title = text(200, required=True)
    reference = text(300, required=True, metadata={"description": "A file number, a link, a shelf."})
    added_on = fields.String(dump_only=True)


class CollectionCaseSchema(Schema):
    """A customer handed over to legal."""

    id = fields.Integer()
    project_id = fields.Integer()
    customer_id = fields.Integer()
    customer_name = fields.Function(lambda row: row.customer.name)
    state = fields.String(metadata={"description": "open or closed."})
    opened_on = fields.Date()
    owner_id = fields.Integer(allow_none=True)
    amount = money()
    currency = fields.String()
    bills = fields.List(fields.Nested(OverdueBillSchema))
    documents = fields.List(fields.Nested(CaseDocumentSchema))
    next_step = fields.String(allow_none=True)
    next_step_on = fields.Date(allow_none=True)
    outcome = fields.String(allow_none=True)
    outcome_note = fields.String(allow_none=True)
    closed_on = fields.Date(allow_none=True)


class CollectionCaseQueryArgsSchema(Schema):
    """Filters for cases."""

    project_id = ident(in_query=True)
    customer_id = ident(in_query=True)
    owner_id = ident(in_query=True)
    state = fields.List(fields.String(validate=validate.OneOf(["open", "closed"])))
    sort = sort_field("opened_on")


class CollectionCaseChangeSchema(ChangesSchema):
    """What a case's owner records: who owns it, the next step, documents, and at the end its outcome."""

    owner_id = ident(allow_none=True)
    next_step = text(500, allow_none=True)
    next_step_on = fields.Date(allow_none=True)
    add_documents = fields.List(fields.Nested(CaseDocumentSchema), validate=validate.Length(max=20))
    outcome = fields.String(validate=validate.OneOf(CASE_OUTCOMES), allow_none=True)
    outcome_note = text(2000, allow_none=True)


class CollectionTaskSchema(Schema):
    """A key account's overdue bills for their account manager to raise personally."""

    id = fields.Integer()
    notice_id = fields.Integer()
    project_id = fields.Integer()
    customer_id = fields.Integer()
    assignee_id = fields.Integer(allow_none=True)
    tier = TierField()
    due_on = fields.Date()
    state = fields.String(metadata={"description": "open or done."})
    done_at = fields.AwareDateTime(allow_none=True)
    note = fields.String(allow_none=True)


class CollectionTaskQueryArgsSchema(Schema):
    """Filters for tasks."""

    project_id = ident(in_query=True)
    assignee_id = ident(in_query=True)
    state = fields.List(fields.String(validate=validate.OneOf(["open", "done"])))
    sort = sort_field("due_on")


class CollectionTaskDoneSchema(Schema):
    """What the account manager told the customer."""

    note = text(2000, required=True)


class DunningTemplateSchema(Schema):
    """One message template: subject and body with ${placeholders}."""

    subject = text(300, required=True)
    body = text(4000, required=True)


class DunningPolicySchema(ChangesSchema):
    """How a project chases one tier of customers."""

    customer_tier = fields.Enum(CustomerTier, by_value=True, dump_only=True)
    enabled = fields.Boolean()
    formal_from = fields.Integer(
        strict=True, metadata={"description": "Overdue day that starts the formal tier."}
    )
    legal_from = fields.Integer(
        strict=True, metadata={"description": "Overdue day of the hand-over to legal."}
    )
    lock_from = fields.Integer(strict=True, metadata={"description": "Overdue day equipment is locked."})
    repeat_days = fields.Integer(strict=True, metadata={"description": "Days before a tier's follow-up."})
    tolerance_days = fields.Integer(
        strict=True, metadata={"description": "Days before a bill counts overdue."}
    )
    pay_within_hours = fields.Integer(strict=True)
    channels = fields.List(fields.String(validate=validate.OneOf(CUSTOMER_CHANNELS)))
    templates = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(DunningTemplateSchema, allow_none=True),
        metadata={
            "description": "By <tier>.<step>.<language> (tiers friendly/formal/legal, steps "
            + "/".join(s.value for s in Step)
            + ", languages "
            + "/".join(LANGUAGES)
            + "); null goes back to the built-in one. Placeholders: "
            + ", ".join(f"${{{name}}}" for name in PLACEHOLDERS)
            + "."
        },
    )
    stored = fields.Boolean(dump_only=True, metadata={"description": "False: the defaults, never changed."})


class DunningReportSchema(Schema):
    """What one dunning run did in one project."""

    project_id = fields.Integer()
    run_on = fields.Date()
    customers = fields.Integer()
    by_action = fields.Dict(keys=fields.String(), values=fields.Integer())
    tier_changes = fields.Integer()
    late_fee_bills = fields.Integer()
    late_fees = money()
    promises_kept = fields.Integer()
    promises_broken = fields.Integer()
    run_id = fields.Integer(allow_none=True)


class DunningRunBodySchema(Schema):
    """Which project to run, or one customer of it."""

    project_id = ident(required=True)
    customer_id = ident(
        metadata={
            "description": "Only this customer: the tier's message now, without waiting for repeat days."
        }
    )


class CreditReasonSchema(Schema):
    """One reason of the credit model, in your language."""

    code = fields.Function(
        lambda reason: str(reason.code.value if hasattr(reason.code, "value") else reason.code)
    )
    value = fields.Float(allow_none=True)
    effect = fields.Float(metadata={"description": "How far it moved the probability (−1 to 1)."})
    message = fields.Function(lambda reason: _message(reason.message, reason.params))


class CreditFeaturesSchema(Schema):
    """The customer's record over every bill that has fallen due."""

    bills = fields.Integer()
    late_bills = fields.Integer()
    on_time_rate = fields.Float(allow_none=True)
    average_days_late = fields.Float(allow_none=True)
    open_overdue = fields.Dict(keys=fields.String(), values=money())
    broken_promises = fields.Integer()
    disputes = fields.Integer()
    average_response_days = fields.Float(allow_none=True)


class CreditProfileSchema(Schema):
    """A customer's credit profile from their own history: a score, the chance of a late bill, the reasons."""

    as_of = fields.Date()
    score = fields.Integer(metadata={"description": "0–100, higher is better."})
    probability_late = fields.Float(metadata={"description": "The chance the next bill is paid late."})
    features = fields.Nested(CreditFeaturesSchema)
    reasons = fields.List(fields.Nested(CreditReasonSchema))


class HealthReasonSchema(Schema):
    """Why a quarter has its colour."""

    signal = fields.Function(lambda r: str(r.signal.value))
    period = fields.String()
    count = fields.Integer()
    at_least = fields.Integer()
    colour = fields.Function(lambda r: str(r.colour.value))
    action = fields.Function(lambda r: str(gettext(r.action)))
    message = fields.Function(lambda r: _message(r.message, r.params))


class HealthCountSchema(Schema):
    """One signal counted over one period."""

    signal = fields.Function(lambda c: str(c.signal.value))
    period = fields.String()
    count = fields.Integer()


class HealthQuarterSchema(Schema):
    """A lease's health in one quarter."""

    quarter = fields.String()
    colour = fields.Function(
        lambda q: str(q.colour.value), metadata={"description": "green, yellow, orange, red."}
    )
    reasons = fields.List(fields.Nested(HealthReasonSchema))
    actions = fields.Function(lambda q: [str(gettext(a)) for a in q.actions])
    counts = fields.List(fields.Nested(HealthCountSchema))


class RenewalFindingSchema(Schema):
    """A reason for the renewal advice."""

    code = fields.String()
    message = fields.Function(lambda f: _message(f.message, f.params))


class RenewalAdviceSchema(Schema):
    """Whether to retain the tenant, follow up as usual, or prepare to release the space."""

    recommendation = fields.Function(lambda r: str(r.recommendation.value))
    reasons = fields.List(fields.Nested(RenewalFindingSchema))


class LeaseHealthSchema(Schema):
    """A lease's health per quarter, newest last, and the renewal advice."""

    as_of = fields.Date()
    quarters = fields.List(fields.Nested(HealthQuarterSchema))
    renewal = fields.Nested(RenewalAdviceSchema, allow_none=True)


class HighRiskReportQueryArgsSchema(Schema):
    """Which month, which file."""

    month = fields.String(required=True, validate=validate.Regexp(r"^\d{4}-(0[1-9]|1[0-2])$"))
    format = fields.String(required=True, validate=validate.OneOf(["xlsx", "pdf"]))


class LeaseHealthReportQueryArgsSchema(Schema):
    """Which project, which file."""

    project_id = ident(in_query=True, required=True)
    format = fields.String(required=True, validate=validate.OneOf(["xlsx", "pdf"]))


class WaiverBodySchema(Schema):
    """Part of a bill's late fee to forgive, and why."""

    charge_id = ident(required=True)
    amount = decimal(2, 0, 1_000_000_000, required=True)
    reason = text(2000, required=True)


class LateFeePostingSchema(Schema):
    """One run's late fee on a bill (or a waiver, negative)."""

    start_on = fields.Date()
    end_on = fields.Date()
    days = fields.Integer()
    amount = money()
    kind = fields.String(metadata={"description": "accrual or waiver."})
    note = fields.String(allow_none=True)


class LateFeeSchema(Schema):
    """A bill's late fee: accrued through which day, posted, waived, still owed, and every posting."""

    charge_id = fields.Integer()
    through = fields.Date(allow_none=True)
    posted = money()
    waived = money()
    owed = money()
    currency = fields.String()
    postings = fields.List(fields.Nested(LateFeePostingSchema))


class DeviceLockSchema(Schema):
    """A lock or unlock command for a leased machine: where it stands and what the device platform said."""

    id = fields.Integer()
    project_id = fields.Integer()
    customer_id = fields.Integer()
    lease_id = fields.Integer()
    asset_id = fields.Integer()
    command = fields.String(metadata={"description": "lock or unlock."})
    state = fields.String(
        metadata={"description": "requested, approved, rejected, sent, confirmed or failed."}
    )
    reason = fields.String()
    overdue_days = fields.Integer()
    amount = money()
    currency = fields.String()
    requested_at = fields.AwareDateTime()
    decided_at = fields.AwareDateTime(allow_none=True)
    decided_by_id = fields.Integer(allow_none=True)
    sent_at = fields.AwareDateTime(allow_none=True)
    attempts = fields.Integer()
    answer = fields.Dict(metadata={"description": "The device platform's answer, as it gave it."})
    answered_at = fields.AwareDateTime(allow_none=True)
    error = fields.String(allow_none=True)


class DeviceLockQueryArgsSchema(Schema):
    """Filters for lock commands."""

    project_id = ident(in_query=True)
    customer_id = ident(in_query=True)
    lease_id = ident(in_query=True)
    asset_id = ident(in_query=True)
    command = fields.List(fields.String(validate=validate.OneOf(["lock", "unlock"])))
    state = fields.List(
        fields.String(
            validate=validate.OneOf(["requested", "approved", "rejected", "sent", "confirmed", "failed"])
        )
    )
    sort = sort_field("requested_at")


class CreditConsentSchema(Schema):
    """A customer's signed consent to fetch credit information about them from a third party."""

    id = fields.Integer(dump_only=True)
    customer_id = fields.Integer(dump_only=True)
    granted_on = fields.Date(required=True)
    expires_on = fields.Date(allow_none=True)
    document = text(300, required=True, metadata={"description": "Where the signed consent is kept."})
    recorded_at = fields.AwareDateTime(dump_only=True)
    revoked_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    current = fields.Boolean(dump_only=True)


class CreditSignalSchema(Schema):
    """One public fact about a customer from the credit provider (a business anomaly, a lawsuit…)."""

    id = fields.Integer()
    provider = fields.String()
    reference = fields.String()
    kind = fields.String()
    title = fields.String()
    observed_on = fields.Date(allow_none=True)
    details = fields.Dict()
    fetched_at = fields.AwareDateTime()


class FetchReportSchema(Schema):
    """What one fetch found and what it stored for the first time."""

    customer_id = fields.Integer()
    consent_id = fields.Integer()
    provider = fields.String()
    found = fields.Integer()
    stored = fields.List(fields.Nested(CreditSignalSchema))
