"""Seeding an empty database with the demo data set: in bulk, audited, in one transaction."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from decimal import Decimal
from itertools import islice
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from backend.adapters import passwords
from backend.core.domain.access import Role
from backend.core.domain.audit import AuditAction, json_safe
from backend.core.services import audit
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.demo.generator import DEFAULT_SEED, DEMO_PASSWORD, TIMEZONE, DemoData, DemoUser, generate
from backend.demo.leasing import DemoLease
from backend.field.services.inspections import install_default_checklists
from backend.leasing.domain import schedule as engine
from backend.leasing.domain.leases import ESCALATION_FIELDS, LINE_FIELDS, TERM_FIELDS, line_key
from backend.leasing.services import schedules

BATCH_SIZE = 2_000
# Leases carry dozens of schedule items each, so they go in smaller batches.
LEASE_BATCH_SIZE = 500
Progress = Callable[[str, int, int], None]
T = TypeVar("T")


@dataclass(frozen=True)
class DemoLogin:
    """A demo account worth trying, with what its role reaches."""

    username: str
    role: Role
    scope: str


@dataclass(frozen=True)
class DemoSummary:
    """What `seed_demo` wrote, and how to sign in."""

    scale: int
    seed: int
    regions: int
    projects: int
    assets: int
    customers: int
    contacts: int
    bank_accounts: int
    payer_names: int
    users: int
    role_assignments: int
    audit_entries: int
    logins: tuple[DemoLogin, ...]
    templates: int = 0
    leases: int = 0
    charge_lines: int = 0
    concessions: int = 0
    schedule_items: int = 0
    today: date | None = None
    seconds: float = 0.0
    password: str = DEMO_PASSWORD
    checklists: int = 0

    def describe(self) -> str:
        """Counts, then a short table of demo logins and the shared password."""
        lines = [
            f"Demo data seeded (scale {self.scale}, seed {self.seed}, as of {self.today}) "
            f"in {self.seconds:.1f} s:",
            f"  {self.regions:,} regions, {self.projects:,} projects, {self.assets:,} assets",
            f"  {self.customers:,} customers with {self.contacts:,} contacts, "
            f"{self.bank_accounts:,} bank accounts and {self.payer_names:,} payer names",
            f"  {self.templates:,} contract templates, {self.leases:,} leases with "
            f"{self.charge_lines:,} charge lines, {self.concessions:,} concessions and "
            f"{self.schedule_items:,} schedule items",
            f"  {self.users:,} users, {self.role_assignments:,} role assignments, "
            f"{self.audit_entries:,} audit entries, {self.checklists} inspection checklists",
            "",
            *login_table(self.logins, self.password),
        ]
        if self.users > len(self.logins):
            lines.append(
                f"  … and {self.users - len(self.logins):,} more: rm.<region>, agent1.<region>, "
                "pm.<project code>, inspector.<project code>"
            )
        return "\n".join(lines)


def seed_demo(
    scale: int,
    actor: Actor,
    uow: UnitOfWork,
    progress: Progress | None = None,
    seed: int = DEFAULT_SEED,
    today: date | None = None,
) -> DemoSummary | None:
    """Fill an empty database with demo data ×scale in one commit; None, writing nothing, if it holds data.

    Lease statuses are relative to `today` (default: the current date in the demo projects' time zone).
    """
    started = time.perf_counter()
    if uow.regions.any_rows() or uow.users.any_rows():
        return None
    if today is None:
        today = datetime.now(UTC).astimezone(ZoneInfo(TIMEZONE)).date()
    data = generate(scale, seed, today)
    seeder = _Seeder(uow, actor, progress or _quiet)
    seeder.regions(data)
    seeder.projects(data)
    seeder.users(data)
    seeder.assets(data)
    seeder.customers(data)
    seeder.templates(data)
    seeder.leases(data)
    seeder.checklists()
    uow.commit()
    return replace(seeder.summary(data), today=today, seconds=time.perf_counter() - started)


def _quiet(_stage: str, _done: int, _total: int) -> None:
    """Progress goes nowhere unless the caller asks for it."""


def _batches(items: Iterable[T], size: int = BATCH_SIZE) -> Iterator[list[T]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _json_safe(values: Mapping[str, Any]) -> dict[str, Any]:
    """Column values as the audit log stores them."""
    return {key: json_safe(value) for key, value in values.items()}


@dataclass
class _Seeder:
    """Writes one entity kind after another, remembering the ids later kinds refer to."""

    uow: UnitOfWork
    actor: Actor
    progress: Progress
    region_ids: dict[str, int] = field(default_factory=dict)
    project_ids: dict[str, int] = field(default_factory=dict)
    project_regions: dict[str, int] = field(default_factory=dict)
    user_ids: dict[str, int] = field(default_factory=dict)
    asset_ids: dict[str, int] = field(default_factory=dict)
    customer_ids: dict[str, int] = field(default_factory=dict)
    template_ids: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def _count(self, name: str, amount: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + amount

    def _audit(self, rows: list[dict[str, Any]]) -> None:
        """Append prepared audit rows with one executemany."""
        self.uow.audit.bulk_create(rows)
        self._count("audit_entries", len(rows))

    def _entry(
        self,
        entity_type: str,
        entity_id: int,
        after: dict[str, Any],
        region_id: int | None = None,
        project_id: int | None = None,
    ) -> dict[str, Any]:
        """An audit row for a create, as `audit.record` would write it."""
        return audit.entry(
            self.actor,
            AuditAction.CREATE,
            entity_type,
            entity_id,
            after=after,
            region_id=region_id,
            project_id=project_id,
        )

    def regions(self, data: DemoData) -> None:
        rows = [region.values() for region in data.regions]
        self.uow.regions.bulk_create(rows)
        self.region_ids = self.uow.regions.ids_by("code", [region.code for region in data.regions])
        entries = []
        for row in rows:
            region_id = self.region_ids[row["code"]]
            entries.append(self._entry("region", region_id, _json_safe({"id": region_id, **row}), region_id))
        self._audit(entries)
        self._count("regions", len(rows))
        self.progress("regions", len(rows), len(rows))

    def projects(self, data: DemoData) -> None:
        total = len(data.projects)
        for batch in _batches(data.projects):
            rows = [
                {**project.values(), "region_id": self.region_ids[project.region_code]} for project in batch
            ]
            self.uow.projects.bulk_create(rows)
            ids = self.uow.projects.ids_by("code", [project.code for project in batch])
            entries = []
            for row in rows:
                project_id, region_id = ids[row["code"]], row["region_id"]
                self.project_ids[row["code"]] = project_id
                self.project_regions[row["code"]] = region_id
                after = _json_safe({"id": project_id, **row})
                entries.append(self._entry("project", project_id, after, region_id, project_id))
            self._audit(entries)
            self._count("projects", len(rows))
            self.progress("projects", self.counts["projects"], total)

    def users(self, data: DemoData) -> None:
        # Hashing is deliberately slow, and every demo user shares the password: hash it once.
        password_hash = passwords.hash_password(DEMO_PASSWORD)
        pending: list[DemoUser] = []
        for user in data.users:
            # A manager's id must exist before the rows that point at it.
            waiting_for_manager = (
                user.manager_username is not None and user.manager_username not in self.user_ids
            )
            if len(pending) >= BATCH_SIZE or (pending and waiting_for_manager):
                self._insert_users(pending, password_hash, len(data.users))
                pending = []
            pending.append(user)
        if pending:
            self._insert_users(pending, password_hash, len(data.users))

    def _insert_users(self, batch: list[DemoUser], password_hash: str, total: int) -> None:
        rows = [
            {
                **user.values(),
                "password_hash": password_hash,
                "manager_id": self.user_ids[user.manager_username] if user.manager_username else None,
            }
            for user in batch
        ]
        self.uow.users.bulk_create(rows)
        ids = self.uow.users.ids_by("username", [user.username for user in batch])
        self.user_ids.update(ids)
        assignments = []
        entries = []
        for user, row in zip(batch, rows, strict=True):
            assignment = {
                "user_id": ids[user.username],
                "role": user.role,
                "region_id": self.region_ids[user.region_code] if user.region_code else None,
                "project_id": self.project_ids[user.project_code] if user.project_code else None,
            }
            assignments.append(assignment)
            after = {key: value for key, value in row.items() if key != "password_hash"}
            after = _json_safe({"id": ids[user.username], **after})
            after["roles"] = [
                _json_safe({key: assignment[key] for key in ("role", "region_id", "project_id")})
            ]
            entries.append(self._entry("user", ids[user.username], after))
        self.uow.users.bulk_create_assignments(assignments)
        self._audit(entries)
        self._count("users", len(rows))
        self._count("role_assignments", len(assignments))
        self.progress("users", self.counts["users"], total)

    def assets(self, data: DemoData) -> None:
        total = data.asset_count
        for batch in _batches(data.assets()):
            rows = [{**asset.values(), "project_id": self.project_ids[asset.project_code]} for asset in batch]
            self.uow.assets.bulk_create(rows)
            ids = self.uow.assets.ids_by("code", [asset.code for asset in batch])
            self.asset_ids.update(ids)
            entries = []
            for asset, row in zip(batch, rows, strict=True):
                asset_id = ids[asset.code]
                after = _json_safe({"id": asset_id, **row})
                region_id = self.project_regions[asset.project_code]
                entries.append(self._entry("asset", asset_id, after, region_id, row["project_id"]))
            self._audit(entries)
            self._count("assets", len(rows))
            self.progress("assets", self.counts["assets"], total)

    def customers(self, data: DemoData) -> None:
        total = data.customer_count
        for batch in _batches(data.customers()):
            rows = [
                {**customer.values(), "region_id": self.region_ids[customer.region_code]}
                for customer in batch
            ]
            self.uow.customers.bulk_create(rows)
            ids = self.uow.customers.ids_by("code", [customer.code for customer in batch])
            self.customer_ids.update(ids)
            contacts: list[dict[str, Any]] = []
            accounts: list[dict[str, Any]] = []
            payers: list[dict[str, Any]] = []
            entries = []
            for customer, row in zip(batch, rows, strict=True):
                customer_id = ids[customer.code]
                customer_contacts = [{**c.values(), "customer_id": customer_id} for c in customer.contacts]
                customer_accounts = [
                    {**a.values(), "customer_id": customer_id} for a in customer.bank_accounts
                ]
                contacts += customer_contacts
                accounts += customer_accounts
                payers += [{"customer_id": customer_id, "name": name} for name in customer.payer_names]
                after = _json_safe({"id": customer_id, **row})
                after["contacts"] = customer_contacts
                after["bank_accounts"] = customer_accounts
                after["payer_names"] = list(customer.payer_names)
                entries.append(self._entry("customer", customer_id, after, row["region_id"]))
            self.uow.customers.bulk_create_children(contacts, accounts, payers)
            self._audit(entries)
            self._count("customers", len(rows))
            self._count("contacts", len(contacts))
            self._count("bank_accounts", len(accounts))
            self._count("payer_names", len(payers))
            self.progress("customers", self.counts["customers"], total)

    def templates(self, data: DemoData) -> None:
        rows = [template.values() for template in data.templates]
        self.uow.templates.bulk_create(rows)
        self.template_ids = self.uow.templates.ids_by("code", [template.code for template in data.templates])
        entries = []
        for row in rows:
            template_id = self.template_ids[row["code"]]
            entries.append(
                self._entry("contract_template", template_id, _json_safe({"id": template_id, **row}))
            )
        self._audit(entries)
        self._count("templates", len(rows))
        self.progress("templates", len(rows), len(rows))

    def leases(self, data: DemoData) -> None:
        """Leases with their assets, line versions, concessions and engine-made schedules, in batches."""
        leases = list(data.leases())
        calendars = {project.code: project.holiday_calendar for project in data.projects}
        for batch in _batches(leases, LEASE_BATCH_SIZE):
            rows = [self._lease_row(lease) for lease in batch]
            self.uow.leases.bulk_create(rows)
            ids = self.uow.leases.ids_by("number", [lease.number for lease in batch])
            links: list[dict[str, Any]] = []
            lines: list[dict[str, Any]] = []
            concessions: list[dict[str, Any]] = []
            items: list[dict[str, Any]] = []
            entries = []
            for lease, row in zip(batch, rows, strict=True):
                lease_id = ids[lease.number]
                lease_links = [
                    {"lease_id": lease_id, "asset_id": self.asset_ids[code]} for code in lease.asset_codes
                ]
                view = _LeaseView.of(lease, lease_id, row, calendars[lease.project_code])
                lease_lines = view.line_rows()
                lease_items: list[dict[str, Any]] = []
                if lease.has_schedule:
                    plan = schedules.plan_terms(view, _no_index, schedules.calendar_of)
                    lease_lines = view.line_rows(plan.opened)
                    lease_items = schedules.item_rows(view, plan.items)
                lease_concessions = [
                    {
                        "lease_id": lease_id,
                        "charge_type": c.charge_type,
                        "starts_on": c.starts_on,
                        "ends_on": c.ends_on,
                        "percent": c.percent,
                        "extends_term": False,
                        "note": c.note,
                    }
                    for c in lease.concessions
                ]
                links += lease_links
                lines += lease_lines
                concessions += lease_concessions
                items += lease_items
                after = _json_safe({"id": lease_id, **row})
                after["asset_ids"] = [link["asset_id"] for link in lease_links]
                after["charge_lines"] = [_json_safe(line) for line in lease_lines]
                after["concessions"] = [_json_safe(c) for c in lease_concessions]
                region_id = self.project_regions[lease.project_code]
                entries.append(self._entry("lease", lease_id, after, region_id, row["project_id"]))
            self.uow.leases.bulk_create_assets(links)
            self.uow.charge_lines.bulk_create(lines)
            self.uow.charge_lines.bulk_create_concessions(concessions)
            self.uow.schedules.insert_rows(items)
            self._audit(entries)
            self._count("leases", len(rows))
            self._count("charge_lines", len(lines))
            self._count("concessions", len(concessions))
            self._count("schedule_items", len(items))
            self.progress("leases", self.counts["leases"], len(leases))

    def _lease_row(self, lease: DemoLease) -> dict[str, Any]:
        manager_id = self.user_ids[lease.account_manager]
        return {
            **lease.values(),
            "project_id": self.project_ids[lease.project_code],
            "template_id": self.template_ids[lease.template.code],
            "customer_id": self.customer_ids[lease.customer_code] if lease.customer_code else None,
            "account_manager_id": manager_id,
            "signed_by_id": manager_id if lease.signed_at is not None else None,
        }

    def checklists(self) -> None:
        """The default inspection checklist of each asset type."""
        installed = install_default_checklists(self.actor, self.uow).installed
        self._count("checklists", len(installed))
        self._count("audit_entries", len(installed))

    def summary(self, data: DemoData) -> DemoSummary:
        """Counts of what was written and one login per role."""
        count = self.counts.get
        return DemoSummary(
            scale=data.scale,
            seed=data.seed,
            regions=count("regions", 0),
            projects=count("projects", 0),
            assets=count("assets", 0),
            customers=count("customers", 0),
            contacts=count("contacts", 0),
            bank_accounts=count("bank_accounts", 0),
            payer_names=count("payer_names", 0),
            users=count("users", 0),
            role_assignments=count("role_assignments", 0),
            audit_entries=count("audit_entries", 0),
            logins=demo_logins(data),
            templates=count("templates", 0),
            leases=count("leases", 0),
            charge_lines=count("charge_lines", 0),
            concessions=count("concessions", 0),
            schedule_items=count("schedule_items", 0),
            checklists=count("checklists", 0),
        )


def _no_index(code: str) -> engine.IndexSeries:
    """Demo leases step by percentages only; no price index is ever asked for."""
    raise AssertionError(f"demo leases use no price index ({code})")


@dataclass(frozen=True)
class _LineView:
    """A charge line row before it exists, shaped as the schedule planner reads one."""

    series: int
    version: int
    charge_type: engine.ChargeType
    monthly_amount: Decimal
    starts_on: date | None = None
    ends_on: date | None = None
    frequency: engine.Frequency | None = None
    escalation_kind: engine.EscalationKind | None = None
    escalation_every_months: int | None = None
    escalation_value: Decimal | None = None
    escalation_floor_percent: Decimal | None = None
    escalation_cap_percent: Decimal | None = None
    escalation_index: str | None = None
    escalation_anchor: date | None = None

    @property
    def key(self) -> str:
        """The line's name in schedules, as the stored row names it."""
        return line_key(self.series, self.version)


@dataclass(frozen=True)
class _ProjectView:
    holiday_calendar: str


@dataclass(frozen=True)
class _ConcessionView:
    starts_on: date
    ends_on: date
    percent: Decimal
    charge_type: engine.ChargeType


@dataclass(frozen=True)
class _LeaseView:
    """A demo lease shaped as the schedule planner reads a lease row, so both share one code path."""

    id: int
    project_id: int
    version: int
    starts_on: date
    ends_on: date
    frequency: engine.Frequency
    timing: engine.Timing
    due_day: int | None
    due_offset_days: int
    business_day_rule: engine.BusinessDayRule
    anchor: engine.PeriodAnchor
    prorate: bool
    rounding: engine.RoundingMode
    project: _ProjectView
    current_lines: list[_LineView]
    current_concessions: list[_ConcessionView]

    @property
    def charge_lines(self) -> list[_LineView]:
        """Every line version; a demo lease has only the ones it was drawn with."""
        return self.current_lines

    @classmethod
    def of(cls, lease: DemoLease, lease_id: int, row: Mapping[str, Any], calendar: str) -> _LeaseView:
        """The view of a demo lease about to be written with id `lease_id` and column values `row`."""
        lines = [
            _LineView(
                series=series,
                version=1,
                charge_type=line.charge_type,
                monthly_amount=line.monthly_amount,
                escalation_kind=engine.EscalationKind.PERCENT if line.escalation_percent else None,
                escalation_every_months=line.escalation_every_months,
                escalation_value=line.escalation_percent,
            )
            for series, line in enumerate(lease.lines, start=1)
        ]
        concessions = [
            _ConcessionView(c.starts_on, c.ends_on, c.percent, c.charge_type) for c in lease.concessions
        ]
        terms = {name: row[name] for name in _TERM_COLUMNS}
        return cls(
            id=lease_id,
            project_id=row["project_id"],
            version=row["version"],
            project=_ProjectView(calendar),
            current_lines=lines,
            current_concessions=concessions,
            **terms,
        )

    def line_rows(self, opened: Iterable[tuple[Any, list[engine.ChargeLine]]] = ()) -> list[dict[str, Any]]:
        """Column values of the lease's line versions, with the versions an escalation opened."""
        versions = {head.series: expanded for head, expanded in opened}
        rows = []
        for line in self.current_lines:
            head = {name: getattr(line, name) for name in _LINE_COLUMNS}
            expanded = versions.get(line.series, [])
            if len(expanded) > 1:
                head.update(starts_on=expanded[0].starts, ends_on=expanded[0].ends)
            rows.append({"lease_id": self.id, **head})
            for version, opened_line in enumerate(expanded[1:], start=2):
                rows.append(
                    {
                        "lease_id": self.id,
                        **dict.fromkeys(_LINE_COLUMNS),
                        "series": line.series,
                        "version": version,
                        "charge_type": opened_line.charge_type,
                        "monthly_amount": opened_line.monthly_amount,
                        "starts_on": opened_line.starts,
                        "ends_on": opened_line.ends,
                        "frequency": opened_line.frequency,
                    }
                )
        return rows


_TERM_COLUMNS = TERM_FIELDS
_LINE_COLUMNS = (*LINE_FIELDS, *ESCALATION_FIELDS)


def demo_logins(data: DemoData) -> tuple[DemoLogin, ...]:
    """One demo account per role, with what it reaches."""
    region_names = {region.code: region.name for region in data.regions}
    project_names = {project.code: project.name for project in data.projects}
    logins = []
    for role in Role:
        user = next(user for user in data.users if user.role is role)
        if user.project_code:
            scope = f"{project_names[user.project_code]} ({user.project_code})"
        elif user.region_code:
            scope = f"{region_names[user.region_code]} ({user.region_code})"
        else:
            scope = "all regions"
        logins.append(DemoLogin(user.username, role, scope))
    return tuple(logins)


def login_table(logins: tuple[DemoLogin, ...], password: str = DEMO_PASSWORD) -> list[str]:
    """Lines telling how to sign in as the demo users."""
    lines = [
        f"Every demo user signs in with the password {password!r} (demo data only). For example:",
        f"  {'username':<22}{'role':<18}scope",
    ]
    return lines + [f"  {login.username:<22}{login.role.value:<18}{login.scope}" for login in logins]
