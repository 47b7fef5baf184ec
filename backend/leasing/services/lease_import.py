"""Importing existing leases from a spreadsheet: every row checked in bulk, then moved in all-or-nothing.

`check` reads the file, resolves its codes with a few batched look-ups and plans each lease (terms from its
template, schedule from the engine) without writing. `move` writes what `check` planned with one insert per
table. `preview` and `commit` run both for small files in one request; `lease_import_jobs` runs them in the
worker for large ones, staging the checked rows first so the final transaction stays short.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from backend.adapters import spreadsheets
from backend.core.domain.access import Permission as P
from backend.core.domain.audit import AuditAction, json_safe
from backend.core.domain.errors import N_, DomainError, Message, ValidationFailed
from backend.core.domain.jobs import JobKind, JobStatus, ScheduleTrigger
from backend.core.services import audit, events
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.leasing.domain import lease_import as layout_rules
from backend.leasing.domain import schedule as engine
from backend.leasing.domain.lease_import import CodeReader, Layout, LeaseRow, Problem
from backend.leasing.domain.leases import (
    ESCALATION_FIELDS,
    LeaseSigned,
    LeaseStatus,
    check_signable,
    line_key,
    overlaps,
)
from backend.leasing.services import leases, schedules, tags

log = logging.getLogger(__name__)
Progress = Callable[[int, int], None]
UNKNOWN_PROJECT = N_("Unknown project “%(code)s”, or outside your projects.")
UNKNOWN_ASSET = N_("Unknown asset “%(code)s”, or outside your projects.")
UNKNOWN_CUSTOMER = N_("Unknown customer “%(code)s”, or outside your regions.")
UNKNOWN_CUSTOMER_NAME = N_("No customer is named “%(name)s” in your regions.")
NEAREST_CUSTOMERS = N_("No customer is named “%(name)s” in your regions; nearest: %(nearest)s.")
AMBIGUOUS_CUSTOMER = N_("%(count)s customers are named “%(name)s”; give the customer code instead.")
UNKNOWN_TEMPLATE = N_("Unknown contract template “%(code)s”.")
ALREADY_LET = N_("Asset %(asset)s is already let by lease %(lease)s for these dates.")


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

    def as_json(self) -> dict[str, Any]:
        """The report as an import record keeps it (messages still to be translated when read)."""
        return {
            "filename": self.filename,
            "rows": self.rows,
            "committed": self.committed,
            "job_run_id": self.job_run_id,
            "problems": [
                {"row": p.row, "column": p.column, "message": _message_json(p.message)} for p in self.problems
            ],
            "leases": [json_safe(lease.__dict__) for lease in self.leases],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ImportReport:
        """A report kept by an import record."""
        problems = [Problem(p["row"], p["column"], _message_of(p["message"])) for p in data["problems"]]
        planned = [
            PlannedLease(
                **{
                    **lease,
                    "assets": tuple(lease["assets"]),
                    "starts_on": date.fromisoformat(lease["starts_on"]),
                    "ends_on": date.fromisoformat(lease["ends_on"]),
                    "monthly_rent": Decimal(lease["monthly_rent"]),
                }
            )
            for lease in data["leases"]
        ]
        return cls(
            data["filename"], data["rows"], problems, planned, data["committed"], data.get("job_run_id")
        )


def _message_json(message: str) -> Any:
    if isinstance(message, Message):
        return {"text": message.template, "params": json_safe(message.params)}
    return {"text": str(message), "params": {}}


def _message_of(data: Mapping[str, Any]) -> str:
    text: str = data["text"]
    return Message(text, **data["params"]) if data["params"] else text


class ImportRefused(ValidationFailed):
    """A commit refused because the file has problems; nothing but the failed job run was written."""

    def __init__(self, report: ImportReport) -> None:
        fields: dict[str, list[str]] = {}
        for problem in report.problems:
            fields.setdefault(f"{problem.row}.{problem.column}", []).append(problem.message)
        super().__init__(fields, message=N_("Problems found in the file: %(count)s; nothing was imported."))
        self.params = {"count": len(report.problems)}
        self.report = report


@dataclass
class Checked:
    """A checked file: its report, and each good row's lease planned as JSON-safe column values."""

    report: ImportReport
    drafts: list[dict[str, Any]]


# Use cases answered in the request ----------------------------------------------------------------


def preview(
    data: bytes, filename: str, actor: Actor, uow: UnitOfWork, now: datetime, progress: Progress | None = None
) -> ImportReport:
    """Check the file and plan every lease: writes nothing."""
    actor.require(P.LEASE_WRITE)
    checked = check(data, filename, actor, uow, now, progress)
    uow.rollback()
    return checked.report


