"""The status-request use cases on an in-memory unit of work: four eyes, on-site evidence, one commit each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from backend.core.domain.access import Role
from backend.core.domain.approvals import ApprovalKind, ApprovalStatus
from backend.core.domain.audit import AuditAction, Origin
from backend.core.domain.errors import Conflict, Forbidden, NotFound, ValidationFailed
from backend.core.domain.listing import ListQuery
from backend.core.services.context import Actor
from backend.field.domain.requests import RequestState
from backend.field.services import status_requests
from backend.field.services.labels import LabelSettings
from backend.field.services.status_requests import Confirmation, GpsReading
from backend.notify.domain.channels import ChannelKind
from backend.notify.domain.notifications import NotificationKind
from backend.notify.domain.outbox import DeliveryState
from backend.org.domain.org import AssetStatus
from qr_tools.payload import build, parse_keyring
from tests.support.fake_uow import FakeUnitOfWork, Given

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
CENTRE = (Decimal("31.230000"), Decimal("121.500000"))  # lat, lon
FENCE = {"type": "Point", "coordinates": [float(CENTRE[1]), float(CENTRE[0])]}
LABELS = LabelSettings("https://leasekeeper.example.com", parse_keyring("k1:unit-test-label-signing-key"))
OVERDUE = NOW + timedelta(hours=73)  # the project's requests run out after 72 hours


@dataclass
class Site:
    """A fenced project with two units; an inspector reports, managers confirm, an agent only reads."""

    project: Any
    asset: Any
    neighbour: Any
    inspector: Actor
    manager: Actor
    regional: Actor
    director: Actor
    agent: Actor
    elsewhere: Actor


@pytest.fixture
def site(given: Given) -> Site:
    region = given.region()
    project = given.project(region, geofence=FENCE, geofence_radius_m=Decimal(50))
    other = given.project(region)
    regional = given.user(Role.REGIONAL_MANAGER, region=region)
    given.subscription(regional)
    return Site(
        project=project,
        asset=given.asset(project),
        neighbour=given.asset(project),
        inspector=given.actor(given.user(Role.INSPECTOR, project=project), device_id=7),
        manager=given.actor(given.user(Role.PROJECT_MANAGER, project=project)),
        regional=given.actor(regional),
        director=given.actor(given.user(Role.DIRECTOR)),
        agent=given.actor(given.user(Role.LEASING_AGENT, project=project)),
        elsewhere=given.actor(given.user(Role.PROJECT_MANAGER, project=other)),
    )


def fix(offset_m: int = 0, accuracy: str = "8.0", when: datetime = NOW) -> GpsReading:
    """A GPS fix `offset_m` metres north of the fence centre."""
    latitude = (CENTRE[0] + Decimal(offset_m) / Decimal(111_320)).quantize(Decimal("0.000001"))
    return GpsReading(latitude, CENTRE[1], Decimal(accuracy), when - timedelta(minutes=1))


def label(asset: Any) -> str:
    return build(LABELS.base_url, asset.code, LABELS.keyring)


def on_site(asset: Any, offset_m: int = 20) -> Confirmation:
    return Confirmation(scan=label(asset), gps=fix(offset_m))


def submit(uow: FakeUnitOfWork, site: Site, by: Actor | None = None, **changes: Any) -> Any:
    values = {
        "asset_id": site.asset.id,
        "to_status": AssetStatus.MAINTENANCE,
        "base_version": 1,
        "reason": "水管漏水",
        "gps": fix(),
    } | changes
    return status_requests.submit_request(values, by or site.inspector, uow, NOW)


def filed(uow: FakeUnitOfWork, site: Site, by: Actor | None = None) -> Any:
    """A pending request filed and committed before the test's own step."""
    request = submit(uow, site, by)
    uow.settle()
    return request


def assert_nothing_written(uow: FakeUnitOfWork) -> None:
    assert uow.commits == 0
    assert uow.uncommitted() == []


# Submitting ---------------------------------------------------------------------------------------


