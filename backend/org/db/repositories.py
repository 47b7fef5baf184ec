"""Repositories for regions, projects, assets and customers, and the asset board's summaries."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from typing import Any

from sqlalchemy import ColumnElement, func, or_, select, true, update
from sqlalchemy.orm import Session

from backend.core.db.models import AuditEntry, RoleAssignment
from backend.core.db.repositories import IN_CHUNK, Repository, bulk_insert, chunks, contains, equals, one_of
from backend.core.db.scoping import projects_in, regions_touched
from backend.core.domain.access import Scope
from backend.core.domain.errors import NotFound
from backend.leasing.db.models import Lease, lease_assets
from backend.leasing.domain.leases import BINDING
from backend.org.db.models import (
    Asset,
    Customer,
    CustomerBankAccount,
    CustomerContact,
    CustomerPayerName,
    Project,
    Region,
)
from backend.org.domain.org import AssetStatus


class RegionRepository(Repository[Region]):
    """Regions."""

    model = Region
    entity_name = "Region"
    filters = {"q": contains(Region.code, Region.name), "code": equals(Region.code)}
    sortable = {"code": Region.code, "name": Region.name, "created_at": Region.created_at}

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        return regions_touched(scope)

    def has_dependents(self, region_id: int) -> bool:
        """Whether projects, customers or role assignments still point at the region."""
        return any(
            self.session.scalar(select(column).where(column == region_id).limit(1)) is not None
            for column in (Project.region_id, Customer.region_id, RoleAssignment.region_id)
        )


class ProjectRepository(Repository[Project]):
    """Projects (sites)."""

    model = Project
    entity_name = "Project"
    filters = {
        "q": contains(Project.code, Project.name, Project.city),
        "region_id": equals(Project.region_id),
        "city": equals(Project.city),
        "category": equals(Project.category),
    }
    sortable = {
        "code": Project.code,
        "name": Project.name,
        "city": Project.city,
        "category": Project.category,
        "created_at": Project.created_at,
    }

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        return projects_in(scope)

    def has_dependents(self, project_id: int) -> bool:
        """Whether role assignments still point at the project."""
        statement = select(RoleAssignment.id).where(RoleAssignment.project_id == project_id).limit(1)
        return self.session.scalar(statement) is not None

    def by_code(self, code: str, scope: Scope) -> Project:
        """One project by its code; out of scope is indistinguishable from missing."""
        row = self.session.scalars(self.scoped(scope).where(Project.code == code)).first()
        if row is None:
            raise NotFound(self.entity_name)
        return row

    def time_zones(self) -> dict[int, str]:
        """Every project's time zone, by project id (the scheduler's per-project slots)."""
        return dict(self.session.execute(select(Project.id, Project.timezone).order_by(Project.id)).all())

    def holiday_calendars(self) -> list[str]:
        """The holiday-calendar codes projects use."""
        statement = select(Project.holiday_calendar).distinct().order_by(Project.holiday_calendar)
        return sorted({code.strip().upper() for code in self.session.scalars(statement)})


class AssetRepository(Repository[Asset]):
    """Assets: space units and equipment items."""

    model = Asset
    entity_name = "Asset"
    filters = {
        "q": contains(Asset.code, Asset.name, Asset.serial_number),
        "project_id": equals(Asset.project_id),
        "region_id": lambda value: Asset.project_id.in_(select(Project.id).where(Project.region_id == value)),
        "kind": equals(Asset.kind),
        "asset_type": equals(Asset.asset_type),
        "status": one_of(Asset.status),
        "floor": equals(Asset.floor),
        "min_area_m2": lambda value: Asset.area_m2 >= value,
        "max_area_m2": lambda value: Asset.area_m2 <= value,
    }
    sortable = {
        "code": Asset.code,
        "name": Asset.name,
        "status": Asset.status,
        "area_m2": Asset.area_m2,
        "floor": Asset.floor,
        "asset_type": Asset.asset_type,
        "created_at": Asset.created_at,
        "updated_at": Asset.updated_at,
    }

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        if scope.everything:
            return true()
        return Asset.project_id.in_(select(Project.id).where(projects_in(scope)))

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        self._preloaded: list[Asset] = []

    def in_scope(self, row: Asset, scope: Scope) -> bool | None:
        return scope.covers_project(row.project_id, row.project.region_id)

    def preload(self, asset_ids: Collection[int]) -> None:
        """Load these assets with their projects in one query, for a batch about to use them one by one."""
        wanted = sorted(set(asset_ids))
        for start in range(0, len(wanted), IN_CHUNK):
            # The project comes along (joined): the scope check on a loaded asset needs its region. The
            # session holds loaded rows weakly: keeping them here keeps them for the transaction.
            statement = select(Asset).where(Asset.id.in_(wanted[start : start + IN_CHUNK]))
            self._preloaded.extend(self.session.scalars(statement).all())

    def count_in_project(self, project_id: int) -> int:
        """How many assets a project holds (deletion is refused while any remain)."""
        return self.session.scalar(select(func.count()).where(Asset.project_id == project_id)) or 0

    def in_project(self, project_id: int, statuses: Collection[Any], scope: Scope) -> Sequence[Asset]:
        """A project's assets within the scope, by code; only the given statuses when any are given."""
        statement = self.scoped(scope).where(Asset.project_id == project_id)
        if statuses:
            statement = statement.where(Asset.status.in_(list(statuses)))
        return self.session.scalars(statement.order_by(Asset.code)).unique().all()

    def by_codes(self, codes: Collection[str], scope: Scope) -> dict[str, Asset]:
        """The assets within the scope holding one of the codes, keyed by code."""
        wanted = list(codes)
        found: dict[str, Asset] = {}
        for start in range(0, len(wanted), IN_CHUNK):
            statement = self.scoped(scope).where(Asset.code.in_(wanted[start : start + IN_CHUNK]))
            found.update((asset.code, asset) for asset in self.session.scalars(statement).unique())
        return found

    def set_status(self, asset: Asset, status: AssetStatus, from_version: int) -> bool:
        """Move the asset to a status only if its status version is still `from_version` (compare-and-set)."""
        result = self.session.execute(
            update(Asset)
            .where(Asset.id == asset.id, Asset.status_version == from_version)
            .values(status=status, status_version=from_version + 1)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) != 1:
            return False
        self.session.refresh(asset)
        return True


