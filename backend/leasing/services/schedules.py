"""Generating rent schedules: preview, materialise, regenerate, dry-run; failures are recorded and alerted."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from backend.core.domain.access import Permission as P
from backend.core.domain.access import Scope
from backend.core.domain.audit import AuditAction, json_safe
from backend.core.domain.errors import N_, Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from backend.core.domain.jobs import JobKind, JobStatus, ScheduleTrigger
from backend.core.services import audit
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.leasing.domain import schedule as engine
from backend.leasing.domain.leases import SCHEDULED
from backend.leasing.services import calendars
from backend.notify.domain.notifications import NotificationKind, message_param
from backend.notify.services import notifications

log = logging.getLogger(__name__)
T = TypeVar("T")
IndexLookup = Callable[[str], engine.IndexSeries]
CalendarLookup = Callable[[str], engine.WorkingCalendar]
MATERIALISE_CHUNK = 500


class GenerationFailed(ValidationFailed):
    """A schedule could not be generated; the failure is recorded as a job run and alerted."""

    def __init__(self, cause: DomainError, job_run_id: int) -> None:
        super().__init__(
            cause.fields or {"schedule": [cause.message % cause.params if cause.params else cause.message]},
            message=N_("The rent schedule could not be generated (job run %(run)s); nothing was saved."),
        )
        self.params = {"run": job_run_id}
        self.job_run_id = job_run_id


def terms_of(lease: Any) -> engine.BillingTerms:
    """The billing terms a lease row carries."""
    return engine.BillingTerms(
        frequency=lease.frequency,
        timing=lease.timing,
        due_rule=engine.DueRule(day_of_month=lease.due_day, offset_days=lease.due_offset_days or 0),
        business_day_rule=lease.business_day_rule,
        anchor=lease.anchor,
        prorate=lease.prorate,
        rounding=lease.rounding,
    )


def _escalation_of(line: Any) -> engine.Escalation | None:
    if line.escalation_kind is None or line.escalation_every_months is None:
        return None
    return engine.Escalation(
        kind=line.escalation_kind,
        every_months=line.escalation_every_months,
        value=line.escalation_value,
        floor_percent=line.escalation_floor_percent,
        cap_percent=line.escalation_cap_percent,
    )


def _line(row: Any, lease: Any) -> engine.ChargeLine:
    return engine.ChargeLine(
        key=row.key,
        charge_type=row.charge_type,
        monthly_amount=row.monthly_amount,
        starts=row.starts_on or lease.starts_on,
        ends=row.ends_on or lease.ends_on,
        frequency=row.frequency,
    )


@dataclass(frozen=True)
class Awaited:
    """A CPI line generated only up to `covered_until`: its next step waits on an index month."""

    series: str
    month: date
    covered_until: date


@dataclass
class Plan:
    """What generation produces for one lease: line versions to open, items to write, index months awaited."""

    opened: list[tuple[Any, list[engine.ChargeLine]]] = field(default_factory=list)
    lines: list[engine.ChargeLine] = field(default_factory=list)
    items: list[engine.ScheduleItem] = field(default_factory=list)
    awaiting: list[Awaited] = field(default_factory=list)


def calendar_of(code: str) -> engine.WorkingCalendar:
    """The working calendar of a holiday-calendar code with the official years entered as data (built once
    per process and set of entered years; its package years load lazily)."""
    return calendars.calendar_of(code)


def plan(lease: Any, uow: UnitOfWork, term_end: date | None = None) -> Plan:
    """Expand escalations and generate the schedule up to `term_end` (default: the term), writing nothing."""
    return plan_terms(lease, uow.price_indexes.series, calendar_of, term_end)


def plan_terms(
    lease: Any, index_of: IndexLookup, calendar_for: CalendarLookup, term_end: date | None = None
) -> Plan:
    """`plan` without a unit of work: the lease's rows (or look-alikes) in, line versions and items out.

    `lease` needs the term, the billing-term columns, `current_lines`, `current_concessions` and
    `project.holiday_calendar`; price index series and calendars come through the two look-ups.
    """
    if lease.starts_on is None or lease.ends_on is None:
        raise ValidationFailed(
            {
                name: [N_("Required to generate a schedule.")]
                for name in ("starts_on", "ends_on")
                if getattr(lease, name) is None
            }
        )
    end = term_end or lease.ends_on
    result = Plan()
    versions: dict[int, list[Any]] = {}
    for row in lease.current_lines:
        versions.setdefault(row.series, []).append(row)
    opened = {row.series for row in lease.charge_lines if row.version > 1}
    for series, series_rows in versions.items():
        head = series_rows[0]
        rule = _escalation_of(head)
        # A chain steps to its first version's end: the term's, unless an amendment ended it earlier.
        until = head.ends_on or lease.ends_on
        if rule is not None and rule.kind == engine.EscalationKind.CPI:
            # Index steps are worked out afresh each time: up to the last published month, and again
            # when a value arrives or is corrected. Their versions are not stored.
            expanded, awaited = engine.escalate_known(
                _line(head, lease),
                rule,
                until,
                index_of(head.escalation_index),
                head.escalation_anchor,
            )
            if awaited is not None:
                result.awaiting.append(Awaited(head.escalation_index, awaited, expanded[-1].ends))
            result.lines.extend(_clipped(expanded, end))
        elif rule is not None and series not in opened:
            expanded = engine.escalate(_line(head, lease), rule, until, None, head.escalation_anchor)
            result.opened.append((head, expanded))
            result.lines.extend(_clipped(expanded, end))
        else:
            result.lines.extend(_clipped([_line(row, lease) for row in series_rows], end))
    concessions = [
        engine.Concession(
            key=f"c{index}",
            starts=c.starts_on,
            ends=min(c.ends_on, end),
            percent=c.percent,
            charge_type=c.charge_type,
        )
        for index, c in enumerate(lease.current_concessions, start=1)
        if c.starts_on <= end
    ]
    calendar = calendar_for(lease.project.holiday_calendar)
    result.items = engine.generate(lease.starts_on, end, terms_of(lease), result.lines, concessions, calendar)
    return result


def _clipped(lines: Sequence[engine.ChargeLine], end: date) -> list[engine.ChargeLine]:
    """Line versions cut at an early end (a termination); versions starting later are dropped."""
    return [dataclasses.replace(line, ends=min(line.ends, end)) for line in lines if line.starts <= end]


def _open_versions(lease: Any, plan_: Plan, uow: UnitOfWork) -> None:
    """Persist the versions an escalation opens: each one ends the previous, none is edited in place."""
    for head, expanded in plan_.opened:
        if len(expanded) <= 1:
            continue
        head.starts_on, head.ends_on = expanded[0].starts, expanded[0].ends
        for version, line in enumerate(expanded[1:], start=2):
            uow.charge_lines.add(
                lease,
                series=head.series,
                version=version,
                charge_type=line.charge_type,
                monthly_amount=line.monthly_amount,
                starts_on=line.starts,
                ends_on=line.ends,
                frequency=line.frequency,
            )


def item_rows(lease: Any, items: Iterable[engine.ScheduleItem]) -> list[dict[str, Any]]:
    """Column values of schedule items of one lease; due dates in a not yet published year are provisional."""
    provisional = calendars.provisional_for(lease)
    return [
        {
            "lease_id": lease.id,
            "project_id": lease.project_id,
            "lease_version": lease.version,
            "line_key": item.line_key,
            "charge_type": item.charge_type,
            "period_start": item.period_start,
            "period_end": item.period_end,
            "due_date": item.due_date,
            "months": item.months,
            "amount": item.amount,
            "is_concession": item.is_concession,
            "provisional": provisional(item.due_date),
            "status": "scheduled",
        }
        for item in items
    ]


def _as_engine_item(row: Any) -> engine.ScheduleItem:
    return engine.ScheduleItem(
        line_key=row.line_key,
        charge_type=row.charge_type,
        period_start=row.period_start,
        period_end=row.period_end,
        due_date=row.due_date,
        months=row.months,
        amount=row.amount,
        is_concession=row.is_concession,
    )


def business_today(lease: Any, now: datetime) -> date:
    """Today in the lease's project time zone: the date the billed-period rule is applied on."""
    return now.astimezone(ZoneInfo(lease.project.timezone)).date()


