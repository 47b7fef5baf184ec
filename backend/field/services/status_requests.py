"""Dual confirmation of field status changes: submit with evidence, confirm on site, reject, cancel, expire.

A request is also a four-eyes `Approval` of kind `status_change`, so back-office approval lists show it;
deciding it there can reject or cancel it, but confirming needs this module's on-site evidence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from backend.core.domain.access import Permission as P
from backend.core.domain.approvals import ApprovalKind, ApprovalStatus
from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, Conflict, Forbidden, Message, ValidationFailed
from backend.core.domain.jobs import JobKind, JobStatus
from backend.core.domain.listing import ListQuery, SortKey
from backend.core.services import approvals, audit
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.field.domain.requests import (
    DEFAULT_CONFIRM_COOLDOWN,
    FieldPolicy,
    ReportFlag,
    RequestClosed,
    RequestState,
    StatusRequest,
    check_confirmation_accuracy,
    check_not_own_goalposts,
    check_remote,
    presence_flags,
    scan_flags,
)
from backend.field.services.labels import LabelSettings
from backend.field.services.photos import photo_arrivals
from backend.notify.domain.notifications import NotificationKind
from backend.notify.services import notifications
from backend.org.domain.asset_status import AssetStatusState, StatusCause
from backend.org.domain.geofence import FencePolicy, Fix, PlausibilityPolicy, fence_for, plausibility_flags
from backend.org.domain.org import LeaseEndStatus
from backend.org.services import field_settings
from backend.org.services.asset_status import StaleStatus, stage_status_change
from qr_tools.payload import parse

_SHA256 = re.compile(r"^[0-9a-f]{64}$")
# A request's end and its four-eyes approval's outcome, both ways.
OUTCOME = {
    RequestState.CONFIRMED: ApprovalStatus.APPROVED,
    RequestState.REJECTED: ApprovalStatus.REJECTED,
    RequestState.CANCELLED: ApprovalStatus.CANCELLED,
    RequestState.EXPIRED: ApprovalStatus.EXPIRED,
}
ENDED_BY = {outcome: state for state, outcome in OUTCOME.items()}
OUTCOME_WORDS = {
    RequestState.CONFIRMED: N_("confirmed"),
    RequestState.REJECTED: N_("rejected"),
    RequestState.CANCELLED: N_("cancelled"),
    RequestState.EXPIRED: N_("expired"),
}
DEFAULT_PLAUSIBILITY = PlausibilityPolicy()


@dataclass(frozen=True)
class GpsReading:
    """One GPS fix as the phone sent it."""

    latitude: Decimal
    longitude: Decimal
    accuracy_m: Decimal
    captured_at: datetime


@dataclass(frozen=True)
class Confirmation:
    """The confirmer's evidence: a label scan and a GPS fix on site, or remote with a reason."""

    scan: str | None = None
    gps: GpsReading | None = None
    scan_source: str | None = None  # "camera" or "typed"; older apps send nothing
    remote: bool = False
    remote_reason: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class FixCheck:
    """What the server found about one fix: the fence result (None without a fence) and the flags."""

    passed: bool | None
    distance_m: Decimal | None
    reason: str | None
    flags: list[str]
    message: tuple[str, dict[str, Any]] | None


def policy_of(project: Any) -> FieldPolicy:
    """A project's field policy."""
    return FieldPolicy(
        remote_confirmation_allowed=project.remote_confirmation_allowed,
        remote_report_allowed=project.remote_report_allowed,
        gps_max_accuracy_m=float(project.gps_max_accuracy_m),
        gps_tolerance_m=float(project.gps_tolerance_m),
        lease_end_status=LeaseEndStatus(project.lease_end_status),
        status_request_ttl_hours=project.status_request_ttl_hours,
    )