def test_a_submission_notifies_every_confirmer_but_the_applicant_and_commits_once(
    uow: FakeUnitOfWork, site: Site
) -> None:
    request = submit(uow, site, by=site.manager)

    assert uow.commits == 1
    assert uow.uncommitted() == []
    assert (request.state, request.applicant_id, request.fence_passed) == (
        RequestState.PENDING,
        site.manager.user_id,
        True,
    )
    waiting = uow.written("notifications")
    assert {n.user_id for n in waiting} == {site.regional.user_id, site.director.user_id}
    assert {n.kind for n in waiting} == {NotificationKind.STATUS_REQUEST_WAITING}
    pushes = [d for d in uow.written("deliveries") if d.channel is ChannelKind.WEB_PUSH]
    assert [(d.user_id, d.state) for d in pushes] == [
        (site.regional.user_id, DeliveryState.QUEUED)
    ]  # a phone
    [approval] = uow.written("approvals")
    assert (approval.kind, approval.status, approval.subject_id) == (
        ApprovalKind.STATUS_CHANGE,
        ApprovalStatus.PENDING,
        request.id,
    )
    assert (approval.requested_by_id, request.approval_id) == (site.manager.user_id, approval.id)
    [entry] = uow.written("audit_log")
    assert (entry.action, entry.entity_type, entry.entity_id) == (
        AuditAction.CREATE,
        "status_change_request",
        str(request.id),
    )
    assert [f.request_id for f in uow.written("gps_fixes")] == [request.id]


def test_a_second_open_request_on_the_asset_is_refused_and_writes_nothing(
    uow: FakeUnitOfWork, site: Site
) -> None:
    first = filed(uow, site)
    with pytest.raises(Conflict) as refused:
        submit(uow, site, to_status=AssetStatus.RENOVATION)
    assert set(refused.value.fields) == {"asset_id"}
    assert str(first.id) in str(refused.value)
    assert_nothing_written(uow)


def test_filing_over_an_overdue_request_records_its_expiry_in_the_same_commit(
    uow: FakeUnitOfWork, site: Site
) -> None:
    first = filed(uow, site)
    values = {"asset_id": site.asset.id, "to_status": AssetStatus.MAINTENANCE, "base_version": 1}
    second = status_requests.submit_request(
        values | {"reason": "又漏水", "gps": fix(when=OVERDUE)}, site.inspector, uow, OVERDUE
    )
    assert uow.commits == 1
    assert (first.state, second.state) == (RequestState.EXPIRED, RequestState.PENDING)
    assert uow.approvals.find(first.approval_id).status is ApprovalStatus.EXPIRED
    assert uow.status_requests.open_for(site.asset.id) is second


def test_someone_who_does_not_report_in_the_field_cannot_file_a_request(
    uow: FakeUnitOfWork, site: Site
) -> None:
    with pytest.raises(Forbidden):
        submit(uow, site, by=site.agent)
    assert_nothing_written(uow)


# Confirming ---------------------------------------------------------------------------------------


def test_a_confirmation_on_site_applies_the_status_and_closes_the_approval(
    uow: FakeUnitOfWork, site: Site
) -> None:
    request = filed(uow, site)

    confirmed = status_requests.confirm_request(
        request.id, on_site(site.asset), LABELS, site.manager, uow, NOW
    )

    assert uow.commits == 1
    assert uow.uncommitted() == []
    assert (confirmed.state, confirmed.confirmer_id, confirmed.decided_at) == (
        RequestState.CONFIRMED,
        site.manager.user_id,
        NOW,
    )
    assert (confirmed.scan_verified, confirmed.confirm_fence_passed) == (True, True)
    assert (site.asset.status, site.asset.status_version) == (AssetStatus.MAINTENANCE, 2)
    approval = uow.approvals.find(request.approval_id)
    assert (approval.status, approval.decided_by_id) == (ApprovalStatus.APPROVED, site.manager.user_id)
    [decided] = uow.written("notifications")
    assert (decided.user_id, decided.kind, decided.params["outcome"]["message"]) == (
        site.inspector.user_id,
        NotificationKind.STATUS_REQUEST_DECIDED,
        "confirmed",
    )
    audited = {(e.entity_type, e.entity_id) for e in uow.written("audit_log")}
    assert audited == {("asset", str(site.asset.id)), ("status_change_request", str(request.id))}


def test_the_applicant_cannot_confirm_their_own_request_and_nothing_is_written(
    uow: FakeUnitOfWork, site: Site
) -> None:
    request = filed(uow, site, by=site.manager)
    with pytest.raises(Forbidden):
        status_requests.confirm_request(request.id, on_site(site.asset), LABELS, site.manager, uow, NOW)
    assert_nothing_written(uow)
    assert (request.state, site.asset.status) == (RequestState.PENDING, AssetStatus.VACANT)


def test_confirming_needs_authority_over_the_project_and_sight_of_it(uow: FakeUnitOfWork, site: Site) -> None:
    request = filed(uow, site)
    with pytest.raises(Forbidden):
        status_requests.confirm_request(request.id, on_site(site.asset), LABELS, site.agent, uow, NOW)
    with pytest.raises(NotFound):
        status_requests.confirm_request(request.id, on_site(site.asset), LABELS, site.elsewhere, uow, NOW)
    assert_nothing_written(uow)


