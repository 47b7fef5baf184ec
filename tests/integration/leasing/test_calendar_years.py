"""Entering a year's official holiday arrangement moves unbilled due dates, without a code change."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from backend.core.db.database import Database
from backend.core.db.models import AuditEntry, JobRun
from backend.core.domain.audit import Origin
from backend.core.domain.errors import Forbidden
from backend.core.services.context import Actor
from backend.leasing.db.models import ScheduleItem
from backend.leasing.services import calendars, holiday_calendars, leases
from tests.unit.leasing.test_provisional_calendars import INVENTED_2027

SYSTEM = Actor.system(Origin.CLI, "tests")
NOW = datetime(2026, 12, 2, 2, 0, tzinfo=UTC)
MONTHLY = {
    "code": "CAL-MONTHLY",
    "name": "月付写字楼合同",
    "contract_type": "office",
    "required_fields": [],
    "frequency": "monthly",
    "timing": "prepaid",
    "due_offset_days": 0,
    "business_day_rule": "following",
    "deposit_months": "0",
    "notice_period_days": 90,
    "reminder_days": [],
}
ARRANGEMENT_2027 = {
    "holidays": sorted(INVENTED_2027.holidays),
    "working_days": sorted(INVENTED_2027.working_days),
    "source": "test data, not the State Council's notice",
}


@pytest.fixture(autouse=True)
def _forget_entered_years() -> Iterator[None]:
    """The entered years live in the process; none of this test's may reach the next one."""
    yield
    calendars.bind(None)


@pytest.fixture
def sign(
    run: Callable[..., Any], make_region: Any, make_project: Any, make_asset: Any, make_customer: Any
) -> Callable[[], Any]:
    """Sign a monthly lease from 6 December 2026 to 5 November 2027 on China's calendar."""
    region = make_region()
    project = make_project(region)
    customer = make_customer(region)
    template = run(leases.create_template, dict(MONTHLY), SYSTEM)

    def signed() -> Any:
        draft = run(
            leases.create_lease,
            {
                "template_id": template.id,
                "asset_ids": [make_asset(project).id],
                "customer_id": customer.id,
                "starts_on": date(2026, 12, 6),
                "ends_on": date(2027, 11, 5),
                "charge_lines": [{"charge_type": "rent", "monthly_amount": Decimal("10000.00")}],
            },
            SYSTEM,
        )
        return run(leases.sign_lease, draft.id, SYSTEM, now=NOW)

    return signed


def _due(db: Database, lease_id: int) -> dict[date, tuple[date, bool]]:
    """Period start → (due date, provisional) of a lease's items."""
    with db.unit_of_work() as uow:
        assert uow.session is not None
        statement = select(ScheduleItem).where(ScheduleItem.lease_id == lease_id)
        return {row.period_start: (row.due_date, row.provisional) for row in uow.session.scalars(statement)}


def test_due_dates_in_2027_are_provisional_until_the_year_is_entered(db: Database, sign: Any) -> None:
    lease = sign()
    due = _due(db, lease.id)
    assert due[date(2026, 12, 6)] == (date(2026, 12, 7), False)  # a Sunday, 2026 is official
    assert due[date(2027, 10, 6)] == (date(2027, 10, 6), True)  # the estimate keeps 6 October working
    assert all(provisional for start, (_, provisional) in due.items() if start.year == 2027)


def test_entering_2027_moves_the_october_due_date_and_lists_it(
    db: Database, run: Callable[..., Any], sign: Any
) -> None:
    lease = sign()
    answer = run(holiday_calendars.set_year, "cn", 2027, ARRANGEMENT_2027, SYSTEM, now=NOW)
    october = [m for m in answer["moved"] if m["period_start"] == "2027-10-06"]
    assert october == [
        {
            "lease_id": lease.id,
            "lease": lease.number,
            "item_id": october[0]["item_id"],
            "line_key": "1",
            "charge_type": "rent",
            "period_start": "2027-10-06",
            "period_end": "2027-11-05",
            "old_due_date": "2027-10-06",
            "new_due_date": "2027-10-08",
        }
    ]
    due = _due(db, lease.id)
    assert due[date(2027, 10, 6)] == (date(2027, 10, 8), False)
    assert not any(provisional for _, provisional in due.values())
    with db.unit_of_work() as uow:
        assert uow.session is not None
        entries = uow.session.execute(
            select(AuditEntry.before, AuditEntry.after).where(
                AuditEntry.entity_type == "lease_schedule", AuditEntry.entity_id == str(lease.id)
            )
        ).all()
    moved = [(before, after) for before, after in entries if (after or {}).get("calendar") == "CN"]
    assert moved[0][0]["due_dates"][str(october[0]["item_id"])] == "2027-10-06"
    assert moved[0][1]["due_dates"][str(october[0]["item_id"])] == "2027-10-08"


