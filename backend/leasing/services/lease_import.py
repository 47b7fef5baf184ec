"""Importing existing leases from a spreadsheet: preview with a row-by-row report, all-or-nothing commit."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from backend.adapters import spreadsheets
from backend.core.domain.access import Permission as P
from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, DomainError, Message, ValidationFailed
from backend.core.domain.jobs import JobKind, JobStatus
from backend.core.services import audit
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.leasing.domain import lease_import as layout_rules
from backend.leasing.domain.lease_import import Layout, LeaseRow, Problem
from backend.leasing.domain.leases import check_signable
from backend.leasing.services import leases, schedules

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
UNKNOWN_PROJECT = N_("Unknown project “%(code)s”, or outside your projects.")
UNKNOWN_ASSET = N_("Unknown asset “%(code)s”, or outside your projects.")
UNKNOWN_CUSTOMER = N_("Unknown customer “%(code)s”, or outside your regions.")
UNKNOWN_TEMPLATE = N_("Unknown contract template “%(code)s”.")


@dataclass(frozen=True)
class PlannedLease:
    """A lease the file creates (or would create), with the size of its schedule."""

    row: int
    number: str
    project: str
    customer: str
    assets: tuple[str, ...]
    status: str
    starts_on: date
    ends_on: date
    monthly_rent: Decimal
    schedule_items: int
    lease_id: int | None = None


@dataclass
class ImportReport:
    """What an import found: rows read, problems by row and column, leases created or to be created."""

    filename: str
    rows: int = 0
    problems: list[Problem] = field(default_factory=list)
    leases: list[PlannedLease] = field(default_factory=list)
    committed: bool = False
    job_run_id: int | None = None

    @property
    def ok(self) -> bool:
        """Whether the file can be committed as it is."""
        return not self.problems

    @property
    def created_ids(self) -> list[int]:
        """Ids of the leases a commit created."""
        return [lease.lease_id for lease in self.leases if lease.lease_id is not None]

    def summary(self) -> str:
        """One line for logs and job runs."""
        return f"{self.rows} rows, {len(self.problems)} problems, {len(self.leases)} leases"


class ImportRefused(ValidationFailed):
    """A commit refused because the file has problems; nothing but the failed job run was written."""

    def __init__(self, report: ImportReport) -> None:
        fields: dict[str, list[str]] = {}
        for problem in report.problems:
            fields.setdefault(f"{problem.row}.{problem.column}", []).append(problem.message)
        super().__init__(fields, message=N_("Problems found in the file: %(count)s; nothing was imported."))
        self.params = {"count": len(report.problems)}
        self.report = report


def preview(
    data: bytes, filename: str, actor: Actor, uow: UnitOfWork, now: datetime, progress: Progress | None = None
) -> ImportReport:
    """Check the file and stage every lease in a transaction that is rolled back: writes nothing."""
    actor.require(P.LEASE_WRITE)
    report, _ = _stage(data, filename, actor, uow, now, progress)
    uow.rollback()
    for index, lease in enumerate(report.leases):
        report.leases[index] = _without_id(lease)
    return report


def _record_refusal(report: ImportReport, actor: Actor, uow: UnitOfWork, now: datetime) -> int:
    """The refused import's own record: nothing staged for it is kept, only its job run, committed alone."""
    uow.rollback()
    run_id: int = _job_run(report, actor, uow, now).id
    uow.commit()
    return run_id


def commit(
    data: bytes, filename: str, actor: Actor, uow: UnitOfWork, now: datetime, progress: Progress | None = None
) -> ImportReport:
    """Create (and sign) every lease of the file in one transaction, or none when any row has a problem."""
    actor.require(P.LEASE_WRITE)
    try:
        report, staged = _stage(data, filename, actor, uow, now, progress)
    except DomainError as unreadable:  # the file itself: type, size, encoding
        problem = Problem(0, "", Message(unreadable.message, **unreadable.params))
        _record_refusal(ImportReport(filename, problems=[problem]), actor, uow, now)
        raise
    if not report.ok:
        report.job_run_id = _record_refusal(report, actor, uow, now)
        raise ImportRefused(report)
    for lease in staged:
        audit.record(
            uow,
            actor,
            AuditAction.CREATE,
            "lease",
            lease.id,
            after=leases.snapshot(lease),
            project_id=lease.project_id,
            region_id=lease.project.region_id,
        )
    report.committed = True
    report.job_run_id = _job_run(report, actor, uow, now).id
    uow.commit()
    return report