class CustomerRepository(Repository[Customer]):
    """Customers; a customer is seen by everyone whose scope touches its region."""

    model = Customer
    entity_name = "Customer"
    filters = {
        "q": contains(Customer.code, Customer.name, Customer.registration_number),
        "region_id": equals(Customer.region_id),
        "kind": equals(Customer.kind),
        "tier": equals(Customer.tier),
        "payer": lambda value: or_(
            Customer.id.in_(select(CustomerPayerName.customer_id).where(CustomerPayerName.name == value)),
            Customer.id.in_(
                select(CustomerBankAccount.customer_id).where(CustomerBankAccount.account_number == value)
            ),
        ),
    }
    sortable = {
        "code": Customer.code,
        "name": Customer.name,
        "tier": Customer.tier,
        "created_at": Customer.created_at,
    }

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        if scope.everything:
            return true()
        return Customer.region_id.in_(select(Region.id).where(regions_touched(scope)))

    def names_of(self, customer_ids: Collection[int]) -> dict[int, str]:
        """Customers' names by id."""
        wanted = sorted(set(customer_ids))
        found: dict[int, str] = {}
        for start in range(0, len(wanted), IN_CHUNK):
            statement = select(Customer.id, Customer.name).where(
                Customer.id.in_(wanted[start : start + IN_CHUNK])
            )
            found.update(self.session.execute(statement).all())
        return found

    def payer_directory(self) -> dict[str, list[tuple[Any, Any]]]:
        """What reconciliation knows of payers: registered accounts, legal names, explicit payer names."""
        return {
            "accounts": list(
                self.session.execute(
                    select(CustomerBankAccount.account_number, CustomerBankAccount.customer_id)
                )
            ),
            "names": list(self.session.execute(select(Customer.id, Customer.name))),
            "aliases": list(
                self.session.execute(select(CustomerPayerName.name, CustomerPayerName.customer_id))
            ),
        }

    def add_bank_account(self, customer: Customer, **values: Any) -> None:
        """Register an account the customer pays from (unless it is registered already)."""
        if all(a.account_number != values["account_number"] for a in customer.bank_accounts):
            customer.bank_accounts.append(CustomerBankAccount(**values))

    def add_payer_name(self, customer: Customer, name: str) -> None:
        """Register a name the customer's payments arrive under (unless it is registered already)."""
        if all(p.name != name for p in customer.payer_names):
            customer.payer_names.append(CustomerPayerName(name=name))

    def replace_children(self, customer: Customer, children: dict[str, list[dict[str, Any]]]) -> None:
        """Replace whole child lists (contacts, bank accounts, payer names) that are given."""
        if "contacts" in children:
            customer.contacts = [CustomerContact(**values) for values in children["contacts"]]
        if "bank_accounts" in children:
            customer.bank_accounts = [CustomerBankAccount(**values) for values in children["bank_accounts"]]
        if "payer_names" in children:
            customer.payer_names = [CustomerPayerName(**values) for values in children["payer_names"]]

    def bulk_create_children(
        self,
        contacts: Sequence[Mapping[str, Any]],
        bank_accounts: Sequence[Mapping[str, Any]],
        payer_names: Sequence[Mapping[str, Any]],
    ) -> None:
        """Insert child rows of many customers at once (seeding); each row names its customer_id."""
        bulk_insert(self.session, CustomerContact, contacts)
        bulk_insert(self.session, CustomerBankAccount, bank_accounts)
        bulk_insert(self.session, CustomerPayerName, payer_names)


