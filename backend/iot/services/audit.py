"""The consistency audit: monthly by the worker and on demand, over every asset.

A run compares each asset's status with its leases, open work orders, pending field requests, open IoT flags
and the freshness of its last on-site confirmation, stores every disagreement with the rows behind it and
each project's tally. Readers see the findings and rates of their own scope only, against last month's run.
Each finding is a task for the project's manager, who is told how many they have.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from backend.adapters.reports.audit_report import AuditReport, render_pdf, render_xlsx
from backend.core.domain.access import Permission as P
from backend.core.domain.access import Scope
from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, AuthenticationRequired, Conflict, NotFound, ValidationFailed
from backend.core.domain.reasons import says_something
from backend.core.domain.scheduling import SlotState
from backend.core.services import audit as audit_log
from backend.core.services.context import Actor
from backend.core.services.scheduler import UnitOfWorkFactory
from backend.core.services.unit_of_work import UnitOfWork
from backend.iot.domain.audit import (
    DEFAULT_AUDIT_POLICY,
    FINDING_NAMES,
    AssetFacts,
    AuditPolicy,
    FindingKind,
    LeaseFact,
    RequestFact,
    Tally,
    TaskState,
    disagreements,
    previous_period,
    tally,
    total,
)
from backend.iot.domain.flags import KIND_NAMES as FLAG_NAMES
from backend.iot.domain.flags import FlagKind
from backend.iot.services.flags import labelled, project_today
from backend.notify.domain.notifications import NotificationKind
from backend.notify.services.notifications import notify
from backend.org.domain.org import ASSET_STATUS_NAMES

log = logging.getLogger(__name__)
JOB = "iot.audit"
LIST_LIMIT = 24
IN_FORCE = ("signed", "active", "expiring")
NOTE_LENGTH = 1000
# The head office's month names the run (a run on 1 December in Shanghai is December's).
HEAD_OFFICE_ZONE = "Asia/Shanghai"
Progress = Callable[[int, int], None]


def period_of(now: datetime) -> str:
    """The month a run made now belongs to."""
    return now.astimezone(ZoneInfo(HEAD_OFFICE_ZONE)).strftime("%Y-%m")


def _wake(run_id: int, uow: UnitOfWork, now: datetime) -> None:
    slot = {
        "job": JOB, "scope_key": f"audit:{run_id}", "slot_at": now, "state": SlotState.DUE,
        "next_attempt_at": now, "attempts": 0, "created_at": now,
    }  # fmt: skip
    uow.job_slots.add_missing([slot])


def request_audit(actor: Actor, uow: UnitOfWork, now: datetime) -> Any:
    """Ask for an audit now; the worker starts it at once. Each reader then sees their scope of it."""
    actor.require(P.ASSET_READ)
    if actor.user_id is None:
        raise AuthenticationRequired(N_("Sign in to ask for an audit."))
    if any(run.state in ("queued", "running") for run in uow.iot_audit.runs(5)):
        raise Conflict(N_("An audit is already under way; its findings will be there in a moment."))
    run = uow.iot_audit.add_run(
        period=period_of(now), trigger="on_demand", state="queued", done=0, total=0, tallies={},
        requested_by_id=actor.user_id, created_at=now,
    )  # fmt: skip
    audit_log.record(uow, actor, AuditAction.CREATE, "iot_audit_run", run.id, after={"trigger": "on_demand"})
    _wake(run.id, uow, now)
    uow.commit()
    return run


def queue_monthly(uow: UnitOfWork, now: datetime) -> int | None:
    """From the month's first day, its monthly run once (a run after missed days still comes)."""
    period = period_of(now)
    if any(run.period == period and run.trigger == "monthly" for run in uow.iot_audit.runs(LIST_LIMIT)):
        return None
    run = uow.iot_audit.add_run(
        period=period, trigger="monthly", state="queued", done=0, total=0, tallies={}, created_at=now
    )
    uow.commit()
    return int(run.id)


