"""Locking the machines of an overdue equipment lease, against a local HTTP server standing in for the device
platform: asked for at day 20 with its approval, nothing sent before a second person agrees, the command
posted signed, the platform's answer kept, a platform in trouble tried again and given up on, and the unlock
sent once the lease is paid up.

The world: 上海重工 leases two excavators (EX-01, EX-02) on an equipment lease; its February bill of 20,000.00
fell due on 5 February and is not paid. The policy locks from day 20, so on 24 February (19 days) nothing is
asked and on 25 February (20 days) one lock per machine is.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections import defaultdict
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pytest_httpserver import HTTPServer
from sqlalchemy import select
from werkzeug import Request, Response

from backend.collections import jobs
from backend.collections.db.models import DeviceLock
from backend.collections.domain.plan import OverdueBill, Situation, Standing, decide
from backend.collections.services import device_commands, dunning, locks, policies
from backend.core.db.models import Approval, AuditEntry
from backend.core.domain.access import Scope
from backend.core.domain.approvals import ApprovalKind, ApprovalStatus, Decision
from backend.core.domain.audit import Origin
from backend.core.domain.errors import Conflict
from backend.core.services import approvals, auth
from backend.core.services.context import Actor
from backend.core.services.scheduler import JobContext
from backend.demo.leasing import TEMPLATES_BY_TYPE
from backend.leasing.domain.leases import ContractType
from backend.leasing.services import leases
from backend.notify.db.models import Notification
from backend.notify.domain.notifications import NotificationKind
from backend.notify.services import channels
from backend.org.domain.org import AssetKind, AssetType, CustomerTier
from backend.receivables.services import ledger
from tests.conftest import SYSTEM

ZONE = ZoneInfo("Asia/Shanghai")
JOB = Actor.system(Origin.JOB, "tests")
SECRET = "whsec_devices_3f9a8b7c6d5e"
PATH = "/platform/commands"
DUE = date(2026, 2, 5)
EVERYWHERE = Scope(everything=True)


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), ZONE).astimezone(UTC)


@pytest.fixture
def app_overrides() -> dict[str, Any]:
    """The platform stand-in listens on loopback: listed by name, plain http allowed."""
    return {"OUTBOUND_ALLOWED_HOSTS": "localhost,127.0.0.1"}


def loaded(uow: Any, statement: Any) -> list[Any]:
    """Rows as they are now, readable after their unit of work ends."""
    rows = list(uow.session.scalars(statement))
    uow.session.expunge_all()
    return rows


class Fleet:
    """One project, one customer leasing two excavators, the device platform's webhook."""

    def __init__(self, run: Callable[..., Any], make: dict[str, Any], app: Any, url: str) -> None:
        self.run = run
        self.unit_of_work = app.extensions["leasekeeper.db"].unit_of_work
        east = make["region"]("EAST")
        self.project = make["project"](east, "SH-EQ")
        self.manager = make["user"]("regional_manager", username="rm.east", region_id=east.id)
        self.director = make["user"]("director", username="director")
        self.customer = make["customer"](east, "C-HEAVY", name="上海重工机械有限公司")
        self.machines = [
            make["asset"](
                self.project,
                code,
                kind=AssetKind.EQUIPMENT,
                asset_type=AssetType.MACHINERY,
                floor=None,
                area_m2=None,
                serial_number=f"SANY-SY215-{code}",
            )
            for code in ("EX-01", "EX-02")
        ]
        template = run(
            leases.create_template,
            TEMPLATES_BY_TYPE[ContractType.EQUIPMENT].values() | {"code": "EQ-T", "required_fields": []},
            SYSTEM,
        )
        draft = run(
            leases.create_lease,
            {
                "template_id": template.id,
                "asset_ids": [m.id for m in self.machines],
                "customer_id": self.customer.id,
                "starts_on": date(2026, 2, 1),
                "ends_on": date(2027, 1, 31),
                "charge_lines": [{"charge_type": "rent", "monthly_amount": Decimal("20000.00")}],
            },
            SYSTEM,
        )
        self.lease = run(leases.sign_lease, draft.id, SYSTEM, now=datetime(2026, 1, 10, tzinfo=UTC))
        self.bill = run(
            ledger.create_charge,
            {
                "project_id": self.project.id,
                "customer_id": self.customer.id,
                "lease_id": self.lease.id,
                "kind": "one_off",
                "description": "设备租金 2026年2月",
                "amount": Decimal("20000.00"),
                "due_date": DUE,
                "issued_on": date(2026, 1, 25),
            },
            SYSTEM,
            now=at(date(2026, 1, 25), 9),
        )
        run(
            channels.create,
            {
                "channel": "webhook",
                "name": "设备平台",
                "project_id": self.project.id,
                "target": url,
                "secret": SECRET,
                "kinds": [NotificationKind.DEVICE_CONTROL.value],
            },
            SYSTEM,
            sealer=app.extensions["leasekeeper.secrets"],
            allowed_hosts="localhost,127.0.0.1",
            now=at(date(2026, 1, 25), 9),
        )

    def actor(self, user: Any) -> Actor:
        return Actor(self.run(lambda uow: auth.principal_of(uow.users.find(user.id))), Origin.WEB)

    def review(self, day: date) -> tuple[int, int]:
        """What the dunning run does for locks at 10:00: its decisions, then the two calls; one commit."""
        now = at(day, 10)

        def stage(uow: Any) -> tuple[int, int]:
            project = uow.projects.get(self.project.id, EVERYWHERE)
            today = dunning.business_day(project, now)
            policy = policies.for_project(project.id, uow)[CustomerTier.STANDARD]
            by_customer: dict[int, list[OverdueBill]] = defaultdict(list)
            for row in uow.dunning.open_bills(project.id, today):
                by_customer[row.customer_id].append(
                    OverdueBill(
                        row.id, row.number, row.lease_id, row.due_date, Decimal(row.open), row.currency
                    )
                )
            asked = 0
            for customer_id, bills in by_customer.items():
                decision = decide(Situation(customer_id, bills, Standing()), today, policy.thresholds)
                asked += len(locks.propose_locks(project, today, decision, policy.thresholds, JOB, uow, now))
            unlocked = len(locks.propose_unlocks(project, today, by_customer, JOB, uow, now))
            uow.commit()
            return asked, unlocked

        return self.run(stage)

    def send(self, now: datetime) -> dict[str, Any]:
        """One sending by the minute job, at `now`."""
        return device_commands.send_due(self.unit_of_work, lambda: now).as_details()

    def commands(self) -> list[Any]:
        return self.run(lambda uow: loaded(uow, select(DeviceLock).order_by(DeviceLock.id)))

    def pending_approvals(self) -> list[Any]:
        statement = select(Approval).where(
            Approval.kind == ApprovalKind.DEVICE_LOCK, Approval.status == ApprovalStatus.PENDING
        )
        return self.run(lambda uow: loaded(uow, statement.order_by(Approval.id)))

    def decide(self, approval: Any, decision: Decision, user: Any, day: date, note: str | None = None) -> Any:
        return self.run(approvals.decide, approval.id, decision, note, self.actor(user), now=at(day, 11))

    def pay(self, day: date) -> None:
        self.run(
            ledger.record_payment,
            {
                "customer_id": self.customer.id,
                "project_id": self.project.id,
                "method": "cash",
                "received_on": day,
                "amount": Decimal("20000.00"),
                "allocations": [{"charge_id": self.bill.id, "amount": Decimal("20000.00")}],
            },
            SYSTEM,
            now=at(day, 9),
        )


