"""The billing run: schedule items become numbered charges when billable; write-offs become credit notes."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from backend.core.domain.access import Permission as P
from backend.core.domain.access import Scope
from backend.core.domain.audit import AuditAction
from backend.core.domain.jobs import JobKind, JobStatus
from backend.core.services import audit
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.leasing.domain.leases import SCHEDULED
from backend.leasing.domain.schedule.settlement import WRITTEN_OFF
from backend.receivables.domain import billing, ledger
from backend.receivables.domain.ledger import AllocationSource

CHARGE_SERIES = "charge"
CREDIT_SERIES = "credit"
CREDIT_PREFIX = "CN"


@dataclass(frozen=True)
class BillingReport:
    """What one billing run of one project issued."""

    project_id: int
    billed_on: date
    charges: int
    amount: Decimal
    free_periods: int
    credit_notes: int
    deposits_requested: int
    numbers: tuple[str, ...]
    run_id: int | None


def business_date(project: Any, now: datetime) -> date:
    """Today in the project's time zone."""
    return now.astimezone(ZoneInfo(project.timezone)).date()


def run_billing(
    project_id: int, actor: Actor, uow: UnitOfWork, now: datetime, run_id: int | None = None
) -> BillingReport:
    """Issue every billable item of one project as of today there; commits once, idempotent.

    An item is billable `billing_lead_days` (its lease's template) before it falls due; gross and concession
    items of one period form one charge; a fully free period is marked billed without a charge. Bills are
    numbered per project and month without gaps.
    """
    project = uow.projects.get(project_id, actor.require(P.RECEIVABLE_WRITE))
    today = business_date(project, now)
    rows = uow.charges.billable(project.id, SCHEDULED, today + timedelta(days=billing.MAX_LEAD_DAYS))
    templates = uow.templates.by_values("id", {t for _i, _c, t in rows}, Scope(everything=True))
    lead = {template_id: template.billing_lead_days for template_id, template in templates.items()}
    customer_of: dict[int, int] = {}
    items = []
    for item, customer_id, template_id in rows:
        if billing.is_billable(item.due_date, lead.get(template_id, billing.DEFAULT_LEAD_DAYS), today):
            customer_of[item.lease_id] = customer_id
            items.append(_billable(item))
    drafts = billing.drafts(items)
    numbers = _issue(project, drafts, customer_of, today, actor, uow)
    credits, debit_numbers, debits = _settle_amendments(project, today, actor, uow)
    numbers += debit_numbers
    deposits = _request_deposits(project, today, uow)
    issued = [d for d in drafts if d.amount > 0]
    report = BillingReport(
        project_id=project.id,
        billed_on=today,
        charges=len(issued) + len(debit_numbers),
        amount=sum((d.amount for d in issued), debits),
        free_periods=len(drafts) - len(issued),
        credit_notes=credits,
        deposits_requested=deposits,
        numbers=tuple(numbers),
        run_id=None,
    )
    run = uow.job_runs.record(
        run_id,
        kind=JobKind.BILLING_RUN,
        project_id=project.id,
        status=JobStatus.SUCCEEDED,
        details={
            "billed_on": today.isoformat(),
            "charges": report.charges,
            "amount": str(report.amount),
            "free_periods": report.free_periods,
            "credit_notes": credits,
            "deposits_requested": deposits,
            "first": numbers[0] if numbers else None,
            "last": numbers[-1] if numbers else None,
        },
        requested_by_id=actor.user_id,
        started_at=now,
        finished_at=now,
    )
    if numbers or credits or deposits:
        audit.record(
            uow,
            actor,
            AuditAction.CREATE,
            "billing_run",
            project.id,
            after={
                "billed_on": today,
                "charges": report.charges,
                "amount": report.amount,
                "numbers": numbers,
            },
            project_id=project.id,
            region_id=project.region_id,
        )
    uow.commit()
    return dataclasses.replace(report, run_id=run.id)


def _billable(item: Any) -> billing.BillableItem:
    return billing.BillableItem(
        id=item.id,
        lease_id=item.lease_id,
        charge_type=item.charge_type.value,
        period_start=item.period_start,
        period_end=item.period_end,
        due_date=item.due_date,
        # Concession items carry the reduction as a positive amount; drafts subtract it.
        amount=abs(item.amount),
        is_concession=item.is_concession,
    )