def settlement_of(
    kept: Sequence[Any], fresh: Sequence[engine.ScheduleItem], today: date
) -> engine.Settlement:
    """Fresh items against the kept rows: billed periods stay, their differences to settle are worked out."""
    billed = [
        _as_engine_item(row) for row in kept if engine.counts_as_billed(row.status, row.due_date, today)
    ]
    adjustments = [_as_engine_item(row) for row in kept if row.status == engine.ADJUSTMENT]
    return engine.settle(billed, adjustments, fresh)


def adjustment_rows(
    lease: Any, differences: Sequence[engine.Difference], today: date, label: str
) -> list[dict[str, Any]]:
    """Adjustment items settling billed periods: due on `today`, billed at the next billing run."""
    return [
        {
            "lease_id": lease.id,
            "project_id": lease.project_id,
            "lease_version": lease.version,
            "line_key": label,
            "charge_type": difference.charge_type,
            "period_start": difference.period_start,
            "period_end": difference.period_end,
            "due_date": today,
            "months": Decimal(0),
            "amount": difference.amount,
            "is_concession": False,
            "provisional": False,
            "status": engine.ADJUSTMENT,
        }
        for difference in differences
    ]


def materialise(
    lease: Any,
    uow: UnitOfWork,
    now: datetime,
    term_end: date | None = None,
    *,
    settle_billed: bool = True,
    label: str | None = None,
) -> int:
    """Write a lease's schedule (staged, not committed): billed periods are kept as they are.

    Where the terms now give billed dates a different amount, an adjustment item settles the difference
    (`settle_billed`; an early termination keeps what was billed instead). Returns the items written.
    """
    today = business_today(lease, now)
    plan_ = plan(lease, uow, term_end)
    settlement = settlement_of(uow.schedules.kept_of(lease.id, today), plan_.items, today)
    adjustments = settlement.adjustments if settle_billed else []
    return _rewrite(lease, plan_, settlement.items, adjustments, today, label or f"adj{lease.version}", uow)