@pytest.fixture
def fleet(
    run: Callable[..., Any],
    app: Any,
    httpserver: HTTPServer,
    make_region: Any,
    make_project: Any,
    make_asset: Any,
    make_customer: Any,
    make_user: Any,
) -> Iterator[Fleet]:
    make = {"region": make_region, "project": make_project, "asset": make_asset, "customer": make_customer}
    yield Fleet(run, make | {"user": make_user}, app, httpserver.url_for(PATH))
    httpserver.clear()


def received(httpserver: HTTPServer) -> list[Request]:
    return [request for request, _response in httpserver.log]


def assert_signed(request: Request) -> dict[str, Any]:
    """The signature is HMAC-SHA256 over "<timestamp>.<body>" with the webhook's secret; the body."""
    raw = request.get_data()
    timestamp = request.headers["X-LeaseKeeper-Timestamp"]
    expected = hmac.new(SECRET.encode(), f"{timestamp}.".encode() + raw, hashlib.sha256).hexdigest()
    assert request.headers["X-LeaseKeeper-Signature"] == f"sha256={expected}"
    assert request.headers["X-LeaseKeeper-Event"] == "collections.device_lock"
    body: dict[str, Any] = json.loads(raw)
    assert request.headers["X-LeaseKeeper-Delivery"] == f"device-lock-{body['id']}"
    return body