# --- the worker's side ---


def _facts(rows: Sequence[Any], uow: UnitOfWork, now: datetime) -> list[AssetFacts]:
    project_ids = {row.project_id for row in rows}
    ids = [row.id for row in rows]
    lettings = uow.iot_facts.lettings(ids)
    work = uow.iot_facts.open_work_orders(ids)
    requests = uow.iot_facts.pending_requests(project_ids)
    flags = uow.iot_flags.open_in_projects(project_ids)
    confirmed = uow.iot_facts.last_confirmations(project_ids)
    facts = []
    for row in rows:
        zone = ZoneInfo(row.timezone)
        every = sorted(
            (LeaseFact(lease_id, number, status, starts, ends)
             for starts, ends, lease_id, number, status in lettings.get(row.id, ())),
            key=lambda lease: (lease.ends_on, lease.id),
        )  # fmt: skip
        leases = tuple(lease for lease in every if lease.status in IN_FORCE)
        pending = tuple(
            RequestFact(r.id, r.from_status, r.to_status, r.submitted_at, r.expires_at)
            for r in requests.get(row.id, ())
        )
        last = confirmed.get(row.id)
        facts.append(
            AssetFacts(
                asset_id=row.id, project_id=row.project_id, status=row.status,
                today=project_today(row.timezone, now), now=now,
                created_on=row.created_at.astimezone(zone).date(), active_leases=leases,
                open_work_orders=tuple(work.get(row.id, ())), pending_requests=pending,
                open_flags=tuple(flags.get(row.id, ())),
                last_confirmed_on=last.astimezone(zone).date() if last else None,
                last_lease=every[-1] if every else None,
            )
        )  # fmt: skip
    return facts


def audit_projects(
    uow: UnitOfWork, now: datetime, project_ids: Sequence[int], policy: AuditPolicy = DEFAULT_AUDIT_POLICY
) -> tuple[dict[int, Tally], list[dict[str, Any]]]:
    """Audit the assets of some projects: each project's tally and the finding rows (not stored)."""
    rows = uow.iot_facts.assets(project_ids)
    managers = uow.iot_facts.project_managers(project_ids)
    by_project: dict[int, list[Any]] = {project_id: [] for project_id in project_ids}
    findings: list[dict[str, Any]] = []
    for facts in _facts(rows, uow, now):
        found = disagreements(facts, policy)
        by_project[facts.project_id].append(found)
        assignee = next(iter(managers.get(facts.project_id, ())), None)
        status = facts.status.value
        for item in found:
            findings.append(
                {
                    "asset_id": facts.asset_id, "project_id": facts.project_id, "kind": item.kind,
                    "asset_status": status, "params": dict(item.params),
                    "rows": [row.as_json() for row in item.rows], "assignee_id": assignee,
                    "task_state": TaskState.OPEN,
                }
            )  # fmt: skip
    return {project_id: tally(found) for project_id, found in by_project.items()}, findings


def queue_by_hand(uow: UnitOfWork, now: datetime) -> int:
    """An audit asked for from the command line (no reader: every reader sees their scope of it)."""
    found = uow.iot_audit.add_run(
        period=period_of(now),
        trigger="on_demand",
        state="queued",
        done=0,
        total=0,
        tallies={},
        created_at=now,
    )
    uow.commit()
    return int(found.id)