def test_a_forged_label_or_another_assets_label_is_refused_and_nothing_is_written(
    uow: FakeUnitOfWork, site: Site
) -> None:
    request = filed(uow, site)
    forged = Confirmation(scan=label(site.asset)[:-3] + "AAA", gps=fix(20))
    for evidence in (forged, on_site(site.neighbour)):
        with pytest.raises(ValidationFailed) as refused:
            status_requests.confirm_request(request.id, evidence, LABELS, site.manager, uow, NOW)
        assert set(refused.value.fields) == {"scan"}
    assert_nothing_written(uow)


def test_an_overdue_request_cannot_be_confirmed_and_nothing_is_written(
    uow: FakeUnitOfWork, site: Site
) -> None:
    request = filed(uow, site)
    with pytest.raises(Conflict):
        status_requests.confirm_request(request.id, on_site(site.asset), LABELS, site.manager, uow, OVERDUE)
    assert_nothing_written(uow)
    assert site.asset.status is AssetStatus.VACANT


# Rejecting and cancelling -------------------------------------------------------------------------


def test_a_rejection_needs_a_reason_and_notifies_the_applicant(uow: FakeUnitOfWork, site: Site) -> None:
    request = filed(uow, site)
    with pytest.raises(ValidationFailed) as refused:
        status_requests.reject_request(request.id, "  ", site.manager, uow, NOW)
    assert set(refused.value.fields) == {"reason"}
    assert_nothing_written(uow)

    rejected = status_requests.reject_request(request.id, "照片不清楚", site.manager, uow, NOW)

    assert uow.commits == 1
    assert uow.uncommitted() == []
    assert (rejected.state, rejected.decision_note, rejected.confirmer_id) == (
        RequestState.REJECTED,
        "照片不清楚",
        site.manager.user_id,
    )
    assert uow.approvals.find(request.approval_id).status is ApprovalStatus.REJECTED
    [decided] = uow.written("notifications")
    assert (decided.user_id, decided.params["outcome"]["message"]) == (site.inspector.user_id, "rejected")
    assert (site.asset.status, site.asset.status_version) == (AssetStatus.VACANT, 1)


def test_only_the_applicant_cancels_and_nobody_is_notified(uow: FakeUnitOfWork, site: Site) -> None:
    request = filed(uow, site)
    with pytest.raises(Forbidden):
        status_requests.cancel_request(request.id, site.manager, uow, NOW)
    assert_nothing_written(uow)

    cancelled = status_requests.cancel_request(request.id, site.inspector, uow, NOW)

    assert uow.commits == 1
    assert uow.uncommitted() == []
    assert cancelled.state is RequestState.CANCELLED
    assert uow.approvals.find(request.approval_id).status is ApprovalStatus.CANCELLED
    assert uow.written("notifications") == []
    with pytest.raises(Conflict):
        status_requests.cancel_request(request.id, site.inspector, uow, NOW)
    assert uow.commits == 1


# Reading and expiring -----------------------------------------------------------------------------


def test_reading_requests_never_writes(uow: FakeUnitOfWork, site: Site) -> None:
    request = filed(uow, site)
    waiting, total = status_requests.list_requests(ListQuery(), True, site.manager, uow, NOW)
    assert ([r.id for r in waiting], total) == ([request.id], 1)
    mine, _ = status_requests.list_requests(ListQuery(), True, site.inspector, uow, NOW)
    assert mine == []  # an inspector confirms nothing
    assert status_requests.get_request(request.id, site.manager, uow, NOW).evidence_pending == []
    assert_nothing_written(uow)


def test_an_overdue_request_reads_as_expired_without_a_write(uow: FakeUnitOfWork, site: Site) -> None:
    request = filed(uow, site)
    shown = status_requests.get_request(request.id, site.manager, uow, OVERDUE)
    listed, _ = status_requests.list_requests(ListQuery(), False, site.manager, uow, OVERDUE)
    assert shown.state_now is RequestState.EXPIRED
    assert [r.state_now for r in listed] == [RequestState.EXPIRED]
    assert shown.state is RequestState.PENDING  # as stored: the hourly job records the expiry
    assert_nothing_written(uow)


def test_the_hourly_job_expires_overdue_requests_in_one_commit(uow: FakeUnitOfWork, site: Site) -> None:
    request = filed(uow, site)
    run = status_requests.expire_overdue(Actor.system(Origin.JOB, "hourly"), uow, OVERDUE)
    assert uow.commits == 1
    assert uow.uncommitted() == []
    assert run.details == {"expired": 1, "approvals_expired": 0}
    assert request.state is RequestState.EXPIRED
    assert uow.approvals.find(request.approval_id).status is ApprovalStatus.EXPIRED
    [told] = uow.written("notifications")
    assert (told.user_id, told.params["outcome"]["message"]) == (site.inspector.user_id, "expired")
