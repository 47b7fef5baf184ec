"""The portfolio's sums in SQL, one query per family of rows (assets, charges, leases).

Each family is one select of the rows behind its KPIs, with each row's contribution in labelled columns. The
dashboard sums those columns per project and customer tier (`sums`); a drill-down lists the same select's
rows (`rows`). Both come from one statement, so a tile always equals the sum of the rows it opens.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    Date,
    Integer,
    Select,
    String,
    and_,
    case,
    cast,
    delete,
    exists,
    func,
    literal,
    or_,
    select,
    text,
    type_coerce,
    union_all,
    update,
)
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.elements import ColumnElement

from backend.analytics.db.models import PortfolioLiveCell, PortfolioReportRun, PortfolioSnapshot
from backend.analytics.domain.periods import Window
from backend.analytics.domain.report_runs import ReportState
from backend.analytics.domain.sums import AGING_COLUMNS, TIER_NONE, Family, Policy
from backend.core.db.scoping import projects_in
from backend.core.domain.access import Scope
from backend.field.db.models import Inspection, StatusChangeRequest
from backend.field.domain.requests import RequestState
from backend.leasing.db.models import Lease, lease_assets
from backend.leasing.domain.leases import LeaseStatus
from backend.org.db.models import Asset, Customer, Project, Region
from backend.org.domain.org import AssetKind, AssetStatus
from backend.receivables.db.models import Allocation, Charge, CreditNote, Payment
from backend.receivables.domain.ledger import ChargeKind

_EPOCH = date(1970, 1, 1)
Rows = Select[*tuple[Any, ...]]
_JULIAN_EPOCH = 2440587.5  # julianday('1970-01-01') in SQLite


def day_number(day: date) -> int:
    """Days since 1970-01-01: the integer the SQL side compares dates by."""
    return (day - _EPOCH).days


def _end_of(day: date) -> datetime:
    """The first instant after a business day, in UTC (times are stored in UTC)."""
    return datetime.combine(day + timedelta(days=1), time(), UTC)


class PortfolioRepository:
    """The KPI families' rows and sums, and the snapshot and report tables."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self._postgres = session.get_bind().dialect.name == "postgresql"
        self._planned = False

    def _execute(self, statement: Any) -> Any:
        """Run a KPI statement. On PostgreSQL, for this transaction, without JIT compilation (the sums are
        costed high enough to trigger it, and compiling takes longer than the query it would speed up) and
        with room to aggregate a ledger's allocations in memory rather than on disk."""
        if self._postgres and not self._planned:
            self.session.execute(text("SET LOCAL jit = off"))
            self.session.execute(text("SET LOCAL work_mem = '64MB'"))
            self._planned = True
        return self.session.execute(statement)

    # --- dialect helpers -------------------------------------------------------------------------------

    def _days(self, column: Any) -> ColumnElement[int]:
        """A date or timestamp column as its day number (days since 1970-01-01, UTC)."""
        if self._postgres:
            return cast(cast(column, Date) - literal(_EPOCH, Date), Integer)
        return cast(func.julianday(func.date(column)) - _JULIAN_EPOCH, Integer)

    def _date_of(self, column: Any) -> ColumnElement[date]:
        """A timestamp's UTC date."""
        return cast(column, Date) if self._postgres else func.date(column)

    # --- shared predicates -----------------------------------------------------------------------------

    @staticmethod
    def _projects(scope: Scope, filters: Mapping[str, Any]) -> Rows:
        """Ids of the projects inside the scope and the dashboard's filters."""
        statement = select(Project.id).where(projects_in(scope))
        for name, column in (
            ("region_id", Project.region_id),
            ("project_id", Project.id),
            ("city", Project.city),
            ("category", Project.category),
        ):
            if filters.get(name) is not None:
                statement = statement.where(column == filters[name])
        return statement

    @staticmethod
    def _in_force(day: date) -> ColumnElement[bool]:
        """A lease in force on a day: signed, started, not past its end nor its termination."""
        return and_(
            Lease.status != LeaseStatus.DRAFT,
            Lease.starts_on <= day,
            or_(Lease.ends_on.is_(None), Lease.ends_on >= day),
            or_(Lease.closed_on.is_(None), Lease.closed_on >= day),
        )

    @staticmethod
    def _tier(column: Any) -> ColumnElement[str]:
        return func.coalesce(type_coerce(column, String), TIER_NONE)

    def _identity(self, family: Family, *columns: Any) -> list[Any]:
        """What names a row of any family: kind, id, code, project, customer tier, status, lease, customer."""
        row_id, code, project_id, tier, status, lease_number, lease_id, customer_name = columns
        return [
            literal(family.value).label("kind"),
            row_id.label("id"),
            code.label("code"),
            project_id.label("project_id"),
            self._tier(tier).label("tier"),
            type_coerce(status, String).label("status"),
            lease_number.label("lease_number"),
            lease_id.label("lease_id"),
            customer_name.label("customer_name"),
        ]

    @staticmethod
    def _units() -> Any:
        """The number of units a lease lets (correlated with the lease of the enclosing select)."""
        return (
            select(func.count())
            .select_from(lease_assets)
            .where(lease_assets.c.lease_id == Lease.id)
            .scalar_subquery()
        )

    # --- assets ----------------------------------------------------------------------------------------

    def _asset_rows(self, window: Window, policy: Policy, projects: Rows) -> Rows:
        day = window.as_of
        today = day_number(day)
        tenancy = (
            select(lease_assets.c.asset_id, func.min(Lease.id).label("lease_id"))
            .join(Lease, Lease.id == lease_assets.c.lease_id)
            .where(self._in_force(day))
            .group_by(lease_assets.c.asset_id)
            .subquery()
        )
        seen = union_all(
            select(StatusChangeRequest.asset_id, StatusChangeRequest.decided_at.label("at")).where(
                StatusChangeRequest.state == RequestState.CONFIRMED,
                StatusChangeRequest.remote.is_(False),
                StatusChangeRequest.decided_at < _end_of(day),
            ),
            select(Inspection.asset_id, Inspection.captured_at.label("at")).where(
                Inspection.fence_passed.is_(True), Inspection.captured_at < _end_of(day)
            ),
        ).subquery()
        last_seen = (
            select(seen.c.asset_id, func.max(seen.c.at).label("last")).group_by(seen.c.asset_id).subquery()
        )
        tenant_lease = aliased(Lease)
        tenant = aliased(Customer)
        space = Asset.kind == AssetKind.SPACE
        occupied = tenancy.c.lease_id.is_not(None)
        area = case((space, func.coalesce(Asset.area_m2, 0)), else_=0)
        since = func.coalesce(last_seen.c.last, Asset.created_at)
        excluded = [AssetStatus.RETIRED]
        if policy.unavailable_as == "excluded":
            excluded += [AssetStatus.MAINTENANCE, AssetStatus.RENOVATION]
        statement: Rows = (
            select(
                *self._identity(
                    Family.ASSET,
                    Asset.id,
                    Asset.code,
                    Asset.project_id,
                    tenant.tier,
                    Asset.status,
                    tenant_lease.number,
                    tenant_lease.id,
                    tenant.name,
                ),
                literal(1).label("lettable_units"),
                area.label("lettable_area"),
                case((occupied, 1), else_=0).label("occupied_units"),
                case((occupied, area), else_=0).label("occupied_area"),
                case((and_(occupied, ~space), 1), else_=0).label("occupied_equipment_units"),
                case((and_(~occupied, space), area), else_=0).label("vacant_area"),
                case((and_(~occupied, ~space), 1), else_=0).label("vacant_equipment_units"),
                # Never negative: a unit registered after the day measured has waited no days yet then.
                func.greatest(today - self._days(since), 0).label("days_unconfirmed")
                if self._postgres
                else func.max(today - self._days(since), 0).label("days_unconfirmed"),
                case(
                    (
                        or_(
                            last_seen.c.last.is_(None),
                            self._days(last_seen.c.last) < today - policy.stale_after_days,
                        ),
                        1,
                    ),
                    else_=0,
                ).label("stale_units"),
                last_seen.c.last.label("last_confirmed_at"),
            )
            .select_from(Asset)
            .outerjoin(tenancy, tenancy.c.asset_id == Asset.id)
            .outerjoin(tenant_lease, tenant_lease.id == tenancy.c.lease_id)
            .outerjoin(tenant, tenant.id == tenant_lease.customer_id)
            .outerjoin(last_seen, last_seen.c.asset_id == Asset.id)
            .where(
                Asset.project_id.in_(projects),
                Asset.status.not_in(excluded),
            )
        )
        return statement

    # --- charges ---------------------------------------------------------------------------------------

    def _collected(self, day: date, projects: Rows) -> Any:
        """Per charge, what was set against it by a day, and how much of it within 30 days of its due date.

        Money counts from the day it came (a payment's receipt, a credit note's date), not the day it was
        matched; an allocation undone by the day does not count.
        """
        effective = func.coalesce(
            Payment.received_on, CreditNote.issued_on, self._date_of(Allocation.created_at)
        )
        return (
            select(
                Allocation.charge_id.label("charge_id"),
                func.sum(Allocation.amount).label("by_day"),
                func.sum(
                    case(
                        (self._days(effective) <= self._days(Charge.due_date) + 30, Allocation.amount),
                        else_=0,
                    )
                ).label("within_30"),
            )
            .join(Charge, Charge.id == Allocation.charge_id)
            .outerjoin(Payment, Payment.id == Allocation.payment_id)
            .outerjoin(CreditNote, CreditNote.id == Allocation.credit_note_id)
            .where(
                Charge.project_id.in_(projects),
                Charge.issued_on <= day,
                or_(Allocation.reversed_at.is_(None), Allocation.reversed_at >= _end_of(day)),
                effective <= day,
            )
            .group_by(Allocation.charge_id)
            .subquery()
        )

    def _charge_rows(self, window: Window, projects: Rows, detail: bool) -> Rows:
        day = window.as_of
        collected = self._collected(day, projects)
        space_lease = exists(
            select(lease_assets.c.lease_id)
            .join(Asset, Asset.id == lease_assets.c.asset_id)
            .where(lease_assets.c.lease_id == Charge.lease_id, Asset.kind == AssetKind.SPACE)
        )
        due_in_period = Charge.due_date.between(window.start, window.end)
        rent = and_(due_in_period, Charge.kind == ChargeKind.RENT)
        open_amount = Charge.amount - func.coalesce(collected.c.by_day, 0)
        overdue = case((Charge.due_date < day, open_amount), else_=0)
        buckets = []
        for column, (oldest, newest) in AGING_COLUMNS.items():
            due = Charge.due_date <= day - timedelta(days=newest)
            if oldest is not None:
                due = and_(due, Charge.due_date >= day - timedelta(days=oldest))
            buckets.append(case((due, open_amount), else_=0).label(column))
        lease = aliased(Lease)
        # The lease's number only for the rows a reader opens; the sums need none of it.
        lease_number = lease.number if detail else literal(None, String)
        statement: Rows = (
            select(
                *self._identity(
                    Family.CHARGE,
                    Charge.id,
                    Charge.number,
                    Charge.project_id,
                    Customer.tier,
                    Charge.kind,
                    lease_number,
                    Charge.lease_id,
                    Customer.name,
                ),
                Charge.due_date.label("due_date"),
                Charge.amount.label("amount"),
                case((due_in_period, Charge.amount), else_=0).label("billed"),
                case((due_in_period, func.coalesce(collected.c.within_30, 0)), else_=0).label("collected_30"),
                case((rent, Charge.amount), else_=0).label("rent_billed"),
                case((and_(rent, space_lease), Charge.amount), else_=0).label("rent_billed_space"),
                open_amount.label("open"),
                overdue.label("overdue"),
                case((Charge.due_date.between(day - timedelta(days=89), day), Charge.amount), else_=0).label(
                    "billed_90"
                ),
                *buckets,
            )
            .select_from(Charge)
            .join(Customer, Customer.id == Charge.customer_id)
            .outerjoin(collected, collected.c.charge_id == Charge.id)
            .where(Charge.project_id.in_(projects), Charge.issued_on <= day)
        )
        if detail:
            statement = statement.outerjoin(lease, lease.id == Charge.lease_id)
        return statement

    # --- leases ----------------------------------------------------------------------------------------

    def _lease_rows(self, window: Window, projects: Rows) -> Rows:
        day = window.as_of
        # A lease is in arrears when its bills past due are not all settled: open amounts are never
        # negative, so their sum is positive exactly when one of them is.
        collected = self._collected(day, projects)
        overdue_leases = (
            select(Charge.lease_id)
            .outerjoin(collected, collected.c.charge_id == Charge.id)
            .where(
                Charge.project_id.in_(projects),
                Charge.issued_on <= day,
                Charge.due_date < day,
                Charge.lease_id.is_not(None),
            )
            .group_by(Charge.lease_id)
            .having(func.sum(Charge.amount - func.coalesce(collected.c.by_day, 0)) > 0)
        )
        successor = aliased(Lease)
        renewed = or_(
            Lease.status == LeaseStatus.RENEWED,
            exists(
                select(successor.id).where(
                    successor.renewed_from_id == Lease.id, successor.status != LeaseStatus.DRAFT
                )
            ),
        )
        ending = and_(
            Lease.status != LeaseStatus.DRAFT,
            Lease.ends_on.between(window.start, window.end),
            Lease.starts_on <= Lease.ends_on,
            or_(Lease.closed_on.is_(None), Lease.closed_on >= Lease.ends_on),
        )
        in_force = self._in_force(day)
        units = self._units()

        def expiring(days: int) -> ColumnElement[int]:
            return case(
                (and_(in_force, Lease.ends_on > day, Lease.ends_on <= day + timedelta(days=days)), 1), else_=0
            )

        statement: Rows = (
            select(
                *self._identity(
                    Family.LEASE,
                    Lease.id,
                    Lease.number,
                    Lease.project_id,
                    Customer.tier,
                    Lease.status,
                    Lease.number,
                    Lease.id,
                    Customer.name,
                ),
                Lease.ends_on.label("ends_on"),
                units.label("units"),
                case((in_force, 1), else_=0).label("leases_in_force"),
                case((and_(in_force, Lease.id.in_(overdue_leases)), 1), else_=0).label("delinquent_leases"),
                case((ending, 1), else_=0).label("leases_ending"),
                case((and_(ending, renewed), 1), else_=0).label("leases_renewed"),
                expiring(30).label("expiring_30"),
                expiring(60).label("expiring_60"),
                expiring(90).label("expiring_90"),
            )
            .select_from(Lease)
            .outerjoin(Customer, Customer.id == Lease.customer_id)
            .where(Lease.project_id.in_(projects), Lease.status != LeaseStatus.DRAFT)
        )
        return statement

    def _family(
        self,
        family: Family,
        window: Window,
        policy: Policy,
        scope: Scope,
        filters: Mapping[str, Any],
        detail: bool = False,
    ) -> Rows:
        projects = self._projects(scope, filters)
        if family is Family.ASSET:
            return self._asset_rows(window, policy, projects)
        if family is Family.CHARGE:
            return self._charge_rows(window, projects, detail)
        return self._lease_rows(window, projects)

    # --- reads -----------------------------------------------------------------------------------------

    def sums(
        self,
        family: Family,
        columns: Sequence[str],
        window: Window,
        policy: Policy,
        scope: Scope,
        filters: Mapping[str, Any],
    ) -> dict[tuple[int, str], dict[str, Decimal]]:
        """Each column of a family summed per (project, customer tier)."""
        rows = self._family(family, window, policy, scope, filters).subquery()
        statement = select(
            rows.c.project_id, rows.c.tier, *(func.coalesce(func.sum(rows.c[c]), 0) for c in columns)
        ).group_by(rows.c.project_id, rows.c.tier)
        return {
            (project_id, tier): {c: Decimal(v) for c, v in zip(columns, values, strict=True)}
            for project_id, tier, *values in self._execute(statement)
        }

    def rows(
        self,
        family: Family,
        columns: Sequence[str],
        window: Window,
        policy: Policy,
        scope: Scope,
        filters: Mapping[str, Any],
        tier: str | None = None,
    ) -> list[dict[str, Any]]:
        """The family's rows contributing to any of the columns (non-zero), in a stable order."""
        rows = self._family(family, window, policy, scope, filters, detail=True).subquery()
        statement = select(rows).where(or_(*(rows.c[c] != 0 for c in columns)))
        if tier is not None:
            statement = statement.where(rows.c.tier == tier)
        statement = statement.order_by(rows.c.project_id, rows.c.code)
        return [dict(row._mapping) for row in self._execute(statement)]

    def expiries_by_month(
        self, first: date, last: date, scope: Scope, filters: Mapping[str, Any]
    ) -> list[tuple[int, date, int]]:
        """(lease id, end date, units) of every signed lease ending between two days (not closed earlier)."""
        units = self._units()
        statement = select(Lease.id, Lease.ends_on, units).where(
            Lease.project_id.in_(self._projects(scope, filters)),
            Lease.status.not_in([LeaseStatus.DRAFT, LeaseStatus.TERMINATED]),
            Lease.ends_on.between(first, last),
        )
        return [(i, e, int(u)) for i, e, u in self.session.execute(statement)]

    def vacating(
        self, as_of: date, until: date, scope: Scope, filters: Mapping[str, Any]
    ) -> list[dict[str, Any]]:
        """Leases in force that end (or were terminated to end) after a day and by another, not renewed.

        Each row: lease id and number, project id, the day it ends, its units and their m².
        """
        successor = aliased(Lease)
        ends = func.coalesce(Lease.closed_on, Lease.ends_on)
        area = (
            select(func.coalesce(func.sum(case((Asset.kind == AssetKind.SPACE, Asset.area_m2), else_=0)), 0))
            .select_from(lease_assets)
            .join(Asset, Asset.id == lease_assets.c.asset_id)
            .where(lease_assets.c.lease_id == Lease.id)
            .scalar_subquery()
        )
        units = self._units()
        statement = (
            select(
                Lease.id,
                Lease.number,
                Lease.project_id,
                ends.label("ends"),
                Lease.closed_on,
                units.label("units"),
                area.label("area"),
            )
            .where(
                Lease.project_id.in_(self._projects(scope, filters)),
                self._in_force(as_of),
                ends > as_of,
                ends <= until,
                Lease.status != LeaseStatus.RENEWED,
                or_(Lease.auto_renew.is_(False), Lease.closed_on.is_not(None)),
                ~exists(
                    select(successor.id).where(
                        successor.renewed_from_id == Lease.id, successor.status != LeaseStatus.DRAFT
                    )
                ),
            )
            .order_by(ends, Lease.number)
        )
        return [dict(row._mapping) for row in self.session.execute(statement)]

    def projects(self, scope: Scope, filters: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The projects in the scope and filters with what the dashboard groups them by."""
        statement = (
            select(
                Project.id,
                Project.code,
                Project.name,
                Project.city,
                type_coerce(Project.category, String).label("category"),
                Project.region_id,
                Region.name.label("region_name"),
            )
            .join(Region, Region.id == Project.region_id)
            .where(Project.id.in_(self._projects(scope, filters)))
            .order_by(Project.code)
        )
        return [dict(row._mapping) for row in self.session.execute(statement)]

    # --- snapshots -------------------------------------------------------------------------------------

    def snapshot_versions(
        self, periods: Sequence[str], scope: Scope, filters: Mapping[str, Any]
    ) -> tuple[
        dict[str, dict[tuple[int, str], dict[str, Decimal]]],
        dict[str, dict[tuple[int, str], dict[str, Decimal]]],
    ]:
        """Per period, each project and tier's sums as first reported, and as last restated (the same
        sums where nothing was restated): one read of plain columns, oldest version first."""
        statement = (
            select(
                PortfolioSnapshot.period,
                PortfolioSnapshot.project_id,
                PortfolioSnapshot.tier,
                PortfolioSnapshot.sums,
            )
            .where(
                PortfolioSnapshot.period.in_(periods),
                PortfolioSnapshot.project_id.in_(self._projects(scope, filters)),
            )
            .order_by(PortfolioSnapshot.version)
        )
        first: dict[str, dict[tuple[int, str], dict[str, Decimal]]] = {}
        latest: dict[str, dict[tuple[int, str], dict[str, Decimal]]] = {}
        for period, project_id, tier, sums in self.session.execute(statement):
            cell = (project_id, tier)
            values = {k: Decimal(v) for k, v in sums.items()}
            first.setdefault(period, {}).setdefault(cell, values)
            latest.setdefault(period, {})[cell] = values
        return first, latest

    def snapshots(
        self, periods: Sequence[str], scope: Scope, filters: Mapping[str, Any], first_version: bool
    ) -> dict[str, dict[tuple[int, str], dict[str, Decimal]]]:
        """Per period, each project and tier's sums: as first reported, or as last restated."""
        first, latest = self.snapshot_versions(periods, scope, filters)
        return first if first_version else latest

    def snapshotted_periods(self, project_id: int) -> dict[str, int]:
        """The periods a project has snapshots of, with their latest version."""
        statement = (
            select(PortfolioSnapshot.period, func.max(PortfolioSnapshot.version))
            .where(PortfolioSnapshot.project_id == project_id)
            .group_by(PortfolioSnapshot.period)
        )
        return {row[0]: int(row[1]) for row in self.session.execute(statement)}

    def add_snapshot(
        self,
        period: str,
        project_id: int,
        tier: str,
        version: int,
        as_of: date,
        sums: Mapping[str, Decimal],
        now: datetime,
    ) -> None:
        """Record a project's sums for a month (version 1 as reported, later ones restating it)."""
        self.session.add(
            PortfolioSnapshot(
                period=period,
                project_id=project_id,
                tier=tier,
                version=version,
                as_of=as_of,
                sums={k: str(v) for k, v in sums.items()},
                written_at=now,
            )
        )

    # --- the running month, refreshed ------------------------------------------------------------------

    def replace_live_cells(
        self,
        period: str,
        as_of: date,
        policy: str,
        cells: Mapping[tuple[int, str], Mapping[str, Decimal]],
        now: datetime,
    ) -> None:
        """Keep these as the running month's sums (the previous refresh's are dropped)."""
        self.session.execute(delete(PortfolioLiveCell))
        self.session.add_all(
            PortfolioLiveCell(
                period=period,
                project_id=project_id,
                tier=tier,
                as_of=as_of,
                policy=policy,
                sums={k: str(v) for k, v in sums.items()},
                computed_at=now,
            )
            for (project_id, tier), sums in cells.items()
        )

    def live_cells(
        self,
        period: str,
        as_of: date,
        policy: str,
        not_before: datetime,
        scope: Scope,
        filters: Mapping[str, Any],
    ) -> tuple[dict[tuple[int, str], dict[str, Decimal]], datetime] | None:
        """The refreshed sums of the projects in the scope and filters, when a refresh of this month, day and
        policy happened since `not_before`; None otherwise."""
        latest = self.session.scalar(
            select(func.max(PortfolioLiveCell.computed_at)).where(
                PortfolioLiveCell.period == period,
                PortfolioLiveCell.as_of == as_of,
                PortfolioLiveCell.policy == policy,
            )
        )
        if latest is None or latest < not_before:
            return None
        statement = select(PortfolioLiveCell).where(
            PortfolioLiveCell.period == period,
            PortfolioLiveCell.computed_at == latest,
            PortfolioLiveCell.project_id.in_(self._projects(scope, filters)),
        )
        cells = {
            (cell.project_id, cell.tier): {k: Decimal(v) for k, v in cell.sums.items()}
            for cell in self.session.scalars(statement)
        }
        return cells, latest

    # --- reports ---------------------------------------------------------------------------------------

    def add_report(self, **values: Any) -> PortfolioReportRun:
        """A report run, queued."""
        run = PortfolioReportRun(**values)
        self.session.add(run)
        self.session.flush()
        return run

    def report(self, report_id: int) -> PortfolioReportRun | None:
        """One report run by id (the service checks who may read it)."""
        return self.session.get(PortfolioReportRun, report_id)

    def reports_of(self, user_id: int, limit: int) -> list[PortfolioReportRun]:
        """A user's report runs, newest first."""
        statement = (
            select(PortfolioReportRun)
            .where(PortfolioReportRun.requested_by_id == user_id)
            .order_by(PortfolioReportRun.id.desc())
            .limit(limit)
        )
        return list(self.session.scalars(statement))

    def claim_report(self, now: datetime) -> int | None:
        """Take the oldest queued report for generating; a conditional update, so no two workers share one."""
        candidate = self.session.scalar(
            select(PortfolioReportRun.id)
            .where(PortfolioReportRun.state == ReportState.QUEUED)
            .order_by(PortfolioReportRun.id)
            .limit(1)
        )
        if candidate is None:
            return None
        won = self.session.execute(
            update(PortfolioReportRun)
            .where(PortfolioReportRun.id == candidate, PortfolioReportRun.state == ReportState.QUEUED)
            .values(state=ReportState.RUNNING, started_at=now)
            .execution_options(synchronize_session=False)
        )
        return candidate if won.rowcount else None  # type: ignore[attr-defined]

    def set_report_progress(self, report_id: int, done: int, total: int) -> None:
        """Record how many regions of a report are done."""
        self.session.execute(
            update(PortfolioReportRun)
            .where(PortfolioReportRun.id == report_id)
            .values(done=done, total=total)
            .execution_options(synchronize_session=False)
        )

    def finish_report(self, report_id: int, state: ReportState, now: datetime, **values: Any) -> None:
        """Mark a report done (with its files) or failed (with its reason)."""
        self.session.execute(
            update(PortfolioReportRun)
            .where(PortfolioReportRun.id == report_id)
            .values(state=state, finished_at=now, **values)
            .execution_options(synchronize_session=False)
        )

    def report_of_period(self, user_id: int, period: str) -> PortfolioReportRun | None:
        """A user's latest report for a period, if any."""
        statement = (
            select(PortfolioReportRun)
            .where(PortfolioReportRun.requested_by_id == user_id, PortfolioReportRun.period == period)
            .order_by(PortfolioReportRun.id.desc())
            .limit(1)
        )
        return self.session.scalars(statement).first()
