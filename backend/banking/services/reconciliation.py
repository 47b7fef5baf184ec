"""The daily reconciliation, the difference list, and a person's match, unmatch or setting aside of a line."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from backend.banking.domain import matching
from backend.banking.domain.lines import LineState
from backend.core.domain.access import Permission as P
from backend.core.domain.access import Scope
from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, Conflict, ValidationFailed
from backend.core.domain.jobs import JobKind, JobStatus
from backend.core.domain.listing import ListQuery
from backend.core.services import audit
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.receivables.domain import deposits
from backend.receivables.domain.deposits import MovementKind
from backend.receivables.domain.ledger import AllocationSource, PaymentMethod
from backend.receivables.services import deposits as deposit_service
from backend.receivables.services.ledger import allocate_payment

MANUAL_RULE = "manual"
MATCHED_BY_HAND = N_("Matched by hand.")
UNMATCHED_BY_HAND = N_("Unmatched by hand: the daily run leaves this line to a person.")


@dataclass(frozen=True)
class ReconciliationReport:
    """What one run decided."""

    lines: int
    matched: int
    suggested: int
    unmatched: int
    amount_matched: Decimal
    fees: Decimal
    by_rule: dict[str, int]
    run_id: int | None


def directory(uow: UnitOfWork) -> matching.Directory:
    """What the rules know of payers: registered accounts, names, explicit aliases, leases' customers."""
    known = uow.customers.payer_directory()
    return matching.Directory(
        accounts=_owners(known["accounts"]),
        names=dict(known["names"]),
        payer_aliases=_owners(known["aliases"]),
        virtual_accounts={},
        lease_customers=dict(uow.leases.customers_of_all()),
    )


def _owners(pairs: Iterable[tuple[str, int]]) -> dict[str, int | frozenset[int]]:
    """Each key with its customer, or the set of customers sharing it (which no rule then trusts)."""
    found: dict[str, set[int]] = {}
    for key, customer in pairs:
        found.setdefault(key, set()).add(customer)
    return {
        key: next(iter(owners)) if len(owners) == 1 else frozenset(owners) for key, owners in found.items()
    }


def run(
    actor: Actor,
    uow: UnitOfWork,
    now: datetime,
    settings: matching.Settings | None = None,
    run_id: int | None = None,
    bank_account_id: int | None = None,
) -> ReconciliationReport:
    """Reconcile every open bank line the actor may work on against the open charges; commits once."""
    scope = actor.require(P.BANK_WRITE)
    charge_scope = actor.require(P.RECEIVABLE_WRITE)
    lines = uow.bank_lines.open_receipts(scope, bank_account_id)
    receipts = [
        matching.Receipt(
            id=line.id,
            bank_account_id=line.bank_account_id,
            booked_on=line.booked_on,
            amount=line.amount,
            currency=line.currency,
            counterparty_name=line.counterparty_name,
            counterparty_account=line.counterparty_account,
            memo=line.memo,
            bank_reference=line.bank_reference,
        )
        for line in lines
    ]
    items = [matching.OpenItem(*row) for row in uow.charges.open_items(charge_scope)] if receipts else []
    decisions = (
        matching.reconcile(receipts, items, directory(uow), settings or matching.Settings())
        if receipts
        else []
    )
    by_line = {line.id: line for line in lines}
    report = _apply(decisions, by_line, uow, actor, now, run_id)
    run_row = uow.job_runs.record(
        run_id,
        kind=JobKind.RECONCILIATION,
        status=JobStatus.SUCCEEDED,
        details={
            "lines": report.lines,
            "matched": report.matched,
            "suggested": report.suggested,
            "unmatched": report.unmatched,
            "amount_matched": str(report.amount_matched),
            "fees": str(report.fees),
            "by_rule": report.by_rule,
        },
        requested_by_id=actor.user_id,
        started_at=now,
        finished_at=now,
    )
    if report.matched:
        audit.record(
            uow,
            actor,
            AuditAction.CREATE,
            "reconciliation_run",
            run_row.id or 0,
            after={"matched": report.matched, "amount": report.amount_matched, "by_rule": report.by_rule},
        )
    uow.commit()
    return dataclasses.replace(report, run_id=run_row.id)