def test_a_lease_signed_after_the_year_was_entered_uses_it(
    run: Callable[..., Any], db: Database, sign: Any
) -> None:
    run(holiday_calendars.set_year, "CN", 2027, ARRANGEMENT_2027, SYSTEM, now=NOW)
    lease = sign()
    assert _due(db, lease.id)[date(2027, 10, 6)] == (date(2027, 10, 8), False)


def test_removing_the_year_brings_the_estimate_back(run: Callable[..., Any], db: Database, sign: Any) -> None:
    lease = sign()
    run(holiday_calendars.set_year, "CN", 2027, ARRANGEMENT_2027, SYSTEM, now=NOW)
    answer = run(holiday_calendars.delete_year, "CN", 2027, SYSTEM, now=NOW)
    assert [m["new_due_date"] for m in answer["moved"] if m["period_start"] == "2027-10-06"] == ["2027-10-06"]
    assert _due(db, lease.id)[date(2027, 10, 6)] == (date(2027, 10, 6), True)


def test_the_year_reads_back_as_entered_and_official(run: Callable[..., Any]) -> None:
    estimate = run(holiday_calendars.get_year, "CN", 2027, SYSTEM)
    assert estimate["official"] is False
    assert date(2027, 10, 5) in estimate["holidays"]
    assert estimate["working_days"] == []
    run(holiday_calendars.set_year, "CN", 2027, ARRANGEMENT_2027, SYSTEM, now=NOW)
    entered = run(holiday_calendars.get_year, "CN", 2027, SYSTEM)
    assert entered["official"] is True
    assert entered["working_days"] == [
        date(2027, 2, 20),
        date(2027, 4, 25),
        date(2027, 5, 8),
        date(2027, 9, 25),
        date(2027, 10, 9),
    ]
    assert run(holiday_calendars.list_years, "CN", SYSTEM) == {
        "code": "CN",
        "package_official_until": 2026,
        "entered_years": [2027],
    }


def test_only_head_office_enters_a_year(run: Callable[..., Any], make_user: Any, make_region: Any) -> None:
    from backend.core.services import auth

    region = make_region()
    manager = make_user("regional_manager", region_id=region.id)
    actor = Actor(auth.principal_of(manager), Origin.WEB)
    with pytest.raises(Forbidden):
        run(holiday_calendars.set_year, "CN", 2027, ARRANGEMENT_2027, actor, now=NOW)


def test_the_weekly_recompute_marks_items_written_before_provisional_dates_existed(
    run: Callable[..., Any], db: Database, sign: Any
) -> None:
    """Items written before migration 0012 carry no provisional mark; the weekly job puts it on."""
    lease = sign()
    with db.unit_of_work() as uow:
        assert uow.session is not None
        for row in uow.session.scalars(select(ScheduleItem).where(ScheduleItem.lease_id == lease.id)):
            row.provisional = False
        uow.commit()

    report = run(holiday_calendars.recompute_all, SYSTEM, now=NOW)

    assert report == {"calendars": ["CN"], "moved": 0, "failures": 0}  # marks change, no date moves
    due = _due(db, lease.id)
    assert all(provisional for start, (_, provisional) in due.items() if start.year == 2027)
    assert not any(provisional for start, (_, provisional) in due.items() if start.year == 2026)
    with db.unit_of_work() as uow:
        assert uow.session is not None
        [job] = uow.session.scalars(select(JobRun).where(JobRun.kind == "schedule.calendar_recompute")).all()
        assert (job.status, job.details["calendars"]) == ("succeeded", ["CN"])