def _rewrite(
    lease: Any,
    plan_: Plan,
    items: Sequence[engine.ScheduleItem],
    adjustments: Sequence[engine.Difference],
    today: date,
    label: str,
    uow: UnitOfWork,
) -> int:
    """Replace a lease's unbilled items by `items` and the adjustments (staged); the rows written."""
    _open_versions(lease, plan_, uow)
    uow.flush()
    uow.schedules.delete_unbilled(lease.id, today)
    uow.schedules.insert_rows(item_rows(lease, items) + adjustment_rows(lease, adjustments, today, label))
    return len(items) + len(adjustments)


def refresh(lease: Any, uow: UnitOfWork, now: datetime, label: str) -> int | None:
    """Regenerate only if the terms now give something else than what is stored (staged, not committed).

    For index values that arrived or were corrected: the unbilled periods are rewritten, billed ones
    settled by adjustments labelled `label`. None when nothing would change.
    """
    today = business_today(lease, now)
    plan_ = plan(lease, uow)
    rows = uow.schedules.of_lease(lease.id)
    kept = [row for row in rows if engine.is_kept(row.status, row.due_date, today)]
    settlement = settlement_of(kept, plan_.items, today)
    stored = sorted(
        (_as_engine_item(row) for row in rows if not engine.is_kept(row.status, row.due_date, today)),
        key=engine.sort_key,
    )
    if stored == settlement.items and not settlement.adjustments:
        return None
    return _rewrite(lease, plan_, settlement.items, settlement.adjustments, today, label, uow)


@dataclass(frozen=True)
class IndexWait:
    """A lease whose CPI step waits on an index month."""

    lease_id: int
    number: str
    series: str
    month: date
    step: date
    days_late: int


@dataclass(frozen=True)
class IndexReport:
    """Outcome of following the price indexes: leases looked at, regenerated, still waiting, failed."""

    checked: int
    regenerated: tuple[str, ...]
    waiting: tuple[IndexWait, ...]
    failures: tuple[BatchFailure, ...]
    alerted: int
    job_run_id: int | None


