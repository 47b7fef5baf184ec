"""Collections: the workbench, what each dunning run did, pauses, legal cases, key-account tasks, policies,
a run by hand, a customer's credit profile and a lease's health."""

from typing import Any

from flask import Response, current_app
from flask.views import MethodView
from flask_babel import gettext
from flask_smorest import Blueprint

from backend.api.approvals.schemas import ApprovalSchema
from backend.api.collections.schemas import (
    CollectionCaseChangeSchema,
    CollectionCaseQueryArgsSchema,
    CollectionCaseSchema,
    CollectionTaskDoneSchema,
    CollectionTaskQueryArgsSchema,
    CollectionTaskSchema,
    CreditConsentSchema,
    CreditProfileSchema,
    CreditSignalSchema,
    DeviceLockQueryArgsSchema,
    DeviceLockSchema,
    DisputeResolutionSchema,
    DisputeSchema,
    DunningNoticeQueryArgsSchema,
    DunningNoticeSchema,
    DunningPolicySchema,
    DunningReportSchema,
    DunningRunBodySchema,
    DunningStandingQueryArgsSchema,
    DunningStandingSchema,
    FetchReportSchema,
    GracePeriodSchema,
    HighRiskReportQueryArgsSchema,
    LateFeeSchema,
    LeaseHealthReportQueryArgsSchema,
    LeaseHealthSchema,
    PauseQueryArgsSchema,
    PaymentPromiseSchema,
    WaiverBodySchema,
)
from backend.api.common import READ, READ_ONE, WRITE_ONE, errors, paginate, patch_body
from backend.api.context import actor, list_query, now, uow
from backend.collections.services import (
    credit,
    health,
    late_fees,
    locks,
    pauses,
    policies,
    reports,
    signals,
    workbench,
)
from backend.collections.services.policies import THRESHOLD_FIELDS, Policy
from backend.org.domain.org import CustomerTier

blp = Blueprint(
    "collections",
    __name__,
    url_prefix="/api/collections",
    description="Dunning after reconciliation: customers by tier, notices, promises, grace periods, "
    "disputes, legal cases, key-account tasks, policies; credit profiles and lease health.",
)


def _listed(service: Any, args: dict[str, Any], pagination: Any, sort: str) -> Any:
    args.setdefault("sort", sort)
    items, pagination.item_count = service(list_query(args, pagination), actor(), uow())
    return items


@blp.route("/standings")
class StandingListViews(MethodView):
    """The workbench: customers by tier."""

    @blp.arguments(DunningStandingQueryArgsSchema, location="query")
    @blp.response(200, DunningStandingSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ, 422)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """Customers in dunning in your projects, the highest tier and oldest bill first"""
        return _listed(workbench.list_standings, args, pagination_parameters, "-tier,-oldest_days")


@blp.route("/notices")
class NoticeListViews(MethodView):
    """What the runs did."""

    @blp.arguments(DunningNoticeQueryArgsSchema, location="query")
    @blp.response(200, DunningNoticeSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ, 422)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """Each run's decision per customer and day (held, paused, a message, a task, a case), newest first"""
        return _listed(workbench.list_notices, args, pagination_parameters, "-run_on")


@blp.route("/notices/<id:notice_id>")
class NoticeViews(MethodView):
    """One notice."""

    @blp.response(200, DunningNoticeSchema)
    @errors(blp, *READ_ONE)
    def get(self, notice_id: int) -> Any:
        """A notice with its bills and the message as sent"""
        return workbench.get_notice(notice_id, actor(), uow())


@blp.route("/runs")
class RunViews(MethodView):
    """Dunning runs started by hand."""

    @blp.arguments(DunningRunBodySchema)
    @blp.response(201, DunningReportSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, body: dict[str, Any]) -> Any:
        """Run a project's dunning now (the 10:00 job's run; a rerun the same day changes nothing it decided)

        Refused with 409, naming the accounts, while yesterday's statements are not imported and reconciled;
        for one customer (`customer_id`), also when they were dealt with today already.
        """
        return workbench.run_now(body["project_id"], actor(), uow(), now(), body.get("customer_id"))