def commit(
    data: bytes, filename: str, actor: Actor, uow: UnitOfWork, now: datetime, progress: Progress | None = None
) -> ImportReport:
    """Create (and sign) every lease of the file in one transaction, or none when any row has a problem."""
    actor.require(P.LEASE_WRITE)
    try:
        checked = check(data, filename, actor, uow, now, progress)
    except DomainError as unreadable:  # the file itself: type, size, encoding
        problem = Problem(0, "", Message(unreadable.message, **unreadable.params))
        record_refusal(ImportReport(filename, problems=[problem]), actor, uow, now)
        raise
    report = checked.report
    if report.ok:
        uow.rollback()  # end the reading transaction: the writing one starts with a write (SQLite's lock)
        move(checked.drafts, report, actor, uow, now)
    if not report.ok:
        report.job_run_id = record_refusal(report, actor, uow, now)
        raise ImportRefused(report)
    uow.commit()
    return report


def record_refusal(report: ImportReport, actor: Actor, uow: UnitOfWork, now: datetime) -> int:
    """The refused import's own record: nothing staged for it is kept, only its job run, committed alone."""
    uow.rollback()
    run_id: int = job_run(report, actor, uow, now).id
    uow.commit()
    return run_id


def job_run(report: ImportReport, actor: Actor, uow: UnitOfWork, now: datetime) -> Any:
    """Stage the import's job run: succeeded with the leases created, or failed with its first problems."""
    run = uow.job_runs.create(
        kind=JobKind.LEASE_IMPORT, status=JobStatus.RUNNING, details={}, requested_by_id=actor.user_id,
        started_at=now,
    )  # fmt: skip
    close_run(run, report, now)
    uow.flush()
    return run


def close_run(run: Any, report: ImportReport, now: datetime) -> None:
    """Set how the import's job run ended: succeeded with the leases created, or failed with its problems."""
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
    run.status = JobStatus.SUCCEEDED if report.ok else JobStatus.FAILED
    run.reason = None if report.ok else report.summary()
    run.details = details
    run.finished_at = now


# Checking --------------------------------------------------------------------------------------------


def check(
    data: bytes, filename: str, actor: Actor, uow: UnitOfWork, now: datetime, progress: Progress | None = None
) -> Checked:
    """Read and check every row and plan its lease and schedule, in memory: writes nothing."""
    report = ImportReport(filename)
    table = spreadsheets.read_table(data, filename)
    layout = layout_rules.match_headers(table[0])
    report.problems.extend(layout.problems)
    report.rows = len(table) - 1
    if not layout.complete:
        return Checked(report, [])
    codes = CodeReader({domain: leases.aliases(uow, domain) for domain in ("frequency", "timing")})
    rows: list[LeaseRow] = []
    for offset, cells in enumerate(table[1:]):
        row, problems = layout_rules.parse_row(layout_rules.HEADER_ROW + 1 + offset, cells, layout, codes)
        report.problems.extend(problems)
        if row is not None:
            rows.append(row)
    report.problems.extend(layout_rules.cross_row_problems(rows, layout))
    resolved = _Resolver(rows, layout, actor, uow)
    report.problems.extend(resolved.problems)
    flawed = {problem.row for problem in report.problems}
    planner = _Planner(resolved, layout, actor, uow, now)
    drafts: list[dict[str, Any]] = []
    for row in rows:
        if row.row not in flawed and (draft := planner.plan(row, report.problems)) is not None:
            drafts.append(draft)
        if progress is not None:
            progress(row.row - layout_rules.HEADER_ROW, report.rows)
    report.problems.extend(_let_elsewhere(drafts, layout, uow))
    flawed = {problem.row for problem in report.problems}
    drafts = [draft for draft in drafts if draft["row"] not in flawed]
    report.leases = [planned_lease(draft) for draft in drafts]
    report.problems.sort(key=lambda problem: problem.row)
    if progress is not None:
        progress(report.rows, report.rows)
    return Checked(report, drafts)