def reindex(series: str, actor: Actor, uow: UnitOfWork, now: datetime) -> list[str]:
    """After an index series changed: regenerate each live lease stepping on it (staged, not committed).

    Returns the numbers of the leases whose schedule changed; a lease that can no longer be generated
    refuses the whole change (nothing is written).
    """
    changed = []
    for lease_id in uow.leases.ids_indexed(sorted(SCHEDULED), series):
        lease = uow.leases.get(lease_id, Scope(everything=True))
        uow.leases.lock(lease)
        count = refresh(lease, uow, now, f"cpi{lease.version}")
        if count is not None:
            changed.append(lease.number)
            _audit_regenerated(lease, count, {"index": series}, actor, uow)
    return changed


def _audit_regenerated(lease: Any, count: int, why: dict[str, Any], actor: Actor, uow: UnitOfWork) -> None:
    audit.record(
        uow,
        actor,
        AuditAction.UPDATE,
        "lease_schedule",
        lease.id,
        before={"items": None},
        after={"items": count, **why},
        project_id=lease.project_id,
        region_id=lease.project.region_id,
    )


def follow_indexes(actor: Actor, uow: UnitOfWork, now: datetime, run_id: int | None = None) -> IndexReport:
    """Daily: extend CPI leases as index values arrive, and alert on steps waiting past the publication lag.

    Each lease is regenerated in its own transaction (only when its schedule changes). A step still
    waiting `PUBLICATION_LAG_DAYS` after its date alerts the account manager, then weekly until the
    value is entered.
    """
    scope = actor.require(P.LEASE_WRITE)
    lease_ids = uow.leases.ids_indexed(sorted(SCHEDULED))
    regenerated: list[str] = []
    waiting: list[IndexWait] = []
    failures: list[BatchFailure] = []
    alerted = 0
    for lease_id in lease_ids:
        lease = uow.leases.get(lease_id, scope)
        lease_ref = ref(lease)
        try:
            uow.leases.lock(lease)
            count = refresh(lease, uow, now, f"cpi{lease.version}")
            if count is not None:
                regenerated.append(lease.number)
                _audit_regenerated(lease, count, {"trigger": "index"}, actor, uow)
            today = business_today(lease, now)
            for awaited in plan(lease, uow).awaiting:
                step = awaited.covered_until + timedelta(days=1)
                late = (today - step).days - engine.PUBLICATION_LAG_DAYS
                if late < 0:
                    continue
                waiting.append(IndexWait(lease.id, lease.number, awaited.series, awaited.month, step, late))
                if late % 7 == 0:
                    alerted += 1
                    notifications.notify(
                        uow,
                        [lease.account_manager_id],
                        NotificationKind.INDEX_AWAITED,
                        {
                            "lease": lease.number,
                            "covered_until": awaited.covered_until.isoformat(),
                            "step": step.isoformat(),
                            "series": awaited.series,
                            "month": awaited.month.strftime("%Y-%m"),
                            "days": late + engine.PUBLICATION_LAG_DAYS,
                        },
                        project_id=lease.project_id,
                        subject=("lease", lease.id),
                    )
            uow.commit()
        except DomainError as exc:
            uow.rollback()
            run = record_failure(lease_ref, ScheduleTrigger.REGENERATE, actor, uow, exc)
            failures.append(BatchFailure(lease_ref.id, lease_ref.number, reason_of(exc), run))
    run = uow.job_runs.record(
        run_id,
        kind=JobKind.INDEX_EXTENSION,
        status=JobStatus.FAILED if failures else JobStatus.SUCCEEDED,
        reason=f"{len(failures)} of {len(lease_ids)} leases failed" if failures else None,
        details={
            "checked": len(lease_ids),
            "regenerated": regenerated,
            "waiting": [
                {
                    "lease": w.number,
                    "series": w.series,
                    "month": w.month.isoformat(),
                    "step": w.step.isoformat(),
                }
                for w in waiting
            ],
            "alerted": alerted,
        },
        requested_by_id=actor.user_id,
        started_at=now,
        finished_at=now,
    )
    uow.commit()
    return IndexReport(len(lease_ids), tuple(regenerated), tuple(waiting), tuple(failures), alerted, run.id)