def _without_id(lease: PlannedLease) -> PlannedLease:
    return PlannedLease(**{**lease.__dict__, "lease_id": None})


def _job_run(report: ImportReport, actor: Actor, uow: UnitOfWork, now: datetime) -> Any:
    details: dict[str, Any] = {
        "filename": report.filename,
        "rows": report.rows,
        "created": len(report.created_ids) if report.ok else 0,
        "signed": sum(1 for lease in report.leases if lease.status == "signed") if report.ok else 0,
        "problems": len(report.problems),
    }
    if report.ok:
        details["lease_ids"] = report.created_ids
    else:
        details["first_problems"] = [
            {"row": p.row, "column": p.column, "problem": str(p.message)} for p in report.problems[:50]
        ]
    run = uow.job_runs.create(
        kind=JobKind.LEASE_IMPORT,
        status=JobStatus.SUCCEEDED if report.ok else JobStatus.FAILED,
        reason=None if report.ok else report.summary(),
        details=details,
        requested_by_id=actor.user_id,
        started_at=now,
        finished_at=now,
    )
    uow.flush()
    return run


# Reading and checking ------------------------------------------------------------------------------


def _stage(
    data: bytes, filename: str, actor: Actor, uow: UnitOfWork, now: datetime, progress: Progress | None
) -> tuple[ImportReport, list[Any]]:
    """Read, check and stage every row (flushed, not committed): the report, and the staged leases."""
    report = ImportReport(filename)
    table = spreadsheets.read_table(data, filename)
    layout = layout_rules.match_headers(table[0])
    report.problems.extend(layout.problems)
    report.rows = len(table) - 1
    if not layout.complete:
        return report, []
    aliases = {domain: leases.aliases(uow, domain) for domain in ("frequency", "timing")}
    rows: list[LeaseRow] = []
    for offset, cells in enumerate(table[1:]):
        row, problems = layout_rules.parse_row(layout_rules.HEADER_ROW + 1 + offset, cells, layout, aliases)
        report.problems.extend(problems)
        if row is not None:
            rows.append(row)
    report.problems.extend(layout_rules.cross_row_problems(rows, layout))
    resolved = _Resolver(rows, layout, actor, uow)
    report.problems.extend(resolved.problems)
    flawed = {problem.row for problem in report.problems}
    good = [row for row in rows if row.row not in flawed]
    staged = _stage_rows(good, resolved, layout, report, actor, uow, now, _Ticker(progress, report.rows))
    report.problems.sort(key=lambda problem: problem.row)
    return report, staged


class _Ticker:
    """Progress that never goes backwards, even when staging restarts after a failed row."""

    def __init__(self, progress: Progress | None, total: int) -> None:
        self.progress, self.total, self.done = progress, total, 0

    def tick(self, done: int) -> None:
        if self.progress is not None and done > self.done:
            self.done = done
            self.progress(done, self.total)

    def finish(self) -> None:
        self.tick(self.total)


