"""Generating rent schedules: preview, materialise, regenerate, dry-run; failures are recorded and alerted."""

from __future__ import annotations

import dataclasses
import functools
import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, TypeVar

from backend.core.domain.access import Permission as P
from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, Conflict, DomainError, Forbidden, NotFound, ValidationFailed
from backend.core.domain.jobs import JobKind, JobStatus, ScheduleTrigger
from backend.core.services import audit
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.leasing.domain import schedule as engine
from backend.leasing.domain.leases import SCHEDULED
from backend.notify.domain.notifications import NotificationKind
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


@dataclass
class Plan:
    """What generation produces for one lease: line versions to open, items to write."""

    opened: list[tuple[Any, list[engine.ChargeLine]]] = field(default_factory=list)
    lines: list[engine.ChargeLine] = field(default_factory=list)
    items: list[engine.ScheduleItem] = field(default_factory=list)


@functools.lru_cache(maxsize=32)
def calendar_of(code: str) -> engine.WorkingCalendar:
    """The working calendar of a holiday-calendar code, built once per process (its years load lazily)."""
    return engine.holiday_calendar(code)


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
        rule = _escalation_of(series_rows[0])
        if rule is not None and series not in opened:
            index = index_of(series_rows[0].escalation_index) if rule.kind == "cpi" else None
            expanded = engine.escalate(_line(series_rows[0], lease), rule, lease.ends_on, index)
            result.opened.append((series_rows[0], expanded))
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
    """Column values of schedule items of one lease."""
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


def materialise(lease: Any, uow: UnitOfWork, term_end: date | None = None) -> int:
    """Write a lease's schedule (staged, not committed); billed items are kept as they are."""
    plan_ = plan(lease, uow, term_end)
    _open_versions(lease, plan_, uow)
    billed = uow.schedules.billed_of(lease.id)
    billed_items = [_as_engine_item(row) for row in billed]
    fresh = engine.rebase(billed_items, plan_.items) if billed_items else plan_.items
    billed_set = set(billed_items)
    new_items = [item for item in fresh if item not in billed_set]
    uow.flush()
    uow.schedules.delete_unbilled(lease.id)
    uow.schedules.insert_rows(item_rows(lease, new_items))
    return len(new_items)


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
    billed = uow.schedules.billed_of_many(lease_ids)
    rows: list[dict[str, Any]] = []
    entries: list[dict[str, Any]] = []
    for lease, plan_ in planned:
        _open_versions(lease, plan_, uow)
        new_items = plan_.items
        billed_items = [_as_engine_item(row) for row in billed.get(lease.id, [])]
        if billed_items:
            billed_set = set(billed_items)
            new_items = [item for item in engine.rebase(billed_items, plan_.items) if item not in billed_set]
        rows += item_rows(lease, new_items)
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
    uow.schedules.delete_unbilled_many(lease_ids)
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
    """Write a failed job run and alert the responsible people; commits on its own."""
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
        retry_of_id=retry_of_id,
    )
    run.finished_at = run.started_at
    uow.flush()
    notifications.notify(
        uow,
        [lease.account_manager_id, actor.user_id],
        NotificationKind.SCHEDULE_FAILED,
        {"lease": lease.number, "reason": reason, "job_run_id": run.id},
        project_id=lease.project_id,
        subject=("lease", lease.id),
    )
    uow.commit()
    return int(run.id)


def record_success(
    lease: LeaseRef, trigger: ScheduleTrigger, actor: Actor, uow: UnitOfWork, items: int, now: datetime
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
        started_at=now,
        finished_at=now,
    )


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
    live = [row for row in rows if row.status != "cancelled"]
    return {"items": rows, "totals": engine.summary([_as_engine_item(row) for row in live])}


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
        count = materialise(lease, uow)
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