def effect_of(lease: Any, uow: UnitOfWork, now: datetime) -> dict[str, Any]:
    """What regenerating `lease` (the amended terms, or look-alike rows) would change, period by period.

    Unbilled periods list their amount before and after; billed ones what was billed, what the terms now
    give, and the adjustment that settles the difference. Nothing is written.
    """
    today = business_today(lease, now)
    rows = uow.schedules.of_lease(lease.id)
    kept = [row for row in rows if engine.is_kept(row.status, row.due_date, today)]
    settlement = settlement_of(kept, plan(lease, uow).items, today)
    before = _by_due(
        _as_engine_item(row) for row in rows if not engine.is_kept(row.status, row.due_date, today)
    )
    after = _by_due(settlement.items)
    periods = []
    for key in sorted(before.keys() | after.keys(), key=lambda k: (k[1], k[0].value)):
        old, new = before.get(key), after.get(key)
        old_amount = old[2] if old else Decimal("0.00")
        new_amount = new[2] if new else Decimal("0.00")
        if old_amount != new_amount:
            starts, ends = (new or old)[0], (new or old)[1]  # type: ignore[index]
            periods.append(_period(key[0], starts, ends, key[1], old_amount, new_amount, billed=False))
    for difference in settlement.adjustments:
        periods.append(
            _period(
                difference.charge_type,
                difference.period_start,
                difference.period_end,
                None,
                difference.billed,
                difference.fresh,
                billed=True,
            )
        )
    periods.sort(key=lambda p: (p["period_start"], p["charge_type"]))
    credit = -sum((d.amount for d in settlement.adjustments if d.amount < 0), Decimal("0.00"))
    debit = sum((d.amount for d in settlement.adjustments if d.amount > 0), Decimal("0.00"))
    unbilled = sum((p["difference"] for p in periods if not p["billed"]), Decimal("0.00"))
    found: dict[str, Any] = json_safe(
        {
            "as_of": today,
            "periods": periods,
            "totals": {"unbilled_difference": unbilled, "credit": credit, "debit": debit},
        }
    )
    return found


def _by_due(items: Iterable[engine.ScheduleItem]) -> dict[tuple[Any, date], tuple[date, date, Decimal]]:
    """Net amount per charge type and due date (a period's charge and its concessions), with its dates."""
    found: dict[tuple[Any, date], tuple[date, date, Decimal]] = {}
    for item in items:
        key = (item.charge_type, item.due_date)
        starts, ends, amount = found.get(key, (item.period_start, item.period_end, Decimal("0.00")))
        found[key] = (min(starts, item.period_start), max(ends, item.period_end), amount + item.amount)
    return found


def _period(
    charge_type: Any,
    starts: date,
    ends: date,
    due: date | None,
    before: Decimal,
    after: Decimal,
    *,
    billed: bool,
) -> dict[str, Any]:
    return {
        "charge_type": charge_type.value,
        "period_start": starts,
        "period_end": ends,
        "due_date": due,
        "before": before,
        "after": after,
        "difference": after - before,
        "billed": billed,
    }


@dataclass(frozen=True)
class BatchFailure:
    """A lease of a batch whose schedule was not written, and why."""

    lease_id: int
    number: str | None
    reason: str
    job_run_id: int | None


@dataclass(frozen=True)
class BatchResult:
    """Outcome of materialising many leases' schedules."""

    leases: int
    items: int
    failures: tuple[BatchFailure, ...]


def materialise_many(
    lease_ids: Sequence[int],
    actor: Actor,
    uow: UnitOfWork,
    now: datetime,
    chunk: int = MATERIALISE_CHUNK,
    progress: Callable[[int, int], None] | None = None,
) -> BatchResult:
    """Write the schedules of many signed leases, one transaction per chunk of leases.

    Each chunk loads its leases with their lines, concessions and projects in a few queries, generates
    with the engine (calendars built once per code), and writes the items with one executemany. A lease
    whose schedule cannot be generated is left as it was, recorded as a failed job run and alerted; the
    rest of its chunk is written. Leases out of the actor's scope or not signed count as failures too.
    """
    scope = actor.require(P.LEASE_WRITE)
    wanted = list(dict.fromkeys(lease_ids))
    written = items = 0
    failures: list[BatchFailure] = []
    for start in range(0, len(wanted), chunk):
        ids = wanted[start : start + chunk]
        done, count, failed, missing = _materialise_chunk(ids, scope, actor, uow, now)
        written += done
        items += count
        unknown = N_("Lease %(id)s does not exist or is outside your projects.")
        failures += [BatchFailure(lease_id, None, unknown % {"id": lease_id}, None) for lease_id in missing]
        for lease, exc in failed:
            run_id = record_failure(lease, ScheduleTrigger.REGENERATE, actor, uow, exc)
            failures.append(BatchFailure(lease.id, lease.number, reason_of(exc), run_id))
        if progress is not None:
            progress(start + len(ids), len(wanted))
    return BatchResult(written, items, tuple(failures))