class BoardRepository:
    """Summaries for the asset board: status counts, current leases, an asset's history."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def status_counts(self, project_id: int, scope: Scope) -> dict[str, int]:
        """How many of a project's assets within the scope hold each status."""
        statement = (
            select(Asset.status, func.count())
            .join(Project, Asset.project_id == Project.id)
            .where(Asset.project_id == project_id, projects_in(scope))
            .group_by(Asset.status)
        )
        return {status.value: count for status, count in self.session.execute(statement)}

    def current_leases(self, asset_ids: Collection[int]) -> dict[int, Lease]:
        """The binding lease of each asset that has one (the latest starting, if several), by asset id."""
        found: dict[int, Lease] = {}
        for chunk in chunks(asset_ids):
            statement = (
                select(lease_assets.c.asset_id, Lease)
                .join(Lease, Lease.id == lease_assets.c.lease_id)
                .where(lease_assets.c.asset_id.in_(chunk), Lease.status.in_(BINDING))
                .order_by(Lease.starts_on, Lease.id)
            )
            found.update((asset_id, lease) for asset_id, lease in self.session.execute(statement).unique())
        return found

    def asset_history(self, asset_id: int, page: int, page_size: int) -> tuple[Sequence[AuditEntry], int]:
        """A page of the asset's own audit entries, newest first, and their total."""
        where = (AuditEntry.entity_type == "asset", AuditEntry.entity_id == str(asset_id))
        total = self.session.scalar(select(func.count()).select_from(AuditEntry).where(*where)) or 0
        statement = (
            select(AuditEntry)
            .where(*where)
            .order_by(AuditEntry.occurred_at.desc(), AuditEntry.id.desc())
            .limit(page_size)
            .offset((page - 1) * page_size)
        )
        return self.session.scalars(statement).all(), total