def test_the_lock_is_asked_at_day_20_sent_only_once_approved_and_the_unlock_follows_payment(
    fleet: Fleet, httpserver: HTTPServer
) -> None:
    answers = iter(
        [
            {"status": "locked", "reference": "plat-881"},
            {"status": "unlocked", "reference": "plat-902"},
        ]
    )
    httpserver.expect_request(PATH, method="POST").respond_with_handler(
        lambda _request: Response(json.dumps(next(answers)), status=200, content_type="application/json")
    )

    # 24 February: 24 - 5 = 19 days overdue, under lock_from 20.
    assert fleet.review(date(2026, 2, 24)) == (0, 0)
    # 25 February: 20 days; one request per machine, each with its approval, for the 20,000.00 open.
    assert fleet.review(date(2026, 2, 25)) == (2, 0)
    first, second = fleet.commands()
    assert (first.command, first.state, first.overdue_days, first.amount) == (
        "lock",
        "requested",
        20,
        Decimal("20000.00"),
    )
    assert first.requested_by_id is None  # asked by the rule: nobody is the requester
    assert [c.asset_id for c in (first, second)] == [m.id for m in fleet.machines]
    pending = fleet.pending_approvals()
    assert [a.subject_id for a in pending] == [first.id, second.id]
    assert (
        pending[0].summary
        == f"上海重工机械有限公司: lock EX-01 ({fleet.lease.number}, 20 days, CNY 20,000.00)"
    )

    # Nothing goes out before a second person agrees; a rerun the next day asks nothing new.
    assert fleet.send(at(date(2026, 2, 25), 10, 5)) == {"attempted": 0, "by_state": {}}
    assert received(httpserver) == []
    assert fleet.review(date(2026, 2, 26)) == (0, 0)

    # The regional manager approves EX-01 and rejects EX-02 (on site for repairs).
    fleet.decide(pending[0], Decision.APPROVE, fleet.manager, date(2026, 2, 26))
    fleet.decide(pending[1], Decision.REJECT, fleet.manager, date(2026, 2, 26), "EX-02 在维修中")
    first, second = fleet.commands()
    assert (first.state, first.decided_by_id) == ("approved", fleet.manager.id)
    assert (second.state, second.error) == ("rejected", "EX-02 在维修中")
    assert fleet.review(date(2026, 2, 27)) == (0, 0)  # the rejection stands for this overdue spell

    # The minute job (on the wall clock) posts the lock once, signed; the platform's answer is kept.
    jobs.send_device_commands(fleet.unit_of_work, JobContext.by_hand(datetime.now(UTC)))
    [request] = received(httpserver)
    body = assert_signed(request)
    assert body == {
        "id": first.id,
        "command": "lock",
        "project_id": fleet.project.id,
        "lease": fleet.lease.number,
        "asset": {"code": "EX-01", "name": fleet.machines[0].name or "", "devices": []},
        "customer": "上海重工机械有限公司",
        "overdue_days": 20,
        "amount": "20000.00",
        "currency": "CNY",
        "requested_at": at(date(2026, 2, 25), 10).isoformat(),
    }
    [first, _second] = fleet.commands()
    assert (first.state, first.attempts, first.answer) == (
        "confirmed",
        1,
        {"status": "locked", "reference": "plat-881"},
    )
    assert first.answered_at is not None
    assert first.error is None
    told = fleet.run(
        lambda uow: [
            (n.user_id, n.params["asset"])
            for n in uow.session.scalars(
                select(Notification).where(Notification.kind == NotificationKind.DEVICE_COMMAND_DONE)
            )
        ]
    )
    assert sorted(told) == sorted({(fleet.manager.id, "EX-01"), (fleet.director.id, "EX-01")})
    assert fleet.send(datetime.now(UTC) + timedelta(hours=1)) == {"attempted": 0, "by_state": {}}

    # Paid in full on 2 March: the next run unlocks EX-01 at once (no approval); EX-02 was never locked.
    fleet.pay(date(2026, 3, 2))
    assert fleet.review(date(2026, 3, 2)) == (0, 1)
    assert fleet.send(datetime.now(UTC)) == {"attempted": 1, "by_state": {"confirmed": 1}}
    unlock = fleet.commands()[-1]
    assert (unlock.command, unlock.asset_id, unlock.state) == ("unlock", fleet.machines[0].id, "confirmed")
    assert assert_signed(received(httpserver)[1])["command"] == "unlock"
    assert fleet.review(date(2026, 3, 3)) == (0, 0)

    trail = fleet.run(
        lambda uow: [
            (e.action.value, e.entity_id, e.after.get("command"), e.after["state"])
            for e in uow.session.scalars(
                select(AuditEntry).where(AuditEntry.entity_type == "device_lock").order_by(AuditEntry.id)
            )
        ]
    )
    one, two, three = (str(c.id) for c in fleet.commands())
    # An update keeps only what changed: the command is named on creation.
    assert trail == [
        ("create", one, "lock", "requested"),
        ("create", two, "lock", "requested"),
        ("update", one, None, "approved"),
        ("update", two, None, "rejected"),
        ("update", one, None, "confirmed"),
        ("create", three, "unlock", "approved"),
        ("update", three, None, "confirmed"),
    ]