class _Resolver:
    """Codes of the file resolved to rows within the actor's scope; unknown ones become problems."""

    def __init__(self, rows: Sequence[LeaseRow], layout: Layout, actor: Actor, uow: UnitOfWork) -> None:
        write = actor.require(P.LEASE_WRITE)
        customers = actor.scope_for(P.CUSTOMER_READ)
        self.projects = uow.projects.by_values("code", {r.project for r in rows}, write)
        self.assets = uow.assets.by_values("code", {a for r in rows for a in r.assets}, write)
        self.customers = uow.customers.by_values("code", {r.customer for r in rows if r.customer}, customers)
        self.named: dict[str, list[int]] = {}
        self.names: list[str] = []
        if any(not r.customer for r in rows):
            for customer_id, name in uow.lease_imports.customer_directory(customers):
                key = layout_rules.customer_key(name)
                if key not in self.named:
                    self.names.append(name)
                self.named.setdefault(key, []).append(customer_id)
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

    def _check(self, row: LeaseRow, layout: Layout, taken: Mapping[Any, int]) -> None:
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
        if row.customer and row.customer not in self.customers:
            problem("customer", Message(UNKNOWN_CUSTOMER, code=row.customer))
        elif not row.customer and (named := self._name_problem(row.customer_name or "")) is not None:
            problem("customer_name", named)
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

    def _name_problem(self, name: str) -> str | None:
        found = self.named.get(layout_rules.customer_key(name), [])
        if len(found) == 1:
            return None
        if found:
            return Message(AMBIGUOUS_CUSTOMER, count=len(found), name=name)
        nearest = layout_rules.nearest_names(name, self.names)
        if nearest:
            return Message(NEAREST_CUSTOMERS, name=name, nearest="、".join(nearest))
        return Message(UNKNOWN_CUSTOMER_NAME, name=name)

    def customer_id(self, row: LeaseRow) -> int:
        """The id of the row's customer, by code or by name."""
        if row.customer:
            return int(self.customers[row.customer].id)
        return self.named[layout_rules.customer_key(row.customer_name or "")][0]


class _Planner:
    """Each row's lease as the drafting use case builds it, and its schedule, as JSON-safe column values."""

    def __init__(self, resolved: _Resolver, layout: Layout, actor: Actor, uow: UnitOfWork, now: datetime):
        self.resolved, self.layout, self.actor, self.now = resolved, layout, actor, now
        self.indexes: dict[str, engine.IndexSeries] = {}
        self.uow = uow

    def _index(self, code: str) -> engine.IndexSeries:
        if code not in self.indexes:
            self.indexes[code] = self.uow.price_indexes.series(code)
        return self.indexes[code]

    def plan(self, row: LeaseRow, problems: list[Problem]) -> dict[str, Any] | None:
        """The row's draft, or None with its problems added."""
        try:
            return self._draft(row)
        except Exception as refused:  # a row that fails in any way is reported on its row, never a 500
            problems.extend(_problems_of(row.row, refused, self.layout))
            return None

    def _draft(self, row: LeaseRow) -> dict[str, Any]:
        resolved = self.resolved
        project = resolved.projects[row.project]
        template = resolved.templates[row.template]
        manager = resolved.managers.get(row.account_manager) if row.account_manager else None
        terms = layout_rules.lease_terms(row)
        lines, concessions = terms.pop("charge_lines"), terms.pop("concessions")
        values: dict[str, Any] = {
            **terms,
            "project_id": project.id,
            "customer_id": resolved.customer_id(row),
            "template_id": template.id,
            "account_manager_id": manager.id if manager else None,
        }
        if values.get("due_day") is not None:
            values["due_offset_days"] = 0  # a due day of the month replaces the template's due rule
        for name in leases.TEMPLATE_DEFAULTS:
            if values.get(name) is None:
                values[name] = getattr(template, name)
        line_rows = [_line_row(series, line) for series, line in enumerate(lines, start=1)]
        if values.get("deposit_amount") is None and template.deposit_months:
            values["deposit_amount"] = (row.monthly_rent * template.deposit_months).quantize(Decimal("0.01"))
        asset_ids = [resolved.assets[code].id for code in row.assets]
        if row.signed:
            signable = {name: values.get(name) for name in leases.LEASE_FIELDS}
            check_signable(
                template.required_fields, signable | {"asset_ids": asset_ids, "charge_lines": lines}
            )
        lease = _lookalike(values, line_rows, concessions, project)
        plan = schedules.plan_terms(lease, self._index, schedules.calendar_of)
        items: list[dict[str, Any]] = []
        if row.signed:
            line_rows += _opened_versions(plan, line_rows)
            settled = schedules.settlement_of([], plan.items, schedules.business_today(lease, self.now))
            items = [json_safe(item) for item in schedules.item_rows(lease, settled.items)]
        status = LeaseStatus.SIGNED if row.signed else LeaseStatus.DRAFT
        draft: dict[str, Any] = json_safe(
            {
                "row": row.row,
                "lease": values | {"status": status, "version": 1},
                "asset_ids": asset_ids,
                "lines": line_rows,
                "concessions": [{"charge_type": engine.ChargeType.RENT, "extends_term": False, **c}
                                for c in concessions],
                "items": items,
                "schedule_items": len(items) if row.signed else len(plan.items),
                "region_id": project.region_id,
                "planned": {
                    "project": row.project,
                    "customer": row.customer or row.customer_name,
                    "assets": list(row.assets),
                    "monthly_rent": row.monthly_rent,
                },
            }
        )  # fmt: skip
        return draft