def run(
    run_id: int,
    unit_of_work: UnitOfWorkFactory,
    clock: Callable[[], datetime],
    policy: AuditPolicy = DEFAULT_AUDIT_POLICY,
    progress: Progress | None = None,
) -> None:
    """Carry out a claimed run project by project, recording progress; a failure is kept with its reason."""
    with unit_of_work() as uow:
        projects = [row.id for row in uow.iot_facts.projects()]
        uow.iot_audit.set_progress(run_id, 0, len(projects))
        uow.commit()
    tallies: dict[str, Any] = {}
    assigned: dict[int, dict[int, int]] = {}
    try:
        for done, project_id in enumerate(projects, start=1):
            with unit_of_work() as uow:
                now = clock()
                tallied, findings = audit_projects(uow, now, [project_id], policy)
                for row in findings:
                    row["run_id"] = run_id
                    if row["assignee_id"] is not None:
                        per = assigned.setdefault(row["assignee_id"], {})
                        per[project_id] = per.get(project_id, 0) + 1
                uow.iot_audit.add_findings(findings)
                tallies[str(project_id)] = tallied[project_id].as_json()
                uow.iot_audit.set_progress(run_id, done, len(projects))
                uow.commit()
            if progress is not None:
                progress(done, len(projects))
    except Exception as error:  # the reason is kept on the run for its readers; the worker goes on
        log.exception("consistency audit %s failed", run_id)
        with unit_of_work() as uow:
            uow.iot_audit.finish(run_id, "failed", clock(), tallies,
                                 error="".join(traceback.format_exception_only(error)).strip())  # fmt: skip
            uow.commit()
        return
    with unit_of_work() as uow:
        finished = clock()
        uow.iot_audit.finish(
            run_id, "done", finished, tallies, as_of=project_today(HEAD_OFFICE_ZONE, finished)
        )
        period = period_of(finished)
        for user_id, projects_of in assigned.items():
            for project_id, count in projects_of.items():
                notify(
                    uow, [user_id], NotificationKind.AUDIT_FINDINGS, {"period": period, "count": count},
                    project_id=project_id, subject=("iot_audit_run", run_id), now=finished,
                )  # fmt: skip
        uow.commit()


def run_queued(unit_of_work: UnitOfWorkFactory, clock: Callable[[], datetime]) -> list[int]:
    """Carry out every queued run, oldest first; their ids."""
    done: list[int] = []
    while True:
        with unit_of_work() as uow:
            run_id = uow.iot_audit.claim(clock())
            uow.commit()
        if run_id is None:
            return done
        run(run_id, unit_of_work, clock)
        done.append(run_id)


# --- the readers' side ---


@dataclass(frozen=True)
class Rate:
    """A group's tally in a run, with last month's rate beside it."""

    key: Mapping[str, Any]
    tally: Tally
    previous: Tally | None

    def as_json(self) -> dict[str, Any]:
        """The figures a reader sees."""
        previous = self.previous.rate if self.previous is not None else None
        rate = self.tally.rate
        change = rate - previous if rate is not None and previous is not None else None
        return dict(self.key) | {
            "assets": self.tally.assets, "disagreeing": self.tally.disagreeing, "rate": rate,
            "previous_rate": previous, "change": change, "kinds": dict(self.tally.kinds),
        }  # fmt: skip


def _scoped_tallies(run: Any, scope: Scope, projects: Mapping[int, Any]) -> dict[int, Tally]:
    return {
        int(pid): Tally.of_json(values)
        for pid, values in (run.tallies or {}).items()
        if int(pid) in projects and scope.covers_project(int(pid), projects[int(pid)].region_id)
    }


def list_runs(actor: Actor, uow: UnitOfWork) -> list[Any]:
    """The newest runs (every reader sees the same runs, each with their own scope's figures)."""
    actor.require(P.ASSET_READ)
    return uow.iot_audit.runs(LIST_LIMIT)


def _run(run_id: int, actor: Actor, uow: UnitOfWork) -> tuple[Any, Scope]:
    scope = actor.require(P.ASSET_READ)
    found = uow.iot_audit.run(run_id)
    if found is None:
        raise NotFound("Audit")
    return found, scope