def _apply(
    decisions: Sequence[Any],
    lines: Mapping[int, Any],
    uow: UnitOfWork,
    actor: Actor,
    now: datetime,
    run_id: int | None,
) -> ReconciliationReport:
    matched = [d for d in decisions if d.outcome is matching.Outcome.MATCHED]
    payment_ids = uow.payments.insert_many(
        [_payment_row(lines[d.receipt_id], d.customer_id, d.fee, actor, now) for d in matched]
    )
    uow.allocations.insert_many(
        [
            {
                "charge_id": allocation.item_id,
                "payment_id": payment_id,
                "credit_note_id": None,
                "amount": allocation.amount,
                "source": AllocationSource.AUTO,
                "created_at": now,
                "created_by_id": actor.user_id,
                "reversed_at": None,
                "reversed_by_id": None,
            }
            for d, payment_id in zip(matched, payment_ids, strict=True)
            for allocation in d.allocations
        ]
    )
    uow.bank_lines.set_states({d.receipt_id: LineState.MATCHED for d in matched})
    uow.reconciliation_decisions.replace([_decision_row(d, run_id, now, None) for d in decisions])
    # Whom each line still waiting points to: dunning holds those customers until a person looks.
    uow.reconciliation_decisions.replace_payers(
        [d.receipt_id for d in decisions],
        [
            (d.receipt_id, c)
            for d in decisions
            if d.outcome is not matching.Outcome.MATCHED
            for c in sorted(d.payers)
        ],
    )
    by_rule: dict[str, int] = {}
    for d in matched:
        by_rule[d.rule.value] = by_rule.get(d.rule.value, 0) + 1
    return ReconciliationReport(
        lines=len(decisions),
        matched=len(matched),
        suggested=sum(1 for d in decisions if d.outcome is matching.Outcome.SUGGESTED),
        unmatched=sum(1 for d in decisions if d.outcome is matching.Outcome.UNMATCHED),
        amount_matched=sum((lines[d.receipt_id].amount for d in matched), Decimal("0.00")),
        fees=sum((d.fee for d in matched), Decimal("0.00")),
        by_rule=by_rule,
        run_id=None,
    )


def _payment_row(line: Any, customer_id: int, fee: Decimal, actor: Actor, now: datetime) -> dict[str, Any]:
    """A payment recording a line (a run's plain row, or a loaded line with its bank account)."""
    account = getattr(line, "account", line)
    return {
        "region_id": account.region_id,
        "project_id": account.project_id,
        "customer_id": customer_id,
        "method": PaymentMethod.BANK,
        "received_on": line.booked_on,
        "amount": line.amount,
        "fee": fee,
        "currency": line.currency,
        "reference": line.bank_reference or (line.memo or "")[:200] or None,
        "payer_name": line.counterparty_name,
        "bank_line_id": line.id,
        "deposit_id": None,
        "note": None,
        "created_at": now,
        "created_by_id": actor.user_id,
    }


def _decision_row(decision: Any, run_id: int | None, now: datetime, by_id: int | None) -> dict[str, Any]:
    return {
        "bank_line_id": decision.receipt_id,
        "outcome": decision.outcome.value,
        "rule": decision.rule.value if decision.rule is not None else None,
        "fit": decision.fit.value if decision.fit is not None else None,
        "score": Decimal(str(decision.score)).quantize(Decimal("0.1"))
        if decision.score is not None
        else None,
        "explanation": decision.explanation,
        "params": _plain(decision.params),
        "suggestions": [
            {
                "customer_id": s.customer_id,
                "charge_ids": list(s.item_ids),
                "score": float(s.score),
                "reason": s.reason,
                "params": _plain(s.params),
            }
            for s in decision.suggestions
        ],
        "customer_id": decision.customer_id,
        "fee": decision.fee,
        "run_id": run_id,
        "decided_at": now,
        "decided_by_id": by_id,
    }


def _plain(params: Mapping[str, Any]) -> dict[str, Any]:
    return {key: str(value) if isinstance(value, Decimal) else value for key, value in params.items()}


# The difference list and a person's decisions ---------------------------------------------------------------


def list_lines(query: ListQuery, actor: Actor, uow: UnitOfWork) -> tuple[Sequence[Any], int]:
    """Bank lines the actor may see (by default the difference list: money in that nothing settled)."""
    rows, total = uow.bank_lines.page(actor.require(P.BANK_READ), query)
    decisions = uow.reconciliation_decisions.of_lines([row.id for row in rows])
    for row in rows:
        row.decision = decisions.get(row.id)
    return rows, total