def _line_row(series: int, line: Mapping[str, Any]) -> dict[str, Any]:
    """A charge line's first version as columns (escalation spelled out, as `leases.line_values` does)."""
    escalation = line.get("escalation") or {}
    return {
        "series": series,
        "version": 1,
        "charge_type": line["charge_type"],
        "monthly_amount": line["monthly_amount"],
        "starts_on": None,
        "ends_on": None,
        "frequency": None,
        "escalation_kind": escalation.get("kind"),
        "escalation_every_months": escalation.get("every_months"),
        "escalation_value": escalation.get("value"),
        "escalation_floor_percent": None,
        "escalation_cap_percent": None,
        "escalation_index": None,
        "escalation_anchor": None,
    }


def _lookalike(
    values: Mapping[str, Any], lines: Sequence[dict[str, Any]], concessions: Sequence[Any], project: Any
) -> Any:
    """What the schedule engine reads of a lease, before the lease exists."""
    rows = [SimpleNamespace(**line, key=line_key(line["series"], line["version"])) for line in lines]
    return SimpleNamespace(
        **values,
        id=0,
        version=1,
        charge_lines=rows,
        current_lines=rows,
        current_concessions=[SimpleNamespace(**c) for c in concessions],
        project=SimpleNamespace(holiday_calendar=project.holiday_calendar, timezone=project.timezone),
    )