@blp.route("/promises")
class PromiseListViews(MethodView):
    """Promises to pay."""

    @blp.arguments(PauseQueryArgsSchema, location="query")
    @blp.response(200, PaymentPromiseSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ, 422)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """Promises to pay, the latest day first"""
        return _listed(workbench.list_promises, args, pagination_parameters, "-promised_on")

    @blp.arguments(PaymentPromiseSchema)
    @blp.response(201, PaymentPromiseSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, body: dict[str, Any]) -> Any:
        """Record a promise: dunning pauses until its day; unpaid by then, it is broken and dunning resumes"""
        return pauses.record_promise(body, actor(), uow(), now())


@blp.route("/promises/<id:promise_id>/cancel")
class PromiseCancelViews(MethodView):
    """Withdrawing a promise."""

    @blp.response(200, PaymentPromiseSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, promise_id: int) -> Any:
        """Withdraw an open promise entered by mistake"""
        return pauses.cancel_promise(promise_id, actor(), uow())


@blp.route("/grace-periods")
class GraceListViews(MethodView):
    """Grace periods."""

    @blp.arguments(PauseQueryArgsSchema, location="query")
    @blp.response(200, GracePeriodSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ, 422)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """Grace periods asked for, approved or refused, the latest first"""
        return _listed(workbench.list_graces, args, pagination_parameters, "-requested_at")

    @blp.arguments(GracePeriodSchema)
    @blp.response(201, GracePeriodSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, body: dict[str, Any]) -> Any:
        """Ask for a grace period; it starts when someone else approves it under approvals"""
        return pauses.request_grace(body, actor(), uow(), now())


@blp.route("/disputes")
class DisputeListViews(MethodView):
    """Disputes over bills."""

    @blp.arguments(PauseQueryArgsSchema, location="query")
    @blp.response(200, DisputeSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ, 422)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """Disputes, the latest first"""
        return _listed(workbench.list_disputes, args, pagination_parameters, "-opened_on")

    @blp.arguments(DisputeSchema)
    @blp.response(201, DisputeSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, body: dict[str, Any]) -> Any:
        """Open a dispute over some bills: those are neither chased nor charged late fees while it is open"""
        return pauses.open_dispute(body, actor(), uow(), now())


@blp.route("/disputes/<id:dispute_id>/resolve")
class DisputeResolveViews(MethodView):
    """Ending a dispute."""

    @blp.arguments(DisputeResolutionSchema)
    @blp.response(200, DisputeSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, body: dict[str, Any], dispute_id: int) -> Any:
        """Resolve a dispute: its bills are chased and accrue again from the next day"""
        return pauses.resolve_dispute(dispute_id, body, actor(), uow(), now())


@blp.route("/cases")
class CaseListViews(MethodView):
    """Legal cases."""

    @blp.arguments(CollectionCaseQueryArgsSchema, location="query")
    @blp.response(200, CollectionCaseSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ, 422)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """Customers handed over to legal, the latest first"""
        return _listed(workbench.list_cases, args, pagination_parameters, "-opened_on")


@blp.route("/cases/<id:case_id>")
class CaseViews(MethodView):
    """One case."""

    @blp.response(200, CollectionCaseSchema)
    @errors(blp, *READ_ONE)
    def get(self, case_id: int) -> Any:
        """A case with its bills, documents and next step"""
        return workbench.get_case(case_id, actor(), uow())

    @blp.arguments(patch_body(CollectionCaseChangeSchema))
    @blp.response(200, CollectionCaseSchema)
    @errors(blp, *WRITE_ONE)
    def patch(self, body: dict[str, Any], case_id: int) -> Any:
        """Name the owner, set the next step, add documents, or close it with its outcome and a note"""
        return workbench.update_case(case_id, body, actor(), uow(), now())


@blp.route("/tasks")
class TaskListViews(MethodView):
    """Key-account tasks."""

    @blp.arguments(CollectionTaskQueryArgsSchema, location="query")
    @blp.response(200, CollectionTaskSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ, 422)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """Account managers' tasks, by due day"""
        return _listed(workbench.list_tasks, args, pagination_parameters, "due_on")


@blp.route("/tasks/<id:task_id>/done")
class TaskDoneViews(MethodView):
    """Closing a task."""

    @blp.arguments(CollectionTaskDoneSchema)
    @blp.response(200, CollectionTaskSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, body: dict[str, Any], task_id: int) -> Any:
        """Mark a task done with what you told the customer (yours; anyone's for a collector)"""
        return workbench.complete_task(task_id, body["note"], actor(), uow(), now())