def get_line(line_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    """A bank line with its decision, its payment and the open charges of the suggested customers."""
    line = uow.bank_lines.get(line_id, actor.require(P.BANK_READ))
    line.decision = uow.reconciliation_decisions.of_lines([line.id]).get(line.id)
    line.payment = uow.payments.of_bank_line(line.id)
    line.candidates = []
    reach = actor.scope_for(P.RECEIVABLE_READ)
    if not reach.is_empty:
        suggested = [s["customer_id"] for s in (line.decision.suggestions if line.decision else [])]
        for customer_id in dict.fromkeys(suggested):
            for charge, open_amount in uow.charges.open_of_customer(customer_id, line.currency):
                if reach.covers_project(charge.project_id, charge.project.region_id):
                    charge.open_amount = open_amount
                    line.candidates.append(charge)
    return line


def match_line(line_id: int, values: Mapping[str, Any], actor: Actor, uow: UnitOfWork, now: datetime) -> Any:
    """Record an unmatched line as a customer's payment settling the charges named; maybe learn the payer.

    `learn` = `account` registers the counterparty account to the customer, `name` registers the payer name
    as an alias: tomorrow's run then matches such lines by rule.
    """
    scope = actor.require(P.BANK_WRITE)
    charge_scope = actor.require(P.RECEIVABLE_WRITE)
    line = uow.bank_lines.get(line_id, scope)
    if line.state is not LineState.UNMATCHED:
        raise Conflict(N_("Only a line on the difference list can be matched."))
    customer = uow.customers.get(values["customer_id"], actor.require(P.CUSTOMER_READ))
    fee = Decimal(values.get("fee") or 0)
    if fee < 0 or fee > line.amount:
        raise ValidationFailed.single("fee", N_("A bank fee lies between zero and the line's amount."))
    payment_id = None
    if values.get("deposit_id") is not None:
        _receive_deposit(line, customer, values, charge_scope, actor, uow)
    else:
        payment = uow.payments.create(**_payment_row(line, customer.id, fee, actor, now))
        uow.flush()
        # Without allocations the customer's oldest open charges are settled first.
        allocate_payment(
            payment, values.get("allocations"), charge_scope, actor, uow, AllocationSource.MANUAL
        )
        payment_id = payment.id
    line.state = LineState.MATCHED
    uow.reconciliation_decisions.replace([_by_hand(line.id, MATCHED_BY_HAND, customer.id, fee, actor, now)])
    learned = _learn(line, customer, values.get("learn"), actor, uow)
    uow.flush()
    audit.record(
        uow,
        actor,
        AuditAction.UPDATE,
        "bank_line",
        line.id,
        before={"state": LineState.UNMATCHED},
        after={
            "state": LineState.MATCHED,
            "customer_id": customer.id,
            "payment_id": payment_id,
            "deposit_id": values.get("deposit_id"),
            "allocations": values.get("allocations") or [],
            "fee": fee,
            "learned": learned,
        },
        region_id=line.account.region_id,
        project_id=line.account.project_id,
    )
    uow.commit()
    return get_line(line.id, actor, uow)


def _by_hand(
    line_id: int, why: str, customer_id: int | None, fee: Decimal, actor: Actor, now: datetime
) -> dict[str, Any]:
    """A person's decision about a line; the rules never decide that line again."""
    return {
        "bank_line_id": line_id,
        "outcome": (matching.Outcome.MATCHED if customer_id else matching.Outcome.UNMATCHED).value,
        "rule": MANUAL_RULE,
        "fit": None,
        "score": None,
        "explanation": why,
        "params": {},
        "suggestions": [],
        "customer_id": customer_id,
        "fee": fee,
        "run_id": None,
        "decided_at": now,
        "decided_by_id": actor.user_id,
    }


def _receive_deposit(
    line: Any, customer: Any, values: Mapping[str, Any], scope: Scope, actor: Actor, uow: UnitOfWork
) -> None:
    """Record the line as money received for the customer's deposit: the deposit ledger, never rent."""
    if values.get("allocations") or values.get("fee"):
        raise ValidationFailed.single(
            "deposit_id", N_("A deposit receipt settles no charges and books no fee.")
        )
    deposit = uow.deposits.get(values["deposit_id"], scope)
    if deposit.customer_id != customer.id:
        raise ValidationFailed.single("deposit_id", N_("The deposit is another customer's."))
    deposits.check_movement(deposit_service.balance(deposit), MovementKind.RECEIVED, line.amount)
    uow.deposits.add_movement(
        deposit,
        kind=MovementKind.RECEIVED,
        amount=line.amount,
        occurred_on=line.booked_on,
        reference=line.bank_reference,
        bank_line_id=line.id,
        created_by_id=actor.user_id,
    )


def _learn(line: Any, customer: Any, learn: str | None, actor: Actor, uow: UnitOfWork) -> str | None:
    if learn is None:
        return None
    actor.require(P.CUSTOMER_WRITE)
    uow.customers.get(customer.id, actor.require(P.CUSTOMER_WRITE))
    if learn == "account":
        if not line.counterparty_account:
            raise ValidationFailed.single("learn", N_("The line names no payer account to learn."))
        uow.customers.add_bank_account(
            customer,
            bank_name=(line.counterparty_bank or "")[:100] or "—",
            account_number=line.counterparty_account,
            account_name=(line.counterparty_name or customer.name)[:200],
        )
        return "account"
    if learn == "name":
        if not line.counterparty_name:
            raise ValidationFailed.single("learn", N_("The line names no payer to learn."))
        uow.customers.add_payer_name(customer, name=line.counterparty_name[:200])
        return "name"
    raise ValidationFailed.single("learn", N_("Accepted: account, name."))


def unmatch_line(line_id: int, actor: Actor, uow: UnitOfWork, now: datetime) -> Any:
    """Undo a line's match: its payment goes, and the line returns to the difference list."""
    scope = actor.require(P.BANK_WRITE)
    actor.require(P.RECEIVABLE_WRITE)
    line = uow.bank_lines.get(line_id, scope)
    if line.state is not LineState.MATCHED:
        raise Conflict(N_("Only a matched line can be unmatched."))
    payment = uow.payments.of_bank_line(line.id)
    received = uow.deposits.movement_of_bank_line(line.id)
    if received is not None:
        deposit = uow.deposits.get(received.deposit_id, actor.require(P.RECEIVABLE_WRITE))
        if deposit_service.balance(deposit, without=received).held < 0:
            raise Conflict(N_("Part of this deposit was released since; undo that first."))
        deposit.movements.remove(received)
    if payment is not None:
        if uow.payments.refunds_of(payment.id):
            raise Conflict(N_("Part of this payment was refunded; undo the refund's booking first."))
        # The payment existed only as this match: it goes with it (the audit entry keeps what it settled).
        before_allocations = [
            {"charge_id": a.charge_id, "amount": a.amount}
            for a in uow.allocations.live_of(payment_id=payment.id)
        ]
        uow.payments.remove(payment)
    line.state = LineState.UNMATCHED
    # A person took the rules' match (or their own) back: the morning run leaves the line to people now.
    uow.reconciliation_decisions.replace(
        [_by_hand(line.id, UNMATCHED_BY_HAND, None, Decimal("0.00"), actor, now)]
    )
    uow.flush()
    audit.record(
        uow,
        actor,
        AuditAction.UPDATE,
        "bank_line",
        line.id,
        before={
            "state": LineState.MATCHED,
            "payment_id": payment.id if payment else None,
            "allocations": before_allocations if payment else [],
        },
        after={"state": LineState.UNMATCHED},
        region_id=line.account.region_id,
        project_id=line.account.project_id,
    )
    uow.commit()
    return get_line(line.id, actor, uow)


def ignore_line(line_id: int, reason: str, actor: Actor, uow: UnitOfWork) -> Any:
    """Set a line aside with a reason (interest, a transfer between our accounts), off the difference list."""
    line = uow.bank_lines.get(line_id, actor.require(P.BANK_WRITE))
    if line.state is not LineState.UNMATCHED:
        raise Conflict(N_("Only a line on the difference list can be set aside."))
    if len(reason.strip()) < 3:
        raise ValidationFailed.single("reason", N_("Say why the line is set aside (at least a few words)."))
    line.state = LineState.IGNORED
    line.note = reason.strip()
    uow.flush()
    audit.record(
        uow,
        actor,
        AuditAction.UPDATE,
        "bank_line",
        line.id,
        before={"state": LineState.UNMATCHED},
        after={"state": LineState.IGNORED, "note": line.note},
        region_id=line.account.region_id,
        project_id=line.account.project_id,
    )
    uow.commit()
    return get_line(line.id, actor, uow)