def get_run(run_id: int, actor: Actor, uow: UnitOfWork) -> dict[str, Any]:
    """A run with the reader's scope's rates: overall, per region and per project, against last month."""
    found, scope = _run(run_id, actor, uow)
    projects = {row.id: row for row in uow.iot_facts.projects()}
    current = _scoped_tallies(found, scope, projects)
    before = uow.iot_audit.latest_done(previous_period(found.period))
    previous = _scoped_tallies(before, scope, projects) if before is not None else {}
    project_rates = [
        Rate(
            {"project_id": pid, "project_code": projects[pid].code, "project_name": projects[pid].name,
             "region_id": projects[pid].region_id, "region_name": projects[pid].region_name},
            current[pid], previous.get(pid) if before is not None else None,
        ).as_json()
        for pid in sorted(current, key=lambda p: projects[p].code)
    ]  # fmt: skip
    regions: dict[int, list[int]] = {}
    for pid in current:
        regions.setdefault(projects[pid].region_id, []).append(pid)
    region_rates = [
        Rate(
            {"region_id": rid, "region_name": projects[pids[0]].region_name},
            total(current[p] for p in pids),
            total(previous[p] for p in pids if p in previous) if before is not None else None,
        ).as_json()
        for rid, pids in sorted(regions.items(), key=lambda item: projects[item[1][0]].region_name)
    ]
    overall = Rate({}, total(current.values()), total(previous.values()) if before is not None else None)
    return {"run": found, "overall": overall.as_json(), "projects": project_rates, "regions": region_rates,
            "previous_run_id": before.id if before is not None else None}  # fmt: skip


def findings(
    run_id: int, filters: Mapping[str, Any], page: int | None, per_page: int, actor: Actor, uow: UnitOfWork
) -> tuple[list[Any], int]:
    """A run's findings in the reader's scope, filtered by kind, project or region."""
    found, scope = _run(run_id, actor, uow)
    items, count = uow.iot_audit.findings(found.id, scope, filters, page, per_page)
    return list(labelled(items, uow)), count


def my_tasks(state: str | None, actor: Actor, uow: UnitOfWork) -> list[Any]:
    """The reader's own findings to handle (a project manager's), newest run first."""
    actor.require(P.ASSET_READ)
    if actor.user_id is None:
        return []
    wanted = TaskState(state) if state else None
    return list(labelled(uow.iot_audit.tasks_of(actor.user_id, wanted), uow))


def resolve_task(finding_id: int, note: str, actor: Actor, uow: UnitOfWork, now: datetime) -> Any:
    """Close a finding given to you, saying what was mended (or why nothing needed to be)."""
    scope = actor.require(P.ASSET_READ)
    finding = uow.iot_audit.finding(finding_id)
    if finding is None or not scope.covers_project(finding.project_id, _region(finding.project_id, uow)):
        raise NotFound("Finding")
    if finding.assignee_id != actor.user_id:
        raise Conflict(N_("This finding is another person's task."))
    if finding.task_state is TaskState.RESOLVED:
        raise Conflict(N_("This finding is already resolved."))
    note = (note or "").strip()
    if not says_something(note):
        raise ValidationFailed.single("note", N_("Say what was done about it."))
    if len(note) > NOTE_LENGTH:
        raise ValidationFailed.single("note", N_("At most 1000 characters."))
    finding.task_state, finding.resolved_at, finding.resolved_by_id = TaskState.RESOLVED, now, actor.user_id
    finding.resolved_note = note
    audit_log.record(
        uow, actor, AuditAction.UPDATE, "iot_audit_finding", finding.id, after={"task_state": "resolved",
        "note": note}, project_id=finding.project_id,
    )  # fmt: skip
    uow.commit()
    return labelled([finding], uow)[0]


def _region(project_id: int, uow: UnitOfWork) -> int:
    rows = uow.iot_facts.projects([project_id])
    return int(rows[0].region_id) if rows else -1


FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
RENDERERS: dict[str, Callable[[AuditReport], bytes]] = {"xlsx": render_xlsx, "pdf": render_pdf}
STATUS_NAMES = ASSET_STATUS_NAMES
ROW_TYPES = {
    "lease": N_("Lease"), "work_order": N_("Work order"), "status_request": N_("Field request"),
    "iot_flag": N_("IoT flag"),
}  # fmt: skip
TASK_NAMES = {TaskState.OPEN.value: N_("To do"), TaskState.RESOLVED.value: N_("Resolved")}