@blp.route("/policies/<id:project_id>")
class PolicyListViews(MethodView):
    """A project's dunning policies."""

    @blp.response(200, DunningPolicySchema(many=True))
    @errors(blp, *READ_ONE)
    def get(self, project_id: int) -> Any:
        """Each customer tier's policy (the defaults until changed)"""
        return [_policy(policy) for policy in policies.get_policies(project_id, actor(), uow()).values()]


@blp.route("/policies/<id:project_id>/<any(standard, key_account):customer_tier>")
class PolicyViews(MethodView):
    """One customer tier's policy."""

    @blp.arguments(patch_body(DunningPolicySchema))
    @blp.response(200, DunningPolicySchema)
    @errors(blp, *WRITE_ONE)
    def put(self, body: dict[str, Any], project_id: int, customer_tier: str) -> Any:
        """Change thresholds, channels or templates; a field left out keeps its value"""
        saved = policies.save_policy(project_id, CustomerTier(customer_tier), body, actor(), uow(), now())
        return _policy(saved)


@blp.route("/customers/<id:customer_id>/credit")
class CreditViews(MethodView):
    """A customer's credit profile."""

    @blp.response(200, CreditProfileSchema)
    @errors(blp, *READ_ONE)
    def get(self, customer_id: int) -> Any:
        """The score and chance of a late bill from the customer's own history, with the reasons"""
        return credit.credit_profile(customer_id, actor(), uow(), now())


@blp.route("/leases/<id:lease_id>/health")
class LeaseHealthViews(MethodView):
    """A lease's health."""

    @blp.response(200, LeaseHealthSchema)
    @errors(blp, *READ_ONE)
    def get(self, lease_id: int) -> Any:
        """The last four quarters' colours with reasons and actions, and the renewal advice"""
        found = health.lease_health(lease_id, actor(), uow(), now())
        advice = health.renewal_advice(lease_id, actor(), uow(), now()) if _has_customer(lease_id) else None
        return {"as_of": found.as_of, "quarters": found.quarters, "renewal": advice}


@blp.route("/charges/<id:charge_id>/late-fee")
class LateFeeViews(MethodView):
    """A bill's late fee."""

    @blp.response(200, LateFeeSchema)
    @errors(blp, *READ_ONE)
    def get(self, charge_id: int) -> Any:
        """What the bill accrued, day span by span, and what was waived"""
        return late_fees.late_fee_of(charge_id, actor(), uow())


@blp.route("/late-fee-waivers")
class WaiverViews(MethodView):
    """Waiving late fees."""

    @blp.arguments(WaiverBodySchema)
    @blp.response(201, ApprovalSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, body: dict[str, Any]) -> Any:
        """Ask to waive part of a bill's late fee: posted once someone else approves it under approvals"""
        return late_fees.request_waiver(
            body["charge_id"], body["amount"], body["reason"], actor(), uow(), now()
        )


@blp.route("/device-locks")
class DeviceLockListViews(MethodView):
    """Equipment lock and unlock commands."""

    @blp.arguments(DeviceLockQueryArgsSchema, location="query")
    @blp.response(200, DeviceLockSchema(many=True))
    @paginate(blp)
    @errors(blp, *READ, 422)
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Any:
        """Lock and unlock commands of your projects, the latest first, with the device platform's answer"""
        return _listed(locks.list_locks, args, pagination_parameters, "-requested_at")


@blp.route("/device-locks/<id:lock_id>")
class DeviceLockViews(MethodView):
    """One command."""

    @blp.response(200, DeviceLockSchema)
    @errors(blp, *READ_ONE)
    def get(self, lock_id: int) -> Any:
        """A lock or unlock command (a lock is decided under approvals)"""
        return locks.get_lock(lock_id, actor(), uow())


@blp.route("/device-locks/<id:lock_id>/retry")
class DeviceLockRetryViews(MethodView):
    """Sending a failed command again."""

    @blp.response(200, DeviceLockSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, lock_id: int) -> Any:
        """Send a failed command again (once the device platform's problem is fixed); 409 unless it failed"""
        return locks.retry_command(lock_id, actor(), uow(), now())


