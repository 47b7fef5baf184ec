"""Official holiday arrangements as data: head office enters a year, unbilled due dates follow it.

China's State Council publishes each year's days off and make-up working days late in the year before; the
`holidays` package only estimates the years after the last one it ships. Entering a year replaces the
estimate and makes the year official; the due dates of live leases that are not billed yet are worked out
again on the new calendar and every one that moves is listed, in the answer and in the audit log.
"""

from __future__ import annotations

import calendar as month_calendar
import dataclasses
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from backend.core.domain.access import Permission as P
from backend.core.domain.audit import AuditAction, json_safe
from backend.core.domain.errors import N_, DomainError, Forbidden, NotFound, ValidationFailed
from backend.core.domain.jobs import JobKind, JobStatus
from backend.core.services import audit
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.leasing.domain.leases import SCHEDULED
from backend.leasing.domain.schedule.calendars import CalendarYear, HolidayCalendar, holiday_calendar
from backend.leasing.domain.schedule.terms import BusinessDayRule, ScheduleError
from backend.leasing.services import calendars, schedules

CHUNK = 500


def _configure(actor: Actor) -> None:
    if not actor.require(P.LEASE_CONFIGURE).everything:
        raise Forbidden(N_("Only head office may enter holiday calendars."))


def _code(code: str) -> str:
    """The calendar code as stored on projects (upper case), or a 422 naming `code` when unknown."""
    normalised = code.strip().upper()
    try:
        holiday_calendar(normalised)
    except ScheduleError:
        raise ValidationFailed.single(
            "code", N_("Unknown holiday calendar; use an ISO country code such as CN.")
        ) from None
    return normalised


def _entered_in(uow: UnitOfWork, code: str) -> list[CalendarYear]:
    return [calendars.year_of(row) for row in uow.calendar_years.of_code(code)]


def _days_of(year: int) -> list[date]:
    first = date(year, 1, 1)
    return [first + timedelta(days=n) for n in range(366 if month_calendar.isleap(year) else 365)]


def _year_view(code: str, year: int, calendar: HolidayCalendar, row: Any | None) -> dict[str, Any]:
    """A year as it stands: days off on weekdays, weekend days worked, and whether it is official."""
    days = _days_of(year)
    return {
        "code": code,
        "year": year,
        "holidays": [d for d in days if d.weekday() < 5 and not calendar.is_working_day(d)],
        "working_days": [d for d in days if d.weekday() >= 5 and calendar.is_working_day(d)],
        "official": not calendar.is_provisional(date(year, 1, 1)),
        "entered": row is not None,
        "source": row.source if row is not None else None,
        "updated_at": row.updated_at if row is not None else None,
    }


# Reading ---------------------------------------------------------------------------------------


def list_years(code: str, actor: Actor, uow: UnitOfWork) -> dict[str, Any]:
    """Which years of a calendar are official: up to the package's last one, and those entered."""
    actor.require(P.LEASE_READ)
    code = _code(code)
    package = holiday_calendar(code)
    return {
        "code": code,
        "package_official_until": package.official_until,
        "entered_years": [row.year for row in uow.calendar_years.of_code(code)],
    }


def get_year(code: str, year: int, actor: Actor, uow: UnitOfWork) -> dict[str, Any]:
    """One year of a calendar: entered, shipped by the package, or the package's estimate (provisional)."""
    actor.require(P.LEASE_READ)
    code = _code(code)
    calendar = holiday_calendar(code, _entered_in(uow, code))
    return _year_view(code, year, calendar, uow.calendar_years.find(code, year))


# Entering a year ---------------------------------------------------------------------------------