def _issue(
    project: Any,
    drafts: Sequence[billing.ChargeDraft],
    customer_of: dict[int, int],
    today: date,
    actor: Actor,
    uow: UnitOfWork,
) -> list[str]:
    issued = [d for d in drafts if d.amount > 0]
    last = uow.sequences.take(project.id, CHARGE_SERIES, billing.period_key(today), len(issued))
    numbers = []
    links = []
    for sequence, draft in zip(billing.sequence_numbers(last, len(issued)), issued, strict=True):
        number = billing.document_number("", project.code, today, sequence)
        charge = uow.charges.create(
            number=number,
            project_id=project.id,
            customer_id=customer_of[draft.lease_id],
            lease_id=draft.lease_id,
            kind=draft.kind,
            period_start=draft.period_start,
            period_end=draft.period_end,
            issued_on=today,
            due_date=draft.due_date,
            gross=draft.gross,
            concessions=draft.concessions,
            amount=draft.amount,
            currency=ledger.DEFAULT_CURRENCY,
            created_by_id=actor.user_id,
        )
        numbers.append(number)
        links.append((charge, draft))
    uow.flush()
    uow.charges.bulk_insert_items(
        [
            {"charge_id": charge.id, "schedule_item_id": item_id}
            for charge, draft in links
            for item_id in draft.item_ids
        ]
        + [
            {"charge_id": None, "schedule_item_id": item_id}
            for draft in drafts
            if draft.amount <= 0
            for item_id in draft.item_ids
        ]
    )
    uow.charges.mark_items([i for d in drafts for i in d.item_ids], "issued")
    return numbers


def _settle_amendments(
    project: Any, today: date, actor: Actor, uow: UnitOfWork
) -> tuple[int, list[str], Decimal]:
    """What amendments recorded against billed money: credits become credit notes set against the lease's
    oldest open charges, debits become adjustment charges. Returns the credit notes, the charges' numbers
    and their total."""
    found = [(item, customer) for item, customer in uow.charges.settlements_unbilled(project.id) if customer]
    credits = [(item, customer) for item, customer in found if item.amount < 0]
    debits = [(item, customer) for item, customer in found if item.amount > 0]
    if credits:
        last = uow.sequences.take(project.id, CREDIT_SERIES, billing.period_key(today), len(credits))
        for sequence, (item, customer_id) in zip(
            billing.sequence_numbers(last, len(credits)), credits, strict=True
        ):
            _credit(project, item, customer_id, sequence, today, actor, uow)
    numbers = []
    if debits:
        last = uow.sequences.take(project.id, CHARGE_SERIES, billing.period_key(today), len(debits))
        for sequence, (item, customer_id) in zip(
            billing.sequence_numbers(last, len(debits)), debits, strict=True
        ):
            number = billing.document_number("", project.code, today, sequence)
            charge = uow.charges.create(
                number=number,
                project_id=project.id,
                customer_id=customer_id,
                lease_id=item.lease_id,
                kind=ledger.ChargeKind.ADJUSTMENT,
                period_start=item.period_start,
                period_end=item.period_end,
                issued_on=today,
                due_date=max(item.due_date, today),
                gross=item.amount,
                concessions=Decimal("0.00"),
                amount=item.amount,
                currency=ledger.DEFAULT_CURRENCY,
                description=_settlement_note(item),
                created_by_id=actor.user_id,
            )
            uow.flush()
            uow.charges.bulk_insert_items([{"charge_id": charge.id, "schedule_item_id": item.id}])
            numbers.append(number)
    return len(credits), numbers, sum((item.amount for item, _ in debits), Decimal("0.00"))


def _settlement_note(item: Any) -> str:
    if item.status == WRITTEN_OFF:
        return f"Write-off of lease amendment (version {item.lease_version})"
    return (
        f"Adjustment of {item.period_start.isoformat()}–{item.period_end.isoformat()} "
        f"({item.charge_type.value}), lease version {item.lease_version}"
    )


def _credit(
    project: Any, item: Any, customer_id: int, sequence: int, today: date, actor: Actor, uow: UnitOfWork
) -> None:
    note = uow.credit_notes.create(
        number=billing.document_number(CREDIT_PREFIX, project.code, today, sequence),
        project_id=project.id,
        customer_id=customer_id,
        lease_id=item.lease_id,
        issued_on=today,
        amount=abs(item.amount),
        currency=ledger.DEFAULT_CURRENCY,
        reason=_settlement_note(item),
        schedule_item_id=item.id,
        created_by_id=actor.user_id,
    )
    uow.flush()
    open_charges = [
        (charge.id, open_amount)
        for charge, open_amount in uow.charges.open_of_customer(customer_id, ledger.DEFAULT_CURRENCY)
        if charge.lease_id == item.lease_id
    ]
    for charge_id, amount in ledger.oldest_first(open_charges, note.amount):
        uow.allocations.create(
            charge_id=charge_id,
            credit_note_id=note.id,
            amount=amount,
            source=AllocationSource.AUTO,
            created_by_id=actor.user_id,
        )


def _request_deposits(project: Any, today: date, uow: UnitOfWork) -> int:
    """Open a deposit record for each live lease that names a deposit and has none yet."""
    leases = uow.deposits.leases_without_deposit(project.id, SCHEDULED)
    for lease in leases:
        uow.deposits.create(
            lease_id=lease.id,
            project_id=project.id,
            customer_id=lease.customer_id,
            required=lease.deposit_amount,
            currency=ledger.DEFAULT_CURRENCY,
            requested_on=today,
        )
    return len(leases)