def _materialise_chunk(
    ids: list[int], scope: Any, actor: Actor, uow: UnitOfWork, now: datetime
) -> tuple[int, int, list[tuple[LeaseRef, Exception]], list[int]]:
    """Generate and write one chunk in one transaction: leases written, items, failures, unknown ids."""
    leases = uow.leases.many(ids, scope)
    found = {lease.id for lease in leases}
    missing = [lease_id for lease_id in ids if lease_id not in found]
    failed: list[tuple[LeaseRef, Exception]] = []
    index_cache: dict[str, engine.IndexSeries] = {}

    def index_of(code: str) -> engine.IndexSeries:
        if code not in index_cache:
            index_cache[code] = uow.price_indexes.series(code)
        return index_cache[code]

    planned: list[tuple[Any, Plan]] = []
    for lease in leases:
        try:
            if lease.status not in SCHEDULED:
                raise ValidationFailed.single(
                    "status", N_("Only signed, active or expiring leases have a schedule.")
                )
            planned.append((lease, plan_terms(lease, index_of, calendar_of)))
        except DomainError as exc:
            failed.append((ref(lease), exc))
    if not planned:
        uow.rollback()
        return 0, 0, failed, missing
    lease_ids = [lease.id for lease, _ in planned]
    uow.leases.lock_many(lease_ids)
    # The billed-period rule applies on each project's own date; most chunks have one.
    by_day: dict[date, list[int]] = {}
    for lease, _ in planned:
        by_day.setdefault(business_today(lease, now), []).append(lease.id)
    kept: dict[int, list[Any]] = {}
    today_of: dict[int, date] = {}
    for day, ids_of_day in by_day.items():
        kept.update(uow.schedules.kept_of_many(ids_of_day, day))
        today_of.update(dict.fromkeys(ids_of_day, day))
    rows: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    for lease, plan_ in planned:
        _open_versions(lease, plan_, uow)
        today = today_of[lease.id]
        settlement = settlement_of(kept.get(lease.id, []), plan_.items, today)
        new_items = settlement.items
        rows += item_rows(lease, new_items)
        rows += adjustment_rows(lease, settlement.adjustments, today, f"adj{lease.version}")
        entries.append(
            audit.entry(
                actor,
                AuditAction.UPDATE,
                "lease_schedule",
                lease.id,
                before={"items": None},
                after={"items": len(new_items)},
                project_id=lease.project_id,
                region_id=lease.project.region_id,
            )
        )
    uow.flush()
    for day, ids_of_day in by_day.items():
        uow.schedules.delete_unbilled_many(ids_of_day, day)
    uow.schedules.insert_rows(rows)
    uow.audit.bulk_create(entries)
    uow.job_runs.create(
        kind=JobKind.SCHEDULE_GENERATE,
        status=JobStatus.SUCCEEDED,
        details={"trigger": ScheduleTrigger.REGENERATE.value, "leases": len(planned), "items": len(rows)},
        requested_by_id=actor.user_id,
        started_at=now,
        finished_at=now,
    )
    uow.commit()
    return len(planned), len(rows), failed, missing


@dataclass(frozen=True)
class LeaseRef:
    """What a failure record needs, read before anything can roll back."""

    id: int
    number: str
    project_id: int
    account_manager_id: int | None


def ref(lease: Any) -> LeaseRef:
    """The identity of a lease as plain values."""
    return LeaseRef(lease.id, lease.number, lease.project_id, lease.account_manager_id)