def check_fix(
    asset: Any,
    gps: GpsReading,
    actor: Actor,
    uow: UnitOfWork,
    now: datetime,
    plausibility: PlausibilityPolicy,
    request_id: int | None = None,
) -> FixCheck:
    """Re-check a fix on the server against the asset's (else project's) fence, flag it, and record it."""
    project = asset.project
    policy = policy_of(project)
    fence = fence_for(asset.geofence, asset.geofence_radius_m, project.geofence, project.geofence_radius_m)
    fix = Fix(float(gps.latitude), float(gps.longitude), float(gps.accuracy_m), gps.captured_at, now)
    earlier = [
        Fix(float(e.latitude), float(e.longitude), float(e.accuracy_m), e.captured_at)
        for e in uow.gps_fixes.earlier(actor.device_id, actor.user_id, gps.captured_at)
    ]
    flags = [flag.value for flag in plausibility_flags(fix, earlier, plausibility)]
    uow.gps_fixes.create(
        device_id=actor.device_id,
        user_id=actor.user_id,
        latitude=gps.latitude,
        longitude=gps.longitude,
        accuracy_m=gps.accuracy_m,
        captured_at=gps.captured_at,
        received_at=now,
        request_id=request_id,
    )
    if fence is None:
        return FixCheck(None, None, "no_fence", flags, None)
    result = fence.check(
        fix.latitude,
        fix.longitude,
        fix.accuracy_m,
        FencePolicy(policy.gps_tolerance_m, policy.gps_max_accuracy_m),
    )
    distance = Decimal(f"{result.distance_m:.1f}")
    reason = result.reason.value if result.reason else None
    return FixCheck(result.passed, distance, reason, flags, result.message())


# Reading ----------------------------------------------------------------------------------------


def _visible_scope(actor: Actor) -> Any:
    """Requests are seen by whoever reads the asset's project."""
    return actor.require(P.ASSET_READ)


def lifecycle(request: Any) -> StatusRequest:
    """The domain lifecycle of a stored request."""
    return StatusRequest(
        request.id, request.asset_id, request.state, request.applicant_id, request.expires_at
    )


def _with_evidence(request: Any, uow: UnitOfWork, now: datetime) -> Any:
    return with_evidence_all([request], uow, now)[0]


def with_evidence_all(requests: Sequence[Any], uow: UnitOfWork, now: datetime) -> list[Any]:
    """Mark on each request its state as of `now` and which of its photos have not arrived yet.

    An overdue pending request reads `expired` (the hourly job records it); a pending request whose asset
    changed since it was filed reads as a conflict. Nothing is written.
    """
    cited = {(h, request.asset_id) for request in requests for h in request.photo_hashes or []}
    arrived = photo_arrivals(cited, uow)
    for request in requests:
        hashes = request.photo_hashes or []
        request.evidence_pending = [h for h in hashes if (h, request.asset_id) not in arrived]
        request.photos = [_photo_evidence(request, h, arrived.get((h, request.asset_id))) for h in hashes]
        request.fence, request.fence_radius_m = _fence_of(request.asset)
        request.state_now = lifecycle(request).state_at(now)
        request.conflict_now = request.conflict or (
            request.state_now is RequestState.PENDING and request.asset.status_version != request.base_version
        )
    return list(requests)


def _photo_evidence(request: Any, sha256: str, received_at: datetime | None) -> dict[str, Any]:
    """One cited photo: when it reached the server, and how long after the report was captured."""
    lag = None
    if received_at is not None:
        lag = max(0, int((received_at - request.captured_at).total_seconds()))
    return {"sha256": sha256, "received_at": received_at, "upload_lag_s": lag}


def _fence_of(asset: Any) -> tuple[Any, Any]:
    """The fence presence is judged by: the asset's, else its project's (GeoJSON and a Point's radius)."""
    if asset.geofence is not None:
        return asset.geofence, asset.geofence_radius_m
    return asset.project.geofence, asset.project.geofence_radius_m


def list_requests(
    query: ListQuery, waiting_for_me: bool, actor: Actor, uow: UnitOfWork, now: datetime
) -> tuple[Sequence[Any], int]:
    """Requests in the actor's projects, as of `now`; `waiting_for_me`: pending ones the actor may confirm."""
    scope = _visible_scope(actor)
    filters = {name: value for name, value in query.filters.items() if name != "state"}
    if query.filters.get("state"):
        filters["state_at"] = (query.filters["state"], now)
    query = ListQuery(filters, query.sort, query.page, query.page_size)
    if not query.sort:
        query = ListQuery(
            query.filters, (SortKey("submitted_at", descending=True),), query.page, query.page_size
        )
    if waiting_for_me:
        scope = actor.scope_for(P.FIELD_CONFIRM)
        filters = {
            **query.filters,
            "state_at": ([RequestState.PENDING], now),
            "not_filed_by": actor.user_id,
        }
        query = ListQuery(filters, query.sort, query.page, query.page_size)
    rows, total = uow.status_requests.page(scope, query)
    return with_evidence_all(rows, uow, now), total


