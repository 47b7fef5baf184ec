"""Repositories of collections: what a dunning run reads and writes, and the pauses, cases and tasks."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select, text, true, update
from sqlalchemy.orm import Session

from backend.collections.db.models import (
    CollectionCase,
    CollectionTask,
    CreditConsent,
    CreditSignal,
    DeviceLock,
    Dispute,
    DunningNotice,
    DunningPolicy,
    DunningStanding,
    GracePeriod,
    LateFeeAccrual,
    LateFeePosting,
    PaymentPromise,
)
from backend.collections.domain.pauses import DisputeState, GraceState, PromiseState
from backend.core.db.repositories import IN_CHUNK, Repository, equals, insert_many, one_of
from backend.core.db.scoping import in_projects, regions_touched
from backend.core.domain.access import Scope
from backend.iot.db.models import IotDevice
from backend.leasing.db.models import ContractTemplate, Lease, lease_assets
from backend.leasing.domain.leases import ContractType
from backend.notify.db.models import ChannelEndpoint
from backend.notify.domain.channels import ChannelKind
from backend.org.db.models import Asset, Customer, CustomerContact, Project, Region
from backend.receivables.db.models import Allocation, Charge, CreditNote, Payment
from backend.receivables.domain.ledger import ChargeKind

LIVE = Allocation.reversed_at.is_(None)
SPOKEN_ACTIONS = ("notice", "task", "case")


def _chunks(ids: Collection[int]) -> list[list[int]]:
    wanted = sorted(set(ids))
    return [wanted[start : start + IN_CHUNK] for start in range(0, len(wanted), IN_CHUNK)]


class DunningRepository:
    """What a project's dunning run reads (overdue bills, settlements, clauses, contacts) and keeps."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def policies(self, project_id: int) -> list[DunningPolicy]:
        """A project's policies, one per customer tier it configured."""
        return list(self.session.scalars(select(DunningPolicy).where(DunningPolicy.project_id == project_id)))

    def policy(self, project_id: int, customer_tier: Any) -> DunningPolicy | None:
        """A project's policy for one customer tier, if configured."""
        return self.session.scalars(
            select(DunningPolicy).where(
                DunningPolicy.project_id == project_id, DunningPolicy.customer_tier == customer_tier
            )
        ).first()

    def add_policy(self, **values: Any) -> DunningPolicy:
        """Stage a policy."""
        policy = DunningPolicy(**values)
        self.session.add(policy)
        return policy

    def open_bills(self, project_id: int, due_before: date) -> list[Any]:
        """A project's open bills due before a day, as plain rows, oldest first.

        (id, number, customer_id, lease_id, lease_number, due_date, amount, open, currency, kind)
        """
        allocated = (
            select(Allocation.charge_id, func.sum(Allocation.amount).label("allocated"))
            .join(Charge, Charge.id == Allocation.charge_id)
            .where(LIVE, Charge.project_id == project_id)
            .group_by(Allocation.charge_id)
            .subquery()
        )
        open_amount = Charge.amount - func.coalesce(allocated.c.allocated, 0)
        statement = (
            select(
                Charge.id,
                Charge.number,
                Charge.customer_id,
                Charge.lease_id,
                Lease.number.label("lease_number"),
                Charge.due_date,
                Charge.amount,
                open_amount.label("open"),
                Charge.currency,
                Charge.kind,
            )
            .outerjoin(allocated, allocated.c.charge_id == Charge.id)
            .outerjoin(Lease, Lease.id == Charge.lease_id)
            .where(Charge.project_id == project_id, Charge.due_date < due_before, open_amount > 0)
            .order_by(Charge.due_date, Charge.id)
        )
        return list(self.session.execute(statement))

    def late_fee_candidates(self, project_id: int, through: date) -> list[Any]:
        """Bills of leases with a late-fee clause that may have days to accrue through a day: still open, or
        settled late after their watermark (those days of delay are charged too, once).

        (id, number, customer_id, lease_id, lease_number, due_date, amount, open, currency, kind)
        """
        settled_on = func.coalesce(Payment.received_on, CreditNote.issued_on)
        allocated = (
            select(
                Allocation.charge_id,
                func.sum(Allocation.amount).label("allocated"),
                func.max(settled_on).label("last_on"),
            )
            .join(Charge, Charge.id == Allocation.charge_id)
            .outerjoin(Payment, Payment.id == Allocation.payment_id)
            .outerjoin(CreditNote, CreditNote.id == Allocation.credit_note_id)
            .where(LIVE, Charge.project_id == project_id)
            .group_by(Allocation.charge_id)
            .subquery()
        )
        open_amount = Charge.amount - func.coalesce(allocated.c.allocated, 0)
        late_settled = and_(
            allocated.c.last_on > Charge.due_date,
            or_(LateFeeAccrual.through.is_(None), LateFeeAccrual.through < allocated.c.last_on),
        )
        statement = (
            select(
                Charge.id,
                Charge.number,
                Charge.customer_id,
                Charge.lease_id,
                Lease.number.label("lease_number"),
                Charge.due_date,
                Charge.amount,
                open_amount.label("open"),
                Charge.currency,
                Charge.kind,
            )
            .join(Lease, Lease.id == Charge.lease_id)
            .outerjoin(allocated, allocated.c.charge_id == Charge.id)
            .outerjoin(LateFeeAccrual, LateFeeAccrual.charge_id == Charge.id)
            .where(
                Charge.project_id == project_id, Charge.due_date < through, Lease.late_fee_rate.is_not(None)
            )
            .where(Charge.kind != ChargeKind.LATE_FEE, or_(open_amount > 0, late_settled))
            # Bills accrued through the day already have nothing to add (a rerun reads none of them).
            .where(or_(LateFeeAccrual.through.is_(None), LateFeeAccrual.through < through))
            .order_by(Charge.due_date, Charge.id)
        )
        return list(self.session.execute(statement))

    def settlements(self, charge_ids: Collection[int]) -> dict[int, list[tuple[date, Decimal]]]:
        """Live allocations to each charge with the day their money counts: a payment's receipt day, a
        credit note's issue day."""
        found: dict[int, list[tuple[date, Decimal]]] = {}
        for chunk in _chunks(charge_ids):
            statement = (
                select(
                    Allocation.charge_id,
                    func.coalesce(Payment.received_on, CreditNote.issued_on),
                    Allocation.amount,
                )
                .outerjoin(Payment, Payment.id == Allocation.payment_id)
                .outerjoin(CreditNote, CreditNote.id == Allocation.credit_note_id)
                .where(LIVE, Allocation.charge_id.in_(chunk))
            )
            for charge_id, on, amount in self.session.execute(statement):
                found.setdefault(charge_id, []).append((on, amount))
        return found

    def paid_since(self, customer_id: int, project_id: int, since: date) -> Decimal:
        """What a customer's payments received since a day settled of the project's bills."""
        statement = (
            select(func.coalesce(func.sum(Allocation.amount), 0))
            .join(Payment, Payment.id == Allocation.payment_id)
            .join(Charge, Charge.id == Allocation.charge_id)
            .where(LIVE, Charge.project_id == project_id, Charge.customer_id == customer_id)
            .where(Payment.received_on >= since)
        )
        return Decimal(self.session.scalar(statement) or 0)

    def leases(self, lease_ids: Collection[int]) -> dict[int, Any]:
        """Leases' late-fee clauses, account managers and contract types, as plain rows by id."""
        found: dict[int, Any] = {}
        for chunk in _chunks(lease_ids):
            statement = (
                select(
                    Lease.id,
                    Lease.number,
                    Lease.late_fee_rate,
                    Lease.late_fee_basis,
                    Lease.late_fee_grace_days,
                    Lease.late_fee_cap_rate,
                    Lease.late_fee_article,
                    Lease.account_manager_id,
                    ContractTemplate.contract_type,
                )
                .join(ContractTemplate, ContractTemplate.id == Lease.template_id)
                .where(Lease.id.in_(chunk))
            )
            found.update((row.id, row) for row in self.session.execute(statement))
        return found

    def customers(self, customer_ids: Collection[int]) -> dict[int, Customer]:
        """Customers with their contacts, by id."""
        found: dict[int, Customer] = {}
        for chunk in _chunks(customer_ids):
            found.update(
                (c.id, c) for c in self.session.scalars(select(Customer).where(Customer.id.in_(chunk)))
            )
        return found

    def primary_contacts(self, customer_ids: Collection[int]) -> dict[int, CustomerContact]:
        """Each customer's primary contact (else their first one)."""
        found: dict[int, CustomerContact] = {}
        for chunk in _chunks(customer_ids):
            statement = (
                select(CustomerContact)
                .where(CustomerContact.customer_id.in_(chunk))
                .order_by(CustomerContact.is_primary.desc(), CustomerContact.id)
            )
            for contact in self.session.scalars(statement):
                found.setdefault(contact.customer_id, contact)
        return found

    def standings(self, project_id: int) -> dict[int, DunningStanding]:
        """Where each customer of a project stood after the last run, by customer."""
        statement = select(DunningStanding).where(DunningStanding.project_id == project_id)
        return {row.customer_id: row for row in self.session.scalars(statement)}

    def add_standing(self, **values: Any) -> DunningStanding:
        """Stage a standing."""
        standing = DunningStanding(**values)
        self.session.add(standing)
        return standing

    def notices_on(self, project_id: int, run_on: date) -> dict[int, DunningNotice]:
        """The notices a project's runs wrote on a day, by customer."""
        statement = select(DunningNotice).where(
            DunningNotice.project_id == project_id, DunningNotice.run_on == run_on
        )
        return {row.customer_id: row for row in self.session.scalars(statement)}

    def add_notice(self, **values: Any) -> DunningNotice:
        """Stage a notice."""
        notice = DunningNotice(**values)
        self.session.add(notice)
        return notice

    def add_task(self, **values: Any) -> CollectionTask:
        """Stage an account manager's task."""
        task = CollectionTask(**values)
        self.session.add(task)
        return task

    def open_promises(self, project_id: int) -> list[PaymentPromise]:
        """The project's promises still waiting for their day or money."""
        statement = select(PaymentPromise).where(
            PaymentPromise.project_id == project_id, PaymentPromise.state == PromiseState.OPEN
        )
        return list(self.session.scalars(statement.order_by(PaymentPromise.id)))

    def approved_graces(self, project_id: int, on: date) -> list[GracePeriod]:
        """Approved grace periods of the project running on a day."""
        statement = select(GracePeriod).where(
            GracePeriod.project_id == project_id,
            GracePeriod.state == GraceState.APPROVED,
            GracePeriod.starts_on <= on,
            GracePeriod.ends_on >= on,
        )
        return list(self.session.scalars(statement))

    def disputes_of_charges(self, project_id: int) -> dict[int, list[tuple[date, date | None]]]:
        """Each disputed charge of the project with its dispute spans (first day, last day or None)."""
        found: dict[int, list[tuple[date, date | None]]] = {}
        for dispute in self.session.scalars(select(Dispute).where(Dispute.project_id == project_id)):
            last = None if dispute.state is DisputeState.OPEN else dispute.resolved_on
            for charge_id in dispute.charge_ids:
                found.setdefault(int(charge_id), []).append((dispute.opened_on, last))
        return found

    def open_cases(self, project_id: int) -> dict[int, CollectionCase]:
        """The project's open legal cases, by customer."""
        statement = select(CollectionCase).where(
            CollectionCase.project_id == project_id, CollectionCase.state == "open"
        )
        return {row.customer_id: row for row in self.session.scalars(statement)}

    def add_case(self, **values: Any) -> CollectionCase:
        """Stage a case."""
        case = CollectionCase(**values)
        self.session.add(case)
        return case

    def accruals(self, charge_ids: Collection[int]) -> dict[int, Any]:
        """Late-fee accruals of charges as plain rows (id, charge_id, exact, posted, waived, through)."""
        found: dict[int, Any] = {}
        columns = (LateFeeAccrual.id, LateFeeAccrual.charge_id, LateFeeAccrual.exact, LateFeeAccrual.posted)
        for chunk in _chunks(charge_ids):
            statement = select(*columns, LateFeeAccrual.waived, LateFeeAccrual.through).where(
                LateFeeAccrual.charge_id.in_(chunk)
            )
            found.update((row.charge_id, row) for row in self.session.execute(statement))
        return found

    def save_accruals(
        self, new: Sequence[Mapping[str, Any]], changed: Sequence[Mapping[str, Any]]
    ) -> dict[int, int]:
        """Insert new accruals and update changed ones (by id) in bulk; the new ones' ids by charge."""
        insert_many(self.session, LateFeeAccrual, new)
        if changed and self.session.get_bind().dialect.name == "postgresql":
            self._update_by_copy(changed)
        elif changed:
            self.session.execute(update(LateFeeAccrual), [dict(row) for row in changed])
        found: dict[int, int] = {}
        for chunk in _chunks([row["charge_id"] for row in new]):
            statement = select(LateFeeAccrual.charge_id, LateFeeAccrual.id).where(
                LateFeeAccrual.charge_id.in_(chunk)
            )
            found.update((charge_id, accrual_id) for charge_id, accrual_id in self.session.execute(statement))
        return found

    def _update_by_copy(self, changed: Sequence[Mapping[str, Any]]) -> None:
        """Every open bill accrues each day: on PostgreSQL the day's new states go through COPY into a
        temporary table and one UPDATE, not one statement per bill."""
        connection = self.session.connection()
        connection.execute(
            text(
                "CREATE TEMPORARY TABLE IF NOT EXISTS late_fee_changes (id integer PRIMARY KEY, "
                "exact numeric(20, 10), posted numeric(14, 2), through date, updated_at timestamptz) "
                "ON COMMIT DROP"
            )
        )
        columns = ("id", "exact", "posted", "through", "updated_at")
        cursor = connection.connection.cursor()
        with cursor.copy(f"COPY late_fee_changes ({', '.join(columns)}) FROM STDIN") as copy:
            for row in changed:
                copy.write_row([row[name] for name in columns])
        connection.execute(
            text(
                "UPDATE late_fee_accruals AS a SET exact = c.exact, posted = c.posted, through = c.through, "
                "updated_at = c.updated_at FROM late_fee_changes AS c WHERE a.id = c.id"
            )
        )
        connection.execute(text("TRUNCATE late_fee_changes"))

    def waive(self, accrual_id: int, amount: Decimal, now: datetime) -> None:
        """Add to what is waived of an accrual."""
        self.session.execute(
            update(LateFeeAccrual)
            .where(LateFeeAccrual.id == accrual_id)
            .values(waived=LateFeeAccrual.waived + amount, updated_at=now)
        )

    def add_postings(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert late-fee postings."""
        insert_many(self.session, LateFeePosting, rows)

    def late_fees_of(self, customer_ids: Collection[int], project_id: int) -> dict[int, Decimal]:
        """What late fees each customer owes in the project (posted, less waived)."""
        found: dict[int, Decimal] = {}
        for chunk in _chunks(customer_ids):
            statement = (
                select(LateFeeAccrual.customer_id, func.sum(LateFeeAccrual.posted - LateFeeAccrual.waived))
                .where(LateFeeAccrual.project_id == project_id, LateFeeAccrual.customer_id.in_(chunk))
                .group_by(LateFeeAccrual.customer_id)
            )
            found.update(
                (customer, Decimal(total or 0)) for customer, total in self.session.execute(statement)
            )
        return found

    def postings_of(self, charge_id: int) -> list[LateFeePosting]:
        """A charge's late-fee postings, oldest first."""
        statement = select(LateFeePosting).where(LateFeePosting.charge_id == charge_id)
        return list(self.session.scalars(statement.order_by(LateFeePosting.end_on, LateFeePosting.id)))


class ConductRepository:
    """What dunning recorded of a customer: broken promises, disputes, when they were told and answered."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def counts(self, customer_id: int, scope: Scope, until: date) -> tuple[int, int]:
        """Promises broken and disputes raised by a day, in the scope's projects."""
        broken = select(func.count()).where(
            PaymentPromise.customer_id == customer_id,
            PaymentPromise.state == PromiseState.BROKEN,
            PaymentPromise.settled_on <= until,
            in_projects(PaymentPromise.project_id, scope),
        )
        disputes = select(func.count()).where(
            Dispute.customer_id == customer_id,
            Dispute.opened_on <= until,
            in_projects(Dispute.project_id, scope),
        )
        return self.session.scalar(broken) or 0, self.session.scalar(disputes) or 0

    def told_on(
        self, customer_id: int, scope: Scope, since: date, until: date
    ) -> list[tuple[date, list[Any]]]:
        """The days the customer was told (a message, a task, a hand-over) with the bills it was about."""
        statement = (
            select(DunningNotice.run_on, DunningNotice.bills)
            .where(DunningNotice.customer_id == customer_id, DunningNotice.action.in_(SPOKEN_ACTIONS))
            .where(DunningNotice.run_on >= since, DunningNotice.run_on <= until)
            .where(in_projects(DunningNotice.project_id, scope))
            .order_by(DunningNotice.run_on)
        )
        return [(row[0], list(row[1] or [])) for row in self.session.execute(statement)]

    def answers(self, customer_id: int, since: date, until: date) -> list[date]:
        """Days the customer answered: a payment received, a promise made, a dispute raised."""
        days: set[date] = set()
        statements = (
            select(Payment.received_on).where(
                Payment.customer_id == customer_id, Payment.received_on >= since
            ),
            select(PaymentPromise.made_on).where(
                PaymentPromise.customer_id == customer_id, PaymentPromise.made_on >= since
            ),
            select(Dispute.opened_on).where(Dispute.customer_id == customer_id, Dispute.opened_on >= since),
        )
        for statement in statements:
            days.update(day for day in self.session.scalars(statement) if day <= until)
        return sorted(days)


class _ProjectScoped(Repository[Any]):
    """A collections table whose rows belong to a project."""

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        return in_projects(self.model.project_id, scope)


class StandingRepository(_ProjectScoped):
    """The collections workbench: customers by tier, scoped by project."""

    model = DunningStanding
    entity_name = "Dunning standing"
    filters = {
        "project_id": equals(DunningStanding.project_id),
        "customer_id": equals(DunningStanding.customer_id),
        "tier": lambda value: DunningStanding.tier.in_(list(value)),
        "last_action": one_of(DunningStanding.last_action),
    }
    sortable = {
        "tier": DunningStanding.tier,
        "oldest_days": DunningStanding.oldest_days,
        "last_run_on": DunningStanding.last_run_on,
    }


class NoticeRepository(_ProjectScoped):
    """What the runs did, per customer and day."""

    model = DunningNotice
    entity_name = "Dunning notice"
    filters = {
        "project_id": equals(DunningNotice.project_id),
        "customer_id": equals(DunningNotice.customer_id),
        "action": one_of(DunningNotice.action),
        "run_from": lambda value: DunningNotice.run_on >= value,
        "run_to": lambda value: DunningNotice.run_on <= value,
    }
    sortable = {"run_on": DunningNotice.run_on}


class PromiseRepository(_ProjectScoped):
    """Promises to pay."""

    model = PaymentPromise
    entity_name = "Payment promise"
    filters = {
        "project_id": equals(PaymentPromise.project_id),
        "customer_id": equals(PaymentPromise.customer_id),
        "state": one_of(PaymentPromise.state),
    }
    sortable = {"promised_on": PaymentPromise.promised_on}


class GraceRepository(_ProjectScoped):
    """Grace periods."""

    model = GracePeriod
    entity_name = "Grace period"
    filters = {
        "project_id": equals(GracePeriod.project_id),
        "customer_id": equals(GracePeriod.customer_id),
        "state": one_of(GracePeriod.state),
    }
    sortable = {"requested_at": GracePeriod.requested_at}


class DisputeRepository(_ProjectScoped):
    """Disputes over bills."""

    model = Dispute
    entity_name = "Dispute"
    filters = {
        "project_id": equals(Dispute.project_id),
        "customer_id": equals(Dispute.customer_id),
        "state": one_of(Dispute.state),
    }
    sortable = {"opened_on": Dispute.opened_on}

    def open_of(self, customer_id: int) -> list[Dispute]:
        """A customer's open disputes."""
        statement = select(Dispute).where(
            Dispute.customer_id == customer_id, Dispute.state == DisputeState.OPEN
        )
        return list(self.session.scalars(statement))


class CaseRepository(_ProjectScoped):
    """Legal cases."""

    model = CollectionCase
    entity_name = "Collection case"
    filters = {
        "project_id": equals(CollectionCase.project_id),
        "customer_id": equals(CollectionCase.customer_id),
        "state": one_of(CollectionCase.state),
        "owner_id": equals(CollectionCase.owner_id),
    }
    sortable = {"opened_on": CollectionCase.opened_on}


class TaskRepository(_ProjectScoped):
    """Account managers' tasks for key accounts."""

    model = CollectionTask
    entity_name = "Collection task"
    filters = {
        "project_id": equals(CollectionTask.project_id),
        "assignee_id": equals(CollectionTask.assignee_id),
        "state": one_of(CollectionTask.state),
    }
    sortable = {"due_on": CollectionTask.due_on}


class DeviceLockRepository(_ProjectScoped):
    """Lock and unlock commands of leased machines, and what sending them reads."""

    model = DeviceLock
    entity_name = "Device lock"
    filters = {
        "project_id": equals(DeviceLock.project_id),
        "customer_id": equals(DeviceLock.customer_id),
        "lease_id": equals(DeviceLock.lease_id),
        "asset_id": equals(DeviceLock.asset_id),
        "command": one_of(DeviceLock.command),
        "state": one_of(DeviceLock.state),
    }
    sortable = {"requested_at": DeviceLock.requested_at}

    def equipment_assets(self, lease_ids: Collection[int]) -> dict[int, list[int]]:
        """The machines of those leases whose template is an equipment contract, by lease."""
        found: dict[int, list[int]] = {}
        for chunk in _chunks(lease_ids):
            statement = (
                select(lease_assets.c.lease_id, lease_assets.c.asset_id)
                .join(Lease, Lease.id == lease_assets.c.lease_id)
                .join(ContractTemplate, ContractTemplate.id == Lease.template_id)
                .where(Lease.id.in_(chunk), ContractTemplate.contract_type == ContractType.EQUIPMENT)
                .order_by(lease_assets.c.lease_id, lease_assets.c.asset_id)
            )
            for lease_id, asset_id in self.session.execute(statement):
                found.setdefault(lease_id, []).append(asset_id)
        return found

    def commanded(self, project_id: int) -> dict[int, list[int]]:
        """The machines of the project that were ever commanded, by lease."""
        statement = (
            select(DeviceLock.lease_id, DeviceLock.asset_id)
            .where(DeviceLock.project_id == project_id)
            .distinct()
            .order_by(DeviceLock.lease_id, DeviceLock.asset_id)
        )
        found: dict[int, list[int]] = {}
        for lease_id, asset_id in self.session.execute(statement):
            found.setdefault(lease_id, []).append(asset_id)
        return found

    def last_of(self, asset_ids: Collection[int]) -> dict[int, DeviceLock]:
        """Each machine's newest command."""
        found: dict[int, DeviceLock] = {}
        for chunk in _chunks(asset_ids):
            newest = (
                select(func.max(DeviceLock.id))
                .where(DeviceLock.asset_id.in_(chunk))
                .group_by(DeviceLock.asset_id)
            )
            for row in self.session.scalars(select(DeviceLock).where(DeviceLock.id.in_(newest))):
                found[row.asset_id] = row
        return found

    def agreed(self, limit: int) -> list[DeviceLock]:
        """Agreed commands waiting to go out, oldest first, locked against another worker (PostgreSQL)."""
        statement = (
            select(DeviceLock)
            .where(DeviceLock.state == "approved")
            .order_by(DeviceLock.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return list(self.session.scalars(statement))

    def command_facts(self, lock_ids: Collection[int]) -> dict[int, Any]:
        """What a command tells the platform, by command: lease number, machine, customer, project's region.

        (id, lease, asset, asset_name, customer, region_id)
        """
        found: dict[int, Any] = {}
        for chunk in _chunks(lock_ids):
            statement = (
                select(
                    DeviceLock.id,
                    Lease.number.label("lease"),
                    Asset.code.label("asset"),
                    Asset.name.label("asset_name"),
                    Customer.name.label("customer"),
                    Project.region_id,
                )
                .join(Lease, Lease.id == DeviceLock.lease_id)
                .join(Asset, Asset.id == DeviceLock.asset_id)
                .join(Customer, Customer.id == DeviceLock.customer_id)
                .join(Project, Project.id == DeviceLock.project_id)
                .where(DeviceLock.id.in_(chunk))
            )
            found.update((row.id, row) for row in self.session.execute(statement))
        return found

    def devices_of(self, asset_ids: Collection[int]) -> dict[int, list[str]]:
        """The codes of the active IoT devices linked to each machine."""
        found: dict[int, list[str]] = {}
        for chunk in _chunks(asset_ids):
            statement = (
                select(IotDevice.asset_id, IotDevice.code)
                .where(IotDevice.asset_id.in_(chunk), IotDevice.active.is_(True))
                .order_by(IotDevice.code)
            )
            for row in self.session.execute(statement):
                found.setdefault(int(row.asset_id), []).append(row.code)
        return found

    def control_endpoints(self, project_id: int, region_id: int | None, kind: str) -> list[ChannelEndpoint]:
        """The enabled webhooks set up for a kind on the project, then on its region."""
        reach = ChannelEndpoint.project_id == project_id
        if region_id is not None:
            reach = reach | (ChannelEndpoint.region_id == region_id)
        statement = (
            select(ChannelEndpoint)
            .where(ChannelEndpoint.channel == ChannelKind.WEBHOOK, ChannelEndpoint.enabled.is_(True), reach)
            .order_by(ChannelEndpoint.project_id.is_(None), ChannelEndpoint.id)
        )
        return [endpoint for endpoint in self.session.scalars(statement) if kind in (endpoint.kinds or [])]


class CreditConsentRepository(Repository[Any]):
    """Customers' consents to fetch third-party credit information; seen where the customer is."""

    model = CreditConsent
    entity_name = "Credit consent"
    filters = {"customer_id": equals(CreditConsent.customer_id)}
    sortable = {"granted_on": CreditConsent.granted_on}

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        if scope.everything:
            return true()
        customers = select(Customer.id).where(
            Customer.region_id.in_(select(Region.id).where(regions_touched(scope)))
        )
        return CreditConsent.customer_id.in_(customers)

    def of_customer(self, customer_id: int) -> list[CreditConsent]:
        """A customer's consents, newest first."""
        statement = (
            select(CreditConsent)
            .where(CreditConsent.customer_id == customer_id)
            .order_by(CreditConsent.granted_on.desc(), CreditConsent.id.desc())
        )
        return list(self.session.scalars(statement))


class CreditSignalRepository:
    """Public facts about customers from credit providers."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def of_customer(self, customer_id: int) -> list[CreditSignal]:
        """A customer's signals, newest first."""
        statement = (
            select(CreditSignal)
            .where(CreditSignal.customer_id == customer_id)
            .order_by(CreditSignal.observed_on.desc(), CreditSignal.id.desc())
        )
        return list(self.session.scalars(statement))

    def references(self, customer_id: int, provider: str) -> set[str]:
        """The references a provider's signals of the customer are stored under."""
        statement = select(CreditSignal.reference).where(
            CreditSignal.customer_id == customer_id, CreditSignal.provider == provider
        )
        return set(self.session.scalars(statement))

    def add(self, **values: Any) -> CreditSignal:
        """Stage a signal."""
        signal = CreditSignal(**values)
        self.session.add(signal)
        return signal