def reason_of(exc: BaseException) -> str:
    """A one-line reason for a failure record: the domain message and its fields, or the error type."""
    if isinstance(exc, DomainError):
        text = str(exc)
        if exc.fields:
            text += " " + "; ".join(
                f"{name}: {' '.join(map(str, msgs))}" for name, msgs in exc.fields.items()
            )
        return text
    return f"{type(exc).__name__}: {exc}"


def guarded(
    lease: LeaseRef,
    trigger: ScheduleTrigger,
    actor: Actor,
    uow: UnitOfWork,
    work: Callable[[], T],
    *,
    details: dict[str, Any] | None = None,
    retry_of_id: int | None = None,
) -> T:
    """Run a use case that generates a schedule; on any failure roll back, record, alert, and re-raise.

    `work` must commit on success. A failure leaves nothing of the use case behind: the only rows
    written are the failed job run and the notifications, in their own transaction.
    """
    try:
        result = work()
    except (Conflict, Forbidden, NotFound):
        uow.rollback()  # a business refusal, not a failed generation
        raise
    except Exception as exc:
        uow.rollback()
        run_id = record_failure(lease, trigger, actor, uow, exc, details=details, retry_of_id=retry_of_id)
        if isinstance(exc, DomainError):
            raise GenerationFailed(exc, run_id) from exc
        raise
    return result


def record_failure(
    lease: LeaseRef,
    trigger: ScheduleTrigger,
    actor: Actor,
    uow: UnitOfWork,
    exc: BaseException,
    *,
    details: dict[str, Any] | None = None,
    retry_of_id: int | None = None,
) -> int:
    """Write a failed job run and alert the responsible people; commits on its own.

    The alert carries the reason as its message and values, so each recipient reads it in their language.
    """
    reason = reason_of(exc)
    log.warning("schedule generation failed for lease %s: %s", lease.number, reason)
    run = uow.job_runs.create(
        kind=JobKind.SCHEDULE_GENERATE,
        status=JobStatus.FAILED,
        subject_type="lease",
        subject_id=lease.id,
        project_id=lease.project_id,
        reason=reason,
        details={"trigger": trigger.value, "lease_number": lease.number, **(details or {})},
        requested_by_id=actor.user_id,
        retry_of_id=retry_of_id if retry_of_id is not None else _retrying.get(),
    )
    uow.flush()
    run.finished_at = run.started_at
    alert = {"lease": lease.number, "reason": message_param(exc), "job_run_id": run.id}

    def tell(recipients: Sequence[int | None]) -> list[int]:
        return notifications.notify(
            uow,
            recipients,
            NotificationKind.SCHEDULE_FAILED,
            alert,
            project_id=lease.project_id,
            subject=("lease", lease.id),
        )

    # Those named may not see the lease (an account manager of another region): then the people who look
    # after the project's jobs hear of it instead.
    if not tell([lease.account_manager_id, actor.user_id]):
        tell(uow.users.holders(P.JOB_ADMIN, lease.project_id))
    uow.commit()
    return int(run.id)


def record_success(
    lease: LeaseRef,
    trigger: ScheduleTrigger,
    actor: Actor,
    uow: UnitOfWork,
    items: int,
    now: datetime,
    retry_of_id: int | None = None,
) -> Any:
    """Stage a succeeded job run in the use case's own transaction."""
    return uow.job_runs.create(
        kind=JobKind.SCHEDULE_GENERATE,
        status=JobStatus.SUCCEEDED,
        subject_type="lease",
        subject_id=lease.id,
        project_id=lease.project_id,
        details={"trigger": trigger.value, "lease_number": lease.number, "items": items},
        requested_by_id=actor.user_id,
        retry_of_id=retry_of_id if retry_of_id is not None else _retrying.get(),
        started_at=now,
        finished_at=now,
    )


# The failed run a retry is running again: the runs it records, failed or succeeded, point back to it.
_retrying: ContextVar[int | None] = ContextVar("retrying", default=None)


@contextmanager
def retrying(run_id: int) -> Iterator[None]:
    """Record the generations run inside the block as retries of the failed run `run_id`."""
    token = _retrying.set(run_id)
    try:
        yield
    finally:
        _retrying.reset(token)