def finding_summary(kind: FindingKind, params: Mapping[str, Any], translate: Callable[[str], str]) -> str:
    """A finding in one sentence of the reader's language."""
    name = translate(FINDING_NAMES[kind])
    days = params.get("days")
    if days is None:
        return name
    if params.get("never"):
        return translate(N_("%(name)s: never confirmed on site in %(days)s days")) % {
            "name": name,
            "days": days,
        }
    return translate(N_("%(name)s: %(days)s days")) % {"name": name, "days": days}


def _row_text(row: Mapping[str, Any], translate: Callable[[str], str]) -> str:
    """A row behind a finding as the report names it."""
    kind = translate(ROW_TYPES[row["type"]]) if row["type"] in ROW_TYPES else str(row["type"])
    label = str(row["label"])
    if row["type"] == "iot_flag" and label in {k.value for k in FlagKind}:
        label = translate(FLAG_NAMES[FlagKind(label)])
    return f"{kind} #{row['id']} {label}"


def report_file(
    run_id: int, file_format: str, actor: Actor, uow: UnitOfWork, translate: Callable[[str], str]
) -> tuple[bytes, str, str]:
    """A finished run as the reader's workbook or PDF: their scope only, in their language."""
    if file_format not in FORMATS:
        raise ValidationFailed.single("format", N_("Choose xlsx or pdf."))
    view = get_run(run_id, actor, uow)
    found = view["run"]
    if found.state != "done":
        raise Conflict(N_("This audit is not finished yet."))
    items, _ = findings(run_id, {}, None, 0, actor, uow)
    t = translate

    def rate_row(level: str, name: str, values: Mapping[str, Any]) -> list[str | int]:
        return [level, name, values["assets"], values["disagreeing"], percent(values["rate"]),
                percent(values["previous_rate"]), percent(values["change"])]  # fmt: skip

    summary = [rate_row(t(N_("Portfolio")), t(N_("Everything you see")), view["overall"])]
    summary += [rate_row(t(N_("Region")), r["region_name"], r) for r in view["regions"]]
    summary += [
        rate_row(t(N_("Project")), f"{p['project_code']} {p['project_name']}", p) for p in view["projects"]
    ]
    rows = []
    for item in items:
        code, project_code = item.asset_code or "", item.project_code or ""
        behind = "; ".join(_row_text(row, t) for row in item.rows)
        rows.append([project_code, code, t(STATUS_NAMES.get(item.asset_status, item.asset_status)),
                     finding_summary(item.kind, item.params, t), behind,
                     t(TASK_NAMES.get(item.task_state.value, item.task_state.value))])  # fmt: skip
    report = AuditReport(
        title=t(N_("Asset consistency audit")),
        subtitle=t(N_("%(period)s · run %(run)s · finished %(finished)s")) % {
            "period": found.period, "run": found.id,
            "finished": found.finished_at.strftime("%Y-%m-%d %H:%M UTC") if found.finished_at else "",
        },
        summary_title=t(N_("Disagreement rates")), findings_title=t(N_("Findings")),
        summary_header=[t(N_("Level")), t(N_("Name")), t(N_("Assets")), t(N_("Disagreeing")), t(N_("Rate")),
                        t(N_("Last month")), t(N_("Change"))],
        summary_rows=summary,
        findings_header=[t(N_("Project")), t(N_("Asset")), t(N_("Status")), t(N_("Disagreement")),
                         t(N_("Rows behind it")), t(N_("Task"))],
        findings_rows=rows,
    )  # fmt: skip
    return (
        RENDERERS[file_format](report),
        f"consistency-audit-{found.period}-{found.id}.{file_format}",
        FORMATS[file_format],
    )


def percent(rate: Decimal | None) -> str:
    """A rate as a percentage for reports."""
    return "—" if rate is None else f"{(rate * 100).quantize(Decimal('0.1'))}%"