class _Resolver:
    """Codes of the file resolved to rows within the actor's scope; unknown ones become problems."""

    def __init__(self, rows: Sequence[LeaseRow], layout: Layout, actor: Actor, uow: UnitOfWork) -> None:
        write = actor.require(P.LEASE_WRITE)
        self.projects = uow.projects.by_values("code", {r.project for r in rows}, write)
        self.assets = uow.assets.by_values("code", {a for r in rows for a in r.assets}, write)
        self.customers = uow.customers.by_values(
            "code", {r.customer for r in rows}, actor.scope_for(P.CUSTOMER_READ)
        )
        self.templates = uow.templates.by_values(
            "code", {r.template for r in rows}, actor.scope_for(P.LEASE_READ)
        )
        self.managers = {
            name: uow.users.by_username(name)
            for name in {r.account_manager for r in rows if r.account_manager}
        }
        taken = uow.leases.ids_by("number", {r.number for r in rows})
        self.problems: list[Problem] = []
        for row in rows:
            self._check(row, layout, taken)

    def _check(self, row: LeaseRow, layout: Layout, taken: dict[Any, int]) -> None:
        def problem(key: str, message: str) -> None:
            self.problems.append(Problem(row.row, layout.header(key), message))

        if row.number in taken:
            problem("number", Message(N_("Lease %(number)s already exists."), number=row.number))
        project = self.projects.get(row.project)
        if project is None:
            problem("project", Message(UNKNOWN_PROJECT, code=row.project))
        for code in row.assets:
            asset = self.assets.get(code)
            if asset is None:
                problem("assets", Message(UNKNOWN_ASSET, code=code))
            elif project is not None and asset.project_id != project.id:
                message = N_("Asset %(asset)s belongs to project %(project)s, not %(expected)s.")
                problem(
                    "assets", Message(message, asset=code, project=asset.project.code, expected=project.code)
                )
        if row.customer not in self.customers:
            problem("customer", Message(UNKNOWN_CUSTOMER, code=row.customer))
        template = self.templates.get(row.template)
        if template is None:
            problem("template", Message(UNKNOWN_TEMPLATE, code=row.template))
        elif not template.is_active:
            problem(
                "template",
                Message(N_("Template %(code)s is retired; choose an active one."), code=row.template),
            )
        manager = self.managers.get(row.account_manager) if row.account_manager else None
        if row.account_manager and (manager is None or not manager.is_active):
            message = Message(N_("No active user named “%(name)s”."), name=row.account_manager)
            problem("account_manager", message)

    def values(self, row: LeaseRow) -> dict[str, Any]:
        """The row as `stage_lease` takes it."""
        manager = self.managers.get(row.account_manager) if row.account_manager else None
        return layout_rules.lease_terms(row) | {
            "project_id": self.projects[row.project].id,
            "customer_id": self.customers[row.customer].id,
            "asset_ids": [self.assets[code].id for code in row.assets],
            "template_id": self.templates[row.template].id,
            "account_manager_id": manager.id if manager else None,
        }


# Staging -----------------------------------------------------------------------------------------


def _stage_rows(
    rows: Sequence[LeaseRow],
    resolved: _Resolver,
    layout: Layout,
    report: ImportReport,
    actor: Actor,
    uow: UnitOfWork,
    now: datetime,
    ticker: _Ticker,
) -> list[Any]:
    """Stage each row; when one fails, roll back and start again without it, so every failure is reported.

    The staged leases are returned: the session holds them only weakly, and the commit audits them.
    """
    excluded: set[int] = set()
    while True:
        staged: list[tuple[PlannedLease, Any]] = []
        failure: tuple[LeaseRow, Exception] | None = None
        for row in rows:
            if row.row in excluded:
                continue
            try:
                staged.append(_stage_row(row, resolved, actor, uow, now))
            except Exception as refused:  # a row that fails in any way is reported on its row, never a 500
                failure = (row, refused)
                break
            ticker.tick(row.row - layout_rules.HEADER_ROW)
        if failure is None:
            report.leases = [planned for planned, _ in staged]
            ticker.finish()
            return [lease for _, lease in staged]
        uow.rollback()
        excluded.add(failure[0].row)
        report.problems.extend(_problems_of(failure[0].row, failure[1], layout))


def _stage_row(
    row: LeaseRow, resolved: _Resolver, actor: Actor, uow: UnitOfWork, now: datetime
) -> tuple[PlannedLease, Any]:
    lease = leases.stage_lease(resolved.values(row), actor, uow)
    if row.signed:
        check_signable(lease.template.required_fields, leases.signable_values(lease))
        items = leases.stage_signing(lease, actor, uow, now)
    else:
        items = len(schedules.plan(lease, uow).items)
    planned = PlannedLease(
        row=row.row,
        number=lease.number,
        project=row.project,
        customer=row.customer,
        assets=row.assets,
        status=row.status.value,
        starts_on=row.starts_on,
        ends_on=row.ends_on,
        monthly_rent=row.monthly_rent,
        schedule_items=items,
        lease_id=lease.id,
    )
    return planned, lease


def _problems_of(row: int, exc: Exception, layout: Layout) -> list[Problem]:
    """A refused lease use case as problems of the row, each on the column its field comes from."""
    if not isinstance(exc, DomainError):
        log.warning("lease import: row %s failed: %s", row, schedules.reason_of(exc))
        return [Problem(row, "", schedules.reason_of(exc))]
    problems: list[Problem] = []
    for name, messages in exc.fields.items():
        key = layout_rules.column_of(name)
        column = layout.header(key) if key else name
        problems.extend(Problem(row, column, message) for message in messages)
    if not problems:
        problems.append(Problem(row, "", Message(exc.message, **exc.params)))
    return problems
