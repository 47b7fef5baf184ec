"""Job-run bookkeeping of failed generations, a draft's due day, and a refusal that fits who is refused."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from backend.core.db.database import Database
from backend.core.db.models import JobRun
from backend.core.domain.access import Assignment, Role
from backend.core.domain.audit import Origin
from backend.core.domain.errors import Forbidden
from backend.core.domain.jobs import JobStatus
from backend.core.services import auth, jobs, users
from backend.core.services.context import Actor
from backend.leasing.services import leases, schedules
from backend.leasing.services.schedules import GenerationFailed

SYSTEM = Actor.system(Origin.CLI, "tests")
NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
TEMPLATE = {
    "code": "OFFICE-15",
    "name": "标准写字楼租赁合同",
    "contract_type": "office",
    "required_fields": [],
    "frequency": "monthly",
    "timing": "prepaid",
    "due_offset_days": -15,
    "business_day_rule": "following",
    "deposit_months": "0",
    "notice_period_days": 90,
    "reminder_days": [],
}


@pytest.fixture
def draft(
    run: Callable[..., Any], make_region: Any, make_project: Any, make_asset: Any, make_customer: Any
) -> Callable[..., Any]:
    """Draft a 2027 lease on the −15 days template: draft(due_day=5)."""
    region = make_region()
    project = make_project(region)
    customer = make_customer(region)
    template = run(leases.create_template, dict(TEMPLATE), SYSTEM)

    def create(**values: Any) -> Any:
        body = {
            "template_id": template.id,
            "asset_ids": [make_asset(project).id],
            "customer_id": customer.id,
            "starts_on": date(2027, 1, 1),
            "ends_on": date(2027, 12, 31),
            "charge_lines": [{"charge_type": "rent", "monthly_amount": Decimal("10000.00")}],
        } | values
        return run(leases.create_lease, body, SYSTEM)

    return create


def _runs(db: Database) -> list[tuple[int, JobStatus, int | None, datetime | None]]:
    with db.unit_of_work() as uow:
        assert uow.session is not None
        statement = select(JobRun.id, JobRun.status, JobRun.retry_of_id, JobRun.finished_at).order_by(
            JobRun.id
        )
        return [tuple(row) for row in uow.session.execute(statement)]  # type: ignore[misc]


def test_a_failed_run_is_finished_and_retries_point_back_to_the_run_they_retry(
    db: Database, run: Callable[..., Any], draft: Any
) -> None:
    lease = draft(due_offset_days=-400)  # beyond a year: the schedule cannot be generated
    with pytest.raises(GenerationFailed):
        run(leases.sign_lease, lease.id, SYSTEM, now=NOW)
    [(first, status, retry_of, finished)] = _runs(db)
    assert (status, retry_of) == (JobStatus.FAILED, None)
    assert finished is not None

    with pytest.raises(GenerationFailed):
        run(jobs.retry, first, SYSTEM, now=NOW)
    second = _runs(db)[1]
    assert second[1:3] == (JobStatus.FAILED, first)
    assert second[3] is not None

    run(leases.update_lease, lease.id, {"due_offset_days": -15}, SYSTEM)
    run(jobs.retry, second[0], SYSTEM, now=NOW)
    runs = _runs(db)
    assert [(status, retry_of) for _, status, retry_of, _ in runs] == [
        (JobStatus.FAILED, None),
        (JobStatus.RETRIED, first),
        (JobStatus.SUCCEEDED, second[0]),
    ]


def test_a_draft_given_a_due_day_drops_the_templates_offset_and_previews(
    run: Callable[..., Any], draft: Any
) -> None:
    lease = draft(due_day=5)
    assert (lease.due_day, lease.due_offset_days) == (5, 0)
    items = run(schedules.preview, lease.id, SYSTEM)["items"]
    # 5 February 2027 falls in the (estimated) Spring Festival and follows to the 11th.
    assert [item.due_date for item in items[:3]] == [date(2027, 1, 5), date(2027, 2, 11), date(2027, 3, 5)]

    other = draft()
    assert other.due_offset_days == -15
    changed = run(leases.update_lease, other.id, {"due_day": 20}, SYSTEM)
    assert (changed.due_day, changed.due_offset_days) == (20, 0)


def test_an_admin_held_for_one_region_is_told_about_reach_not_that_only_admins_may(
    db: Database, run: Callable[..., Any], make_user: Any, make_region: Any
) -> None:
    region = make_region()
    admin = make_user("admin")
    with db.unit_of_work(writes=True) as uow:
        user = uow.users.find(admin.id)
        # Older data: an admin role held for one region (validation refuses this today).
        uow.users.set_assignments(user, [Assignment(Role.ADMIN, region_id=region.id)])
        uow.commit()
        actor = Actor(auth.principal_of(user), Origin.WEB)
    with pytest.raises(Forbidden) as refused:
        run(users.create_user, {"username": "newcomer", "password": "correct horse battery"}, actor)
    assert refused.value.message == (
        "Only head office manages user accounts; your roles cover only some regions or projects."
    )