def set_year(
    code: str, year: int, values: Mapping[str, Any], actor: Actor, uow: UnitOfWork, now: datetime
) -> dict[str, Any]:
    """Enter (or correct) a year's official arrangement; unbilled due dates of live leases follow it."""
    _configure(actor)
    code = _code(code)
    entered = CalendarYear(year, frozenset(values["holidays"]), frozenset(values["working_days"]))
    if problems := entered.problems():
        raise ValidationFailed(problems)
    row = uow.calendar_years.find(code, year)
    before = _stored(row) if row is not None else None
    if row is None:
        row = uow.calendar_years.create(code=code, year=year)
    row.holidays = sorted(d.isoformat() for d in entered.holidays)
    row.working_days = sorted(d.isoformat() for d in entered.working_days)
    row.source = values.get("source")
    uow.flush()
    return _apply(code, year, row, before, actor, uow, now)


def delete_year(code: str, year: int, actor: Actor, uow: UnitOfWork, now: datetime) -> dict[str, Any]:
    """Remove an entered year: the package's calendar applies again, and unbilled due dates follow it."""
    _configure(actor)
    code = _code(code)
    row = uow.calendar_years.find(code, year)
    if row is None:
        raise NotFound("Holiday calendar year")
    before = _stored(row)
    uow.calendar_years.delete(row)
    uow.flush()
    return _apply(code, year, None, before, actor, uow, now)


def recompute(code: str, actor: Actor, uow: UnitOfWork, now: datetime) -> dict[str, Any]:
    """Work the unbilled due dates of live leases out again on the calendar as it stands (after an update
    of the holidays package, say): each date that now differs is moved and listed."""
    _configure(actor)
    code = _code(code)
    calendar = holiday_calendar(code, _entered_in(uow, code))
    moved, failures = _follow(code, calendar, actor, uow, now)
    audit.record(
        uow,
        actor,
        AuditAction.UPDATE,
        "holiday_calendar",
        code,
        after={"recomputed": True, "moved": moved, "failures": failures},
    )
    uow.commit()
    return {"code": code, "year": None, "moved": moved, "failures": failures}


def recompute_all(actor: Actor, uow: UnitOfWork, now: datetime, run_id: int | None = None) -> dict[str, Any]:
    """Weekly: `recompute` every calendar projects use, so a package update with a newly official year
    (or any estimate it corrects) reaches unbilled due dates without anyone asking. Records a job run."""
    results = [recompute(code, actor, uow, now) for code in uow.projects.holiday_calendars()]
    moved = sum(len(result["moved"]) for result in results)
    failed = sum(len(result["failures"]) for result in results)
    uow.job_runs.record(
        run_id,
        kind=JobKind.CALENDAR_RECOMPUTE,
        status=JobStatus.FAILED if failed else JobStatus.SUCCEEDED,
        reason=f"{failed} leases could not be worked out" if failed else None,
        details={"calendars": [r["code"] for r in results], "moved": moved, "failures": failed},
        requested_by_id=actor.user_id,
        started_at=now,
        finished_at=now,
    )
    uow.commit()
    return {"calendars": [r["code"] for r in results], "moved": moved, "failures": failed}


def _stored(row: Any) -> dict[str, Any]:
    return {"holidays": list(row.holidays), "working_days": list(row.working_days), "source": row.source}


def _apply(
    code: str,
    year: int,
    row: Any | None,
    before: dict[str, Any] | None,
    actor: Actor,
    uow: UnitOfWork,
    now: datetime,
) -> dict[str, Any]:
    """Move the due dates to the calendar with the change, audit it, commit, and use it in this process."""
    calendar = holiday_calendar(code, _entered_in(uow, code))
    moved, failures = _follow(code, calendar, actor, uow, now)
    if row is None:
        action = AuditAction.DELETE
    else:
        action = AuditAction.CREATE if before is None else AuditAction.UPDATE
    audit.record(
        uow,
        actor,
        action,
        "holiday_calendar_year",
        f"{code}-{year}",
        before=before,
        after={**_stored(row), "moved": moved, "failures": failures} if row is not None else None,
    )
    uow.commit()
    calendars.install(calendars.snapshot(uow))
    return {"code": code, "year": year, "moved": moved, "failures": failures}


# Moving due dates --------------------------------------------------------------------------------


