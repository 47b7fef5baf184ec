"""Ledger invariants under any sequence of operations, on both databases (hypothesis).

Allocations never exceed either side; Σ charges − Σ allocations equals the open balance per customer; a credit
note never makes a charge negative; refused operations write nothing; no float appears where money flows.
"""

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from backend.core.db.database import Database
from backend.core.domain.errors import DomainError
from backend.core.domain.listing import ListQuery
from backend.receivables.db.models import Allocation, Charge, CreditNote, Payment, Refund
from backend.receivables.services import ledger, reports
from tests.conftest import SYSTEM

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("50000.00"), places=2)
picks = st.integers(min_value=0, max_value=1_000)

operations = st.one_of(
    st.tuples(st.just("charge"), picks, amounts),
    st.tuples(st.just("pay"), picks, amounts, st.booleans(), picks, amounts),
    st.tuples(st.just("credit"), picks, amounts),
    st.tuples(st.just("refund"), picks, amounts),
    st.tuples(st.just("unallocate"), picks),
)


def _counts(db: Database) -> tuple[int, ...]:
    with db.unit_of_work() as uow:
        session = uow.session
        assert session is not None
        return tuple(
            session.scalar(select(func.count()).select_from(model)) or 0
            for model in (Charge, Payment, Allocation, CreditNote, Refund)
        )


def _check_invariants(db: Database, run: Callable[..., Any], customers: list[Any]) -> None:
    with db.unit_of_work() as uow:
        session = uow.session
        assert session is not None
        live = Allocation.reversed_at.is_(None)
        allocated = dict(
            session.execute(
                select(Allocation.charge_id, func.sum(Allocation.amount))
                .where(live)
                .group_by(Allocation.charge_id)
            ).all()
        )
        for charge in session.scalars(select(Charge)):
            assert isinstance(charge.amount, Decimal)
            assert allocated.get(charge.id, Decimal(0)) <= charge.amount
        used = dict(
            session.execute(
                select(Allocation.payment_id, func.sum(Allocation.amount))
                .where(live)
                .group_by(Allocation.payment_id)
            ).all()
        )
        refunded = dict(
            session.execute(
                select(Refund.payment_id, func.sum(Refund.amount)).group_by(Refund.payment_id)
            ).all()
        )
        for payment in session.scalars(select(Payment)):
            assert (
                used.get(payment.id, Decimal(0)) + refunded.get(payment.id, Decimal(0))
                <= payment.amount + payment.fee
            )
        credited = dict(
            session.execute(
                select(Allocation.credit_note_id, func.sum(Allocation.amount))
                .where(live)
                .group_by(Allocation.credit_note_id)
            ).all()
        )
        for note in session.scalars(select(CreditNote)):
            assert credited.get(note.id, Decimal(0)) <= note.amount
        for allocation in session.scalars(select(Allocation)):
            charge = session.get(Charge, allocation.charge_id)
            source = (
                session.get(Payment, allocation.payment_id)
                if allocation.payment_id
                else session.get(CreditNote, allocation.credit_note_id)
            )
            assert charge is not None
            assert source is not None
            assert charge.customer_id == source.customer_id
    aging = run(reports.aging_report, {}, date(2026, 6, 1), SYSTEM)
    open_by_customer = {row["customer_id"]: row["total"] for row in aging["rows"]}
    for customer in customers:
        with db.unit_of_work() as uow:
            session = uow.session
            assert session is not None
            charged = session.scalar(
                select(func.coalesce(func.sum(Charge.amount), 0)).where(Charge.customer_id == customer.id)
            )
            settled = session.scalar(
                select(func.coalesce(func.sum(Allocation.amount), 0))
                .join(Charge, Charge.id == Allocation.charge_id)
                .where(Allocation.reversed_at.is_(None), Charge.customer_id == customer.id)
            )
        expected = Decimal(charged) - Decimal(settled)
        assert open_by_customer.get(customer.id, Decimal("0.00")) == expected
        assert all(isinstance(v, Decimal) for v in open_by_customer.values())


def _apply(operation: tuple[Any, ...], db: Database, project: Any, customers: list[Any]) -> None:
    with db.unit_of_work() as uow:
        _apply_in(operation, uow, project, customers)


def _apply_in(operation: tuple[Any, ...], uow: Any, project: Any, customers: list[Any]) -> None:
    def run(service: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return service(*args, uow=uow, **kwargs)

    kind = operation[0]
    charges, _ = run(ledger.list_charges, ListQuery({}, (), 1, 500), False, SYSTEM)
    payments, _ = run(ledger.list_payments, ListQuery({}, (), 1, 500), SYSTEM)
    if kind == "charge":
        run(
            ledger.create_charge,
            {
                "project_id": project.id,
                "customer_id": customers[operation[1] % 2].id,
                "description": "一次性费用",
                "due_date": date(2026, 5, 1 + operation[1] % 28),
                "amount": operation[2],
            },
            SYSTEM,
            now=NOW,
        )
    elif kind == "pay":
        customer = customers[operation[1] % 2]
        allocations = None
        if operation[3] and charges:
            allocations = [{"charge_id": charges[operation[4] % len(charges)].id, "amount": operation[5]}]
        run(
            ledger.record_payment,
            {
                "customer_id": customer.id,
                "project_id": project.id,
                "received_on": date(2026, 5, 20),
                "amount": operation[2],
                "allocations": allocations,
            },
            SYSTEM,
            now=NOW,
        )
    elif kind == "credit" and charges:
        run(
            ledger.issue_credit_note,
            {
                "charge_id": charges[operation[1] % len(charges)].id,
                "amount": operation[2],
                "reason": "更正",
            },
            SYSTEM,
            now=NOW,
        )
    elif kind == "refund" and payments:
        run(
            ledger.refund,
            payments[operation[1] % len(payments)].id,
            {
                "amount": operation[2],
                "paid_on": date(2026, 5, 25),
                "reason": "多付退回",
            },
            SYSTEM,
        )
    elif kind == "unallocate":
        detailed = [run(ledger.get_payment, p.id, SYSTEM) for p in payments]
        live = [a for p in detailed for a in p.allocations]
        if live:
            run(ledger.unallocate, live[operation[1] % len(live)].id, SYSTEM, now=NOW)


def test_no_sequence_of_ledger_operations_breaks_the_invariants(
    db: Database, run: Callable[..., Any], make_region: Any, make_project: Any, make_customer: Any
) -> None:
    region = make_region()
    project = make_project(region, code="INV")
    customers = [make_customer(region), make_customer(region)]

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(operations, min_size=1, max_size=8))
    def check(sequence: list[tuple[Any, ...]]) -> None:
        for operation in sequence:
            before = _counts(db)
            try:
                _apply(operation, db, project, customers)
            except DomainError:
                assert _counts(db) == before, f"a refused {operation[0]} wrote something"
            _check_invariants(db, run, customers)

    check()