# Reading ---------------------------------------------------------------------------------------


def preview(lease_id: int, actor: Actor, uow: UnitOfWork) -> dict[str, Any]:
    """The full-term schedule the lease's current terms produce, not written."""
    lease = uow.leases.get(lease_id, actor.require(P.LEASE_READ))
    items = plan(lease, uow).items
    return {"items": items, "totals": engine.summary(items)}


def list_items(lease_id: int, actor: Actor, uow: UnitOfWork) -> dict[str, Any]:
    """The materialised schedule of a lease."""
    lease = uow.leases.get(lease_id, actor.require(P.LEASE_READ))
    rows = uow.schedules.of_lease(lease.id)
    periods = [row for row in rows if row.status not in engine.SETTLEMENT_STATUSES]
    settled = sum((row.amount for row in rows if row.status in engine.SETTLEMENT_STATUSES), Decimal("0.00"))
    totals = engine.summary([_as_engine_item(row) for row in periods])
    totals = dataclasses.replace(totals, adjustments=settled, net=totals.net + settled)
    return {"items": rows, "totals": totals}


# Regeneration and the weekly safety net ---------------------------------------------------------


def regenerate(
    lease_id: int, actor: Actor, uow: UnitOfWork, now: datetime, retry_of_id: int | None = None
) -> int:
    """Rebuild a signed lease's unbilled schedule from its current terms."""
    lease = uow.leases.get(lease_id, actor.require(P.LEASE_WRITE))
    if lease.status not in SCHEDULED:
        raise ValidationFailed.single("status", N_("Only signed, active or expiring leases have a schedule."))
    lease_ref = ref(lease)

    def work() -> int:
        uow.leases.lock(lease)
        count = materialise(lease, uow, now)
        record_success(lease_ref, ScheduleTrigger.REGENERATE, actor, uow, count, now)
        audit.record(
            uow,
            actor,
            AuditAction.UPDATE,
            "lease_schedule",
            lease.id,
            before={"items": None},
            after={"items": count},
            project_id=lease.project_id,
        )
        uow.commit()
        return count

    return guarded(lease_ref, ScheduleTrigger.REGENERATE, actor, uow, work, retry_of_id=retry_of_id)


@dataclass(frozen=True)
class DryRunFailure:
    """A lease whose schedule would not generate, and why."""

    lease_id: int
    number: str
    project_id: int
    reason: str


@dataclass(frozen=True)
class DryRunReport:
    """Outcome of generating every live lease's schedule without writing."""

    checked: int
    failures: tuple[DryRunFailure, ...]
    job_run_id: int


def dry_run(
    actor: Actor,
    uow: UnitOfWork,
    now: datetime,
    progress: Callable[[int, int], None] | None = None,
    run_id: int | None = None,
) -> DryRunReport:
    """Generate for every signed, active or expiring lease without writing; report every failure."""
    scope = actor.require(P.LEASE_READ)
    lease_ids = uow.leases.ids_in(sorted(SCHEDULED))
    failures: list[DryRunFailure] = []
    for position, lease_id in enumerate(lease_ids, start=1):
        try:
            lease = uow.leases.get(lease_id, scope)
        except NotFound:
            continue
        try:
            plan(lease, uow)
        except Exception as exc:  # the safety net reports every failure, whatever its kind
            failures.append(DryRunFailure(lease.id, lease.number, lease.project_id, reason_of(exc)))
        if progress is not None:
            progress(position, len(lease_ids))
    uow.rollback()
    run = uow.job_runs.record(
        run_id,
        kind=JobKind.SCHEDULE_DRY_RUN,
        status=JobStatus.FAILED if failures else JobStatus.SUCCEEDED,
        reason=f"{len(failures)} of {len(lease_ids)} leases would fail" if failures else None,
        details={
            "checked": len(lease_ids),
            "failures": [{"lease_id": f.lease_id, "number": f.number, "reason": f.reason} for f in failures],
        },
        requested_by_id=actor.user_id,
        started_at=now,
        finished_at=now,
    )
    uow.commit()
    return DryRunReport(len(lease_ids), tuple(failures), run.id)