def _item_key(item: Any) -> tuple[Any, ...]:
    return (item.line_key, item.charge_type, item.period_start, item.period_end, item.is_concession)


def _follow(
    code: str, calendar: HolidayCalendar, actor: Actor, uow: UnitOfWork, now: datetime
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Move the unbilled due dates of every live lease on calendar `code` to what `calendar` gives.

    Only due dates and provisional marks change, through the schedule repository: amounts, periods and
    billed items are left as they are. Returns the moved items and the leases that could not be planned.
    """
    scope = actor.require(P.LEASE_CONFIGURE)

    def calendar_for(other: str) -> Any:
        return calendar if other.strip().upper() == code else schedules.calendar_of(other)

    moved: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    lease_ids = uow.leases.ids_in(sorted(SCHEDULED))
    for start in range(0, len(lease_ids), CHUNK):
        for lease in uow.leases.many(lease_ids[start : start + CHUNK], scope):
            if lease.project.holiday_calendar.strip().upper() != code:
                continue
            try:
                lease_moved = _follow_lease(lease, calendar, calendar_for, uow, now)
            except DomainError as exc:
                failures.append(
                    {"lease_id": lease.id, "lease": lease.number, "reason": schedules.reason_of(exc)}
                )
                continue
            if lease_moved:
                _audit_lease(lease, lease_moved, code, actor, uow)
                moved += lease_moved
    return json_safe(moved), failures


def _follow_lease(
    lease: Any,
    calendar: HolidayCalendar,
    calendar_for: Callable[[str], Any],
    uow: UnitOfWork,
    now: datetime,
) -> list[dict[str, Any]]:
    today = schedules.business_today(lease, now)
    stored = uow.schedules.unbilled_of(lease.id, today)
    if not stored:
        return []
    fresh = {
        _item_key(item): item.due_date
        for item in schedules.plan_terms(lease, uow.price_indexes.series, calendar_for).items
    }
    shifted = lease.business_day_rule is not BusinessDayRule.NONE
    changes: list[dict[str, Any]] = []
    moved: list[dict[str, Any]] = []
    for item in stored:
        due = fresh.get(_item_key(item), item.due_date)
        provisional = shifted and calendar.is_provisional(due)
        if due == item.due_date and provisional == item.provisional:
            continue
        changes.append({"id": item.id, "due_date": due, "provisional": provisional})
        if due != item.due_date:
            moved.append(
                {
                    "lease_id": lease.id,
                    "lease": lease.number,
                    "item_id": item.id,
                    "line_key": item.line_key,
                    "charge_type": item.charge_type.value,
                    "period_start": item.period_start,
                    "period_end": item.period_end,
                    "old_due_date": item.due_date,
                    "new_due_date": due,
                }
            )
    uow.schedules.move_due_dates(changes)
    return moved


def _audit_lease(
    lease: Any, moved: Sequence[dict[str, Any]], code: str, actor: Actor, uow: UnitOfWork
) -> None:
    audit.record(
        uow,
        actor,
        AuditAction.UPDATE,
        "lease_schedule",
        lease.id,
        before={"due_dates": {str(m["item_id"]): m["old_due_date"] for m in moved}},
        after={"due_dates": {str(m["item_id"]): m["new_due_date"] for m in moved}, "calendar": code},
        project_id=lease.project_id,
        region_id=lease.project.region_id,
    )


# The preview, marked -----------------------------------------------------------------------------


def preview(lease_id: int, actor: Actor, uow: UnitOfWork) -> dict[str, Any]:
    """The full-term schedule the lease's terms produce, not written, each due date marked provisional
    when it rests on an estimated year."""
    result = schedules.preview(lease_id, actor, uow)
    lease = uow.leases.get(lease_id, actor.require(P.LEASE_READ))
    provisional = calendars.provisional_for(lease)
    items = [
        dataclasses.asdict(item) | {"provisional": provisional(item.due_date)} for item in result["items"]
    ]
    return result | {"items": items}