def test_a_platform_answering_500_is_tried_five_times_then_the_command_fails(
    fleet: Fleet, httpserver: HTTPServer
) -> None:
    httpserver.expect_request(PATH, method="POST").respond_with_data("down for maintenance", status=500)
    fleet.review(date(2026, 2, 25))
    for approval in fleet.pending_approvals():
        fleet.decide(approval, Decision.APPROVE, fleet.manager, date(2026, 2, 25))

    # Attempts at 12:00, then 1, 2, 4, 8 minutes after the one before: 12:01, 12:03, 12:07, 12:15.
    start = at(date(2026, 2, 25), 12)
    minutes = [0, 1, 3, 7, 15]
    tried = []
    for minute in range(0, 17):
        tried.append(fleet.send(start + timedelta(minutes=minute))["attempted"])
    assert [m for m, count in enumerate(tried) if count] == minutes
    assert len(received(httpserver)) == 2 * 5  # both machines, five times each
    for command in fleet.commands():
        assert (command.state, command.attempts) == ("failed", 5)
        assert (
            command.error
            == "device platform at localhost: HTTP 500 INTERNAL SERVER ERROR (gave up after 5 attempts)"
        )
    failed = fleet.run(
        lambda uow: sorted(
            n.user_id
            for n in uow.session.scalars(
                select(Notification).where(Notification.kind == NotificationKind.DEVICE_COMMAND_FAILED)
            )
        )
    )
    # Both commands' failures go to both approvers (the one who decided among them).
    assert failed == sorted([fleet.manager.id, fleet.director.id] * 2)


def test_a_refusal_fails_at_once_and_a_person_sends_it_again(fleet: Fleet, httpserver: HTTPServer) -> None:
    answers = iter([({"status": "refused", "message": "设备离线"}, 200), ({"status": "locked"}, 200)])

    def answer(_request: Request) -> Response:
        body, status = next(answers)
        return Response(json.dumps(body, ensure_ascii=False), status=status, content_type="application/json")

    httpserver.expect_request(PATH, method="POST").respond_with_handler(answer)
    fleet.review(date(2026, 2, 25))
    first, _second = fleet.pending_approvals()
    fleet.decide(first, Decision.APPROVE, fleet.manager, date(2026, 2, 25))
    now = at(date(2026, 2, 25), 12)

    assert fleet.send(now) == {"attempted": 1, "by_state": {"failed": 1}}
    lock = fleet.commands()[0]
    assert (lock.state, lock.error, lock.answer) == (
        "failed",
        "the device platform refused: 设备离线",
        {"status": "refused", "message": "设备离线"},
    )
    assert fleet.send(now + timedelta(minutes=5))["attempted"] == 0

    fleet.run(locks.retry_command, lock.id, fleet.actor(fleet.manager), now=now + timedelta(minutes=6))
    assert fleet.send(now + timedelta(minutes=6)) == {"attempted": 1, "by_state": {"confirmed": 1}}
    assert len(received(httpserver)) == 2


def test_approving_a_lock_of_a_lease_paid_meanwhile_is_refused_and_writes_nothing(fleet: Fleet) -> None:
    fleet.review(date(2026, 2, 25))
    approval = fleet.pending_approvals()[0]
    fleet.pay(date(2026, 2, 26))

    with pytest.raises(Conflict):
        fleet.decide(approval, Decision.APPROVE, fleet.manager, date(2026, 2, 26))

    assert [c.state for c in fleet.commands()] == ["requested", "requested"]
    assert len(fleet.pending_approvals()) == 2
    fleet.decide(approval, Decision.REJECT, fleet.manager, date(2026, 2, 26), "已付清")
    assert fleet.review(date(2026, 2, 27)) == (0, 0)  # nothing overdue, nothing locked: nothing to unlock