def get_request(request_id: int, actor: Actor, uow: UnitOfWork, now: datetime) -> Any:
    """One visible request with its evidence (photos still to arrive listed as pending), as of `now`."""
    return _with_evidence(uow.status_requests.get(request_id, _visible_scope(actor)), uow, now)


# Submitting -------------------------------------------------------------------------------------


def _reportable_asset(asset_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    report_scope = actor.require(P.FIELD_REPORT)
    asset = uow.assets.get(asset_id, actor.scope_for(P.ASSET_READ))
    if not report_scope.covers_project(asset.project_id, asset.project.region_id):
        raise Forbidden(N_("You may not file field evidence on this asset."))
    return asset


def _check_hashes(hashes: Sequence[str]) -> list[str]:
    bad = [h for h in hashes if not _SHA256.match(h)]
    if bad:
        raise ValidationFailed.single(
            "photo_hashes", N_("Give each photo as the SHA-256 of its bytes, 64 lower-case hex digits.")
        )
    return list(dict.fromkeys(hashes))


def submit_request(
    values: Mapping[str, Any],
    actor: Actor,
    uow: UnitOfWork,
    now: datetime,
    plausibility: PlausibilityPolicy = DEFAULT_PLAUSIBILITY,
    refuse_stale: bool = False,
) -> Any:
    """File a field status change with its evidence; it waits for a second person to confirm it.

    A request on a status version that is no longer the asset's is filed flagged `conflict`, or refused
    with `refuse_stale` (a phone's queued command: the user never saw the current status).
    """
    asset = _reportable_asset(values["asset_id"], actor, uow)
    conflict, hashes = _check_submission(asset, values, refuse_stale)
    _make_room(asset, actor, uow, now)
    request = _file(asset, {**values, "photo_hashes": hashes}, conflict, actor, uow, now, plausibility)
    _open_approval(request, asset, actor, uow, now)
    _notify_confirmers(request, asset, actor, uow)
    _audit(uow, actor, AuditAction.CREATE, request, None)
    uow.commit()
    return _with_evidence(request, uow, now)


def _check_submission(asset: Any, values: Mapping[str, Any], refuse_stale: bool) -> tuple[bool, list[str]]:
    """Refuse a request without a reason, a stale one from a phone, or a move the state machine forbids.

    Returns whether the request is filed on a status version that is no longer the asset's (a conflict),
    and its photo hashes, each once.
    """
    if not values["reason"].strip():
        raise ValidationFailed.single("reason", N_("Say why the status should change."))
    base_version: int = values["base_version"]
    conflict = bool(base_version != asset.status_version)
    if conflict and refuse_stale:
        refused = Conflict(
            N_("The asset's status changed since you saw it (status version %(base)s, now %(current)s)."),
            base=base_version,
            current=asset.status_version,
        )
        refused.fields = {"base_version": [N_("Not the asset's current status version.")]}
        raise refused
    if not conflict:
        AssetStatusState(asset.id, asset.status, asset.status_version).change(values["to_status"])
    return conflict, _check_hashes(values.get("photo_hashes") or [])


def _make_room(asset: Any, actor: Actor, uow: UnitOfWork, now: datetime) -> None:
    """Refuse a second open request on the asset; an overdue one's expiry is recorded with the new one."""
    open_request = uow.status_requests.open_for(asset.id)
    if open_request is None:
        return
    if lifecycle(open_request).state_at(now) is RequestState.EXPIRED:
        _stage_close(open_request, lifecycle(open_request).expire(now), actor, uow)
        return
    refused = Conflict(
        N_("The asset already has an open status change request (%(id)s)."), id=open_request.id
    )
    refused.fields = {"asset_id": [N_("Has an open request.")]}
    raise refused


def _file(
    asset: Any,
    values: Mapping[str, Any],
    conflict: bool,
    actor: Actor,
    uow: UnitOfWork,
    now: datetime,
    plausibility: PlausibilityPolicy,
) -> Any:
    """Stage the request with its evidence; its GPS fix is re-checked against the fence and recorded."""
    request = uow.status_requests.create(
        asset_id=asset.id,
        project_id=asset.project_id,
        from_status=asset.status,
        to_status=values["to_status"],
        reason=values["reason"].strip(),
        note=values.get("note"),
        applicant_id=actor.user_id,
        device_id=actor.device_id,
        base_version=values["base_version"],
        captured_at=values.get("captured_at") or now,
        submitted_at=now,
        photo_hashes=values["photo_hashes"],
        plausibility_flags=[],
        confirm_plausibility_flags=[],
        state=RequestState.PENDING,
        conflict=conflict,
        remote=False,
        expires_at=policy_of(asset.project).expires_at(now),
    )
    uow.flush()
    gps: GpsReading | None = values.get("gps")
    flags: list[str] = []
    if gps is not None:
        checked = check_fix(asset, gps, actor, uow, now, plausibility, request.id)
        request.latitude, request.longitude, request.accuracy_m = gps.latitude, gps.longitude, gps.accuracy_m
        request.fence_passed, request.fence_distance_m = checked.passed, checked.distance_m
        request.fence_reason, flags = checked.reason, checked.flags
    remote_reason = values.get("remote_reason")
    fenced = _fence_of(asset)[0] is not None
    policy = policy_of(asset.project)
    has_fix, passed = gps is not None, request.fence_passed
    presence = presence_flags(policy, fenced, has_fix, passed, remote_reason, request.fence_reason)
    request.plausibility_flags = [*flags, *presence]
    if ReportFlag.REMOTE_REPORT.value in presence:
        request.report_remote_reason = (remote_reason or "").strip()
    return request


def _open_approval(request: Any, asset: Any, actor: Actor, uow: UnitOfWork, now: datetime) -> None:
    """The request's four-eyes approval, so back-office approval lists show it; it expires with it."""
    approval = uow.approvals.create(
        kind=ApprovalKind.STATUS_CHANGE,
        subject_type="status_change_request",
        subject_id=request.id,
        summary=f"{asset.code}: {asset.status.value} -> {request.to_status.value}",
        project_id=asset.project_id,
        status=ApprovalStatus.PENDING,
        requested_by_id=actor.user_id,
        requested_at=now,
        reason=request.reason,
        expires_at=request.expires_at,
    )
    uow.flush()
    request.approval_id = approval.id


def _notify_confirmers(request: Any, asset: Any, actor: Actor, uow: UnitOfWork) -> None:
    """Everyone who may confirm, but the applicant, hears that the request waits for them."""
    confirmers = [
        user_id
        for user_id in uow.approvals.deciders(P.FIELD_CONFIRM, asset.project_id, asset.project.region_id)
        if user_id != actor.user_id
    ]
    notifications.notify(
        uow,
        confirmers,
        NotificationKind.STATUS_REQUEST_WAITING,
        {
            "applicant": actor.name,
            "asset": asset.code,
            "from_status": asset.status.value,
            "to_status": request.to_status.value,
            "request_id": request.id,
        },
        project_id=asset.project_id,
        subject=("status_change_request", request.id),
    )


# Deciding ---------------------------------------------------------------------------------------


def _audit(uow: UnitOfWork, actor: Actor, action: AuditAction, request: Any, before: Any) -> None:
    audit.record(
        uow,
        actor,
        action,
        "status_change_request",
        request.id,
        before=before,
        after=request.audit_snapshot(),
        project_id=request.project_id,
        region_id=request.asset.project.region_id,
    )


def _stage_close(
    request: Any, closed: RequestClosed, actor: Actor, uow: UnitOfWork, via_approval: bool = False
) -> None:
    """Stage the end of a request: its fields, its approval, its audit entry and the applicant's notice.

    `via_approval`: the generic approvals API decided the request's approval, which it updates and whose
    decision it notifies itself.
    """
    before = request.audit_snapshot()
    request.state = closed.state
    request.decided_at = closed.decided_at
    request.decision_note = closed.note
    if closed.confirmer_id is not None:
        request.confirmer_id = closed.confirmer_id
        uow.status_requests.reload_people(request)
    if not via_approval and request.approval_id is not None:
        approval = uow.approvals.find(request.approval_id)
        if approval is not None and approval.status is ApprovalStatus.PENDING:
            approval.status = OUTCOME[closed.state]
            approval.decided_by_id = closed.decided_by
            approval.decided_at = closed.decided_at
            approval.decision_note = closed.note
    uow.flush()
    _audit(uow, actor, AuditAction.UPDATE, request, before)
    if not via_approval and closed.state is not RequestState.CANCELLED:
        notifications.notify(
            uow,
            [request.applicant_id],
            NotificationKind.STATUS_REQUEST_DECIDED,
            {
                "asset": request.asset.code,
                "outcome": {"message": OUTCOME_WORDS[closed.state], "params": {}},
                "detail": _decision_detail(closed),
                "request_id": request.id,
            },
            project_id=request.project_id,
            subject=("status_change_request", request.id),
        )


def _decision_detail(closed: RequestClosed) -> dict[str, Any]:
    """What the author reads under the outcome: the reason of a rejection, what to do next."""
    if closed.state is RequestState.REJECTED:
        template = N_("Reason: %(reason)s. Open My reports to redo the report.")
        return {"message": template, "params": {"reason": closed.note or ""}}
    if closed.state is RequestState.EXPIRED:
        return {"message": N_("Nobody confirmed it in time. Open My reports to file it again."), "params": {}}
    return {"message": N_("The change took effect."), "params": {}}


def _for_decision(request_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    """The request, locked against concurrent decisions; 404 unseen, 403 without authority."""
    request = uow.status_requests.get(request_id, _visible_scope(actor))
    confirm_scope = actor.scope_for(P.FIELD_CONFIRM)
    if not confirm_scope.covers_project(request.project_id, request.asset.project.region_id):
        raise Forbidden(N_("You have no authority to decide field requests of this project."))
    uow.status_requests.lock(request)
    return request


def _stale_conflict(request: Any) -> Conflict:
    refused = Conflict(
        N_(
            "The asset changed since the request was filed (status version %(base)s, now %(current)s): "
            "reject the request, or let the applicant cancel and file it again."
        ),
        base=request.base_version,
        current=request.asset.status_version,
    )
    refused.fields = {"base_version": [N_("Not the asset's current status version.")]}
    return refused


def confirm_request(
    request_id: int,
    evidence: Confirmation,
    settings: LabelSettings,
    actor: Actor,
    uow: UnitOfWork,
    now: datetime,
    plausibility: PlausibilityPolicy = DEFAULT_PLAUSIBILITY,
    cooldown: timedelta = DEFAULT_CONFIRM_COOLDOWN,
) -> Any:
    """Confirm on site (label scan, GPS fix in the fence) or remotely where allowed; applies the change.

    `cooldown`: how long someone who changed the asset's or project's fence or field policy may not
    confirm there (else moving the fence to where one stands would be a way around being on site).
    """
    request = _for_decision(request_id, actor, uow)
    closed = lifecycle(request).confirm(actor.user_id, now, evidence.note)
    asset = request.asset
    if actor.user_id is not None:
        subjects = [("asset", asset.id), ("project", asset.project_id)]
        since = now - cooldown
        updated = [(c.before, c.after) for c in uow.audit.changes_by(actor.user_id, subjects, since)]
        proposed = uow.approvals.approved_requests_of(
            actor.user_id, ApprovalKind.FIELD_SETTINGS, subjects, since
        )
        check_not_own_goalposts(updated + [field_settings.proposed_change(a) for a in proposed], cooldown)
    if request.conflict or asset.status_version != request.base_version:
        raise _stale_conflict(request)
    policy = policy_of(asset.project)
    if evidence.remote:
        check_remote(policy, evidence.remote_reason)
        request.remote, request.remote_reason = True, (evidence.remote_reason or "").strip()
    else:
        _check_on_site(request, asset, evidence, settings, actor, uow, now, plausibility)
    try:
        stage_status_change(asset, request.to_status, request.reason, actor, uow, StatusCause.FIELD_CONFIRMED)
    except StaleStatus:
        raise Conflict(N_("The asset's status changed meanwhile; reload it and decide again.")) from None
    _stage_close(request, closed, actor, uow)
    uow.commit()
    return _with_evidence(request, uow, now)


def _check_on_site(
    request: Any,
    asset: Any,
    evidence: Confirmation,
    settings: LabelSettings,
    actor: Actor,
    uow: UnitOfWork,
    now: datetime,
    plausibility: PlausibilityPolicy,
) -> None:
    missing = {}
    if not (evidence.scan or "").strip():
        missing["scan"] = [
            N_("Scan the asset's label on site, or confirm remotely where the project allows it.")
        ]
    if evidence.gps is None:
        missing["gps"] = [N_("Send a GPS fix taken on site.")]
    if missing:
        raise ValidationFailed(missing)
    assert evidence.gps is not None
    assert evidence.scan is not None
    check_confirmation_accuracy(float(evidence.gps.accuracy_m))
    scan = parse(evidence.scan, settings.keyring, settings.base_url)
    if not scan.verified:
        raise ValidationFailed.single("scan", N_("Not a genuine label of this installation."))
    if scan.asset_code != asset.code:
        raise ValidationFailed.single("scan", N_("This label belongs to another asset."))
    checked = check_fix(asset, evidence.gps, actor, uow, now, plausibility, request.id)
    if checked.passed is None:
        raise Conflict(
            N_("Neither the asset nor its project has a geofence: presence on site cannot be checked.")
        )
    if not checked.passed:
        assert checked.message is not None
        template, params = checked.message
        raise ValidationFailed(
            {"gps": [Message(template, **params)]}, N_("The GPS fix does not prove presence on site.")
        )
    request.scan_verified = True
    request.confirm_latitude, request.confirm_longitude = evidence.gps.latitude, evidence.gps.longitude
    request.confirm_accuracy_m = evidence.gps.accuracy_m
    request.confirm_fence_passed, request.confirm_fence_distance_m = True, checked.distance_m
    request.confirm_plausibility_flags = [*checked.flags, *scan_flags(evidence.scan_source)]


def reject_request(request_id: int, reason: str, actor: Actor, uow: UnitOfWork, now: datetime) -> Any:
    """Reject a request with a reason the applicant reads; nothing changes on the asset."""
    if not (reason or "").strip():
        raise ValidationFailed.single("reason", N_("Say why the change is rejected."))
    request = _for_decision(request_id, actor, uow)
    _stage_close(request, lifecycle(request).reject(actor.user_id, reason, now), actor, uow)
    uow.commit()
    return _with_evidence(request, uow, now)


def cancel_request(request_id: int, actor: Actor, uow: UnitOfWork, now: datetime) -> Any:
    """The applicant withdraws their own pending request."""
    request = uow.status_requests.get(request_id, _visible_scope(actor))
    if actor.user_id is None or request.applicant_id != actor.user_id:
        raise Forbidden(N_("Only the person who filed the request may cancel it."))
    uow.status_requests.lock(request)
    _stage_close(request, lifecycle(request).cancel(actor.user_id, now), actor, uow)
    uow.commit()
    return _with_evidence(request, uow, now)


def expire_overdue(actor: Actor, uow: UnitOfWork, now: datetime, run_id: int | None = None) -> Any:
    """Record the expiry of every pending request (and other approval) whose time ran out, as a job run."""
    overdue = uow.status_requests.overdue(now, actor.require(P.ASSET_READ))
    for request in overdue:
        _stage_close(request, lifecycle(request).expire(now), actor, uow)
    approvals_expired = approvals.stage_expiry(actor, uow, now)
    run = uow.job_runs.record(
        run_id,
        kind=JobKind.STATUS_REQUEST_EXPIRY,
        status=JobStatus.SUCCEEDED,
        details={"expired": len(overdue), "approvals_expired": approvals_expired},
        requested_by_id=actor.user_id,
        started_at=now,
        finished_at=now,
    )
    uow.commit()
    return run


# The generic approvals API may reject or cancel a status change; confirming needs evidence here.


def _on_approved(approval: Any, actor: Actor, uow: UnitOfWork, now: datetime) -> None:
    raise Conflict(N_("Confirm a field status change with its own confirmation: label scan and GPS fix."))


def _on_closed(approval: Any, actor: Actor, uow: UnitOfWork, now: datetime) -> None:
    request = uow.status_requests.find(approval.subject_id)
    if request is None or request.state is not RequestState.PENDING:
        return
    request_lifecycle = lifecycle(request)
    ended = ENDED_BY[approval.status]
    if ended is RequestState.REJECTED:
        closed = request_lifecycle.reject(actor.user_id, approval.decision_note, now)
    elif ended is RequestState.CANCELLED:
        closed = request_lifecycle.cancel(actor.user_id, now)
    else:
        closed = request_lifecycle.expire(now)
    _stage_close(request, closed, actor, uow, via_approval=True)


approvals.register(
    ApprovalKind.STATUS_CHANGE,
    approvals.KindRules(permission=P.FIELD_CONFIRM, on_approved=_on_approved, on_closed=_on_closed),
)