@blp.route("/customers/<id:customer_id>/credit-consents")
class ConsentListViews(MethodView):
    """A customer's consents to third-party credit information."""

    @blp.response(200, CreditConsentSchema(many=True))
    @errors(blp, *READ_ONE)
    def get(self, customer_id: int) -> Any:
        """The customer's consents, newest first, each marked whether it is current"""
        return signals.consents_of(customer_id, actor(), uow(), now())

    @blp.arguments(CreditConsentSchema)
    @blp.response(201, CreditConsentSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, body: dict[str, Any], customer_id: int) -> Any:
        """Record the customer's signed consent (where the signed paper is kept)"""
        return signals.record_consent({**body, "customer_id": customer_id}, actor(), uow(), now())


@blp.route("/credit-consents/<id:consent_id>/revoke")
class ConsentRevokeViews(MethodView):
    """Revoking a consent."""

    @blp.response(200, CreditConsentSchema)
    @errors(blp, *WRITE_ONE)
    def post(self, consent_id: int) -> Any:
        """Revoke a consent: nothing more is fetched under it"""
        return signals.revoke_consent(consent_id, actor(), uow(), now())


@blp.route("/customers/<id:customer_id>/credit-signals")
class SignalListViews(MethodView):
    """A customer's third-party credit signals."""

    @blp.response(200, CreditSignalSchema(many=True))
    @errors(blp, *READ_ONE)
    def get(self, customer_id: int) -> Any:
        """Business anomalies, lawsuits and penalties fetched under consent (never part of the score)"""
        return signals.signals_of(customer_id, actor(), uow())


@blp.route("/customers/<id:customer_id>/credit-signals/fetch")
class SignalFetchViews(MethodView):
    """Asking the credit provider."""

    @blp.response(201, FetchReportSchema)
    @errors(blp, *WRITE_ONE, 502)
    def post(self, customer_id: int) -> Any:
        """Ask the provider under the customer's current consent (409 without one) and keep what is new"""
        provider = current_app.extensions.get("leasekeeper.credit_signals")
        return signals.fetch_signals(customer_id, actor(), uow(), provider, now())


BINARY = {"type": "string", "format": "binary"}
FILES = {"200": {"content": {media: {"schema": BINARY} for media in reports.FORMATS.values()}}}


def _file(body: bytes, filename: str, media: str) -> Response:
    return Response(
        body, mimetype=media, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@blp.route("/reports/high-risk")
class HighRiskReportViews(MethodView):
    """The monthly high-risk customer report."""

    @blp.arguments(HighRiskReportQueryArgsSchema, location="query")
    @blp.response(200, BINARY, content_type=reports.FORMATS["xlsx"], description="The workbook or the PDF.")
    @blp.doc(responses=FILES)
    @errors(blp, *READ, 422)
    def get(self, args: dict[str, Any]) -> Response:
        """Download the month's high-risk customers of your projects (Excel or PDF), with why"""
        return _file(*reports.high_risk_report(args["month"], args["format"], actor(), uow(), now(), gettext))


@blp.route("/reports/lease-health")
class LeaseHealthReportViews(MethodView):
    """A project's lease health report."""

    @blp.arguments(LeaseHealthReportQueryArgsSchema, location="query")
    @blp.response(200, BINARY, content_type=reports.FORMATS["xlsx"], description="The workbook or the PDF.")
    @blp.doc(responses=FILES)
    @errors(blp, *READ_ONE, 422)
    def get(self, args: dict[str, Any]) -> Response:
        """Download a project's live leases with their health and renewal advice (Excel or PDF)"""
        found = reports.lease_health_report(
            args["project_id"], args["format"], actor(), uow(), now(), gettext
        )
        return _file(*found)


def _has_customer(lease_id: int) -> bool:
    lease = uow().leases.find(lease_id)
    return lease is not None and lease.customer_id is not None


def _policy(policy: Policy) -> dict[str, Any]:
    return {
        "customer_tier": policy.customer_tier,
        "enabled": policy.enabled,
        **{name: getattr(policy.thresholds, name) for name in THRESHOLD_FIELDS},
        "pay_within_hours": policy.pay_within_hours,
        "channels": list(policy.channels),
        "templates": dict(policy.templates),
        "stored": policy.stored,
    }