def _opened_versions(plan: schedules.Plan, lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The versions an escalation opens, as `schedules` stores them when a lease is signed."""
    opened: list[dict[str, Any]] = []
    for head, expanded in plan.opened:
        if len(expanded) <= 1:
            continue
        first = lines[head.series - 1]
        first["starts_on"], first["ends_on"] = expanded[0].starts, expanded[0].ends
        for version, line in enumerate(expanded[1:], start=2):
            opened.append(
                {
                    **dict.fromkeys(ESCALATION_FIELDS),
                    "series": head.series,
                    "version": version,
                    "charge_type": line.charge_type,
                    "monthly_amount": line.monthly_amount,
                    "starts_on": line.starts,
                    "ends_on": line.ends,
                    "frequency": line.frequency,
                }
            )
    return opened


def _let_elsewhere(drafts: Sequence[Mapping[str, Any]], layout: Layout, uow: UnitOfWork) -> list[Problem]:
    """Signed rows whose assets a binding lease already holds for overlapping dates."""
    signed = [draft for draft in drafts if draft["lease"]["status"] == LeaseStatus.SIGNED.value]
    holders: dict[int, list[tuple[str, date, date]]] = {}
    for asset_id, number, starts_on, ends_on in uow.lease_imports.binding_terms(
        {asset_id for draft in signed for asset_id in draft["asset_ids"]}
    ):
        holders.setdefault(asset_id, []).append((number, starts_on, ends_on))
    problems = []
    for draft in signed:
        starts_on = date.fromisoformat(draft["lease"]["starts_on"])
        ends_on = date.fromisoformat(draft["lease"]["ends_on"])
        for asset_id, code in zip(draft["asset_ids"], draft["planned"]["assets"], strict=True):
            for number, held_from, held_to in holders.get(asset_id, []):
                if overlaps(starts_on, ends_on, held_from, held_to):
                    message = Message(ALREADY_LET, asset=code, lease=number)
                    problems.append(Problem(draft["row"], layout.header("assets"), message))
    return problems


def planned_lease(draft: Mapping[str, Any], lease_id: int | None = None) -> PlannedLease:
    """What the report says of a planned lease."""
    lease, planned = draft["lease"], draft["planned"]
    return PlannedLease(
        row=draft["row"],
        number=lease["number"],
        project=planned["project"],
        customer=planned["customer"],
        assets=tuple(planned["assets"]),
        status=lease["status"],
        starts_on=date.fromisoformat(lease["starts_on"]),
        ends_on=date.fromisoformat(lease["ends_on"]),
        monthly_rent=Decimal(planned["monthly_rent"]),
        schedule_items=draft["schedule_items"],
        lease_id=lease_id,
    )


def _problems_of(row: int, exc: Exception, layout: Layout) -> list[Problem]:
    """A refused row as problems of the row, each on the column its field comes from."""
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


# Moving in ----------------------------------------------------------------------------------------


def move(
    drafts: Sequence[Mapping[str, Any]], report: ImportReport, actor: Actor, uow: UnitOfWork, now: datetime
) -> None:
    """Write every planned lease with one insert per table (staged, not committed).

    The import's job run is written first, so on SQLite the transaction holds the write lock from its
    start; then the checks that another writer could have overtaken (numbers, assets let) run again. A
    problem found then is added to the report and nothing is written.
    """
    run = uow.job_runs.create(
        kind=JobKind.LEASE_IMPORT, status=JobStatus.RUNNING, details={}, requested_by_id=actor.user_id,
        started_at=now,
    )  # fmt: skip
    uow.flush()
    layout = layout_rules.match_headers([])
    taken = uow.leases.ids_by("number", {draft["lease"]["number"] for draft in drafts})
    for draft in drafts:
        if draft["lease"]["number"] in taken:
            message = Message(N_("Lease %(number)s already exists."), number=draft["lease"]["number"])
            report.problems.append(Problem(draft["row"], layout.header("number"), message))
    report.problems.extend(_let_elsewhere(drafts, layout, uow))
    if report.problems:
        return
    stamp = now.isoformat()
    signer = {"signed_at": stamp, "signed_by_id": actor.user_id}
    unsigned = {"signed_at": None, "signed_by_id": None}
    ids = uow.lease_imports.insert_leases(
        [
            draft["lease"]
            | (signer if _signed(draft) else unsigned)
            | {"auto_renew": False, "created_at": stamp, "updated_at": stamp}
            for draft in drafts
        ]
    )
    children: dict[str, list[dict[str, Any]]] = {
        "lease_assets": [], "charge_lines": [], "concessions": [], "schedule_items": []
    }  # fmt: skip
    fresh = {"created_by_amendment_id": None, "replaced_by_amendment_id": None}
    for lease_id, draft in zip(ids, drafts, strict=True):
        children["lease_assets"] += [{"lease_id": lease_id, "asset_id": a} for a in draft["asset_ids"]]
        children["charge_lines"] += [
            line | fresh | {"lease_id": lease_id, "created_at": stamp} for line in draft["lines"]
        ]
        children["concessions"] += [c | fresh | {"lease_id": lease_id} for c in draft["concessions"]]
        children["schedule_items"] += [
            item | {"lease_id": lease_id, "created_at": stamp} for item in draft["items"]
        ]
    for table, rows in children.items():
        uow.lease_imports.insert_children(table, rows)
    uow.lease_tags.add_many(tags.import_rows(ids, [d["lease"].get("tags") or [] for d in drafts], actor, now))
    uow.audit.bulk_create([_audit_entry(i, draft, actor) for i, draft in zip(ids, drafts, strict=True)])
    signed = [(lease_id, draft) for lease_id, draft in zip(ids, drafts, strict=True) if _signed(draft)]
    for lease_id, draft in signed:
        lease = draft["lease"]
        event = LeaseSigned(
            lease_id,
            lease["project_id"],
            tuple(draft["asset_ids"]),
            date.fromisoformat(lease["starts_on"]),
            date.fromisoformat(lease["ends_on"]),
        )
        events.publish(event, actor, uow, project_id=lease["project_id"])
    if signed:
        uow.job_runs.create(
            kind=JobKind.SCHEDULE_GENERATE,
            status=JobStatus.SUCCEEDED,
            details={
                "trigger": ScheduleTrigger.SIGN.value,
                "leases": len(signed),
                "items": sum(len(draft["items"]) for _, draft in signed),
            },
            requested_by_id=actor.user_id,
            started_at=now,
            finished_at=now,
        )
    report.leases = [planned_lease(draft, lease_id) for lease_id, draft in zip(ids, drafts, strict=True)]
    report.committed = True
    close_run(run, report, now)
    report.job_run_id = run.id


def _signed(draft: Mapping[str, Any]) -> bool:
    return bool(draft["lease"]["status"] == LeaseStatus.SIGNED.value)


def _audit_entry(lease_id: int, draft: Mapping[str, Any], actor: Actor) -> dict[str, Any]:
    lease = draft["lease"]
    after = {
        "id": lease_id,
        **lease,
        "asset_ids": draft["asset_ids"],
        "charge_lines": draft["lines"],
        "concessions": draft["concessions"],
        "schedule_items": len(draft["items"]),
    }
    return audit.entry(
        actor, AuditAction.CREATE, "lease", lease_id, after=after, project_id=lease["project_id"],
        region_id=draft["region_id"],
    )  # fmt: skip
