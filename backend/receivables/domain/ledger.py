"""The customer ledger: charges, payments and credit notes, the allocations between them, derived balances.

Nothing here stores a balance: a charge's open amount is its amount less what is allocated to it, a payment's
unapplied amount is what it brought less what it settles and what was refunded. Every amount is a `Decimal` in
one currency; mixing currencies is refused, never converted.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from backend.core.domain.errors import N_, Message, ValidationFailed

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
DEFAULT_CURRENCY = "CNY"


class ChargeKind(enum.StrEnum):
    """What a charge bills for (the schedule's charge types, plus what only the ledger knows)."""

    RENT = "rent"
    SERVICE_FEE = "service_fee"
    PARKING = "parking"
    OTHER = "other"
    ONE_OFF = "one_off"
    ADJUSTMENT = "adjustment"
    LATE_FEE = "late_fee"


class ChargeState(enum.StrEnum):
    """A charge as a reader sees it, derived from its amount and allocations."""

    OPEN = "open"
    PARTLY_SETTLED = "partly_settled"
    SETTLED = "settled"


class PaymentMethod(enum.StrEnum):
    """How money arrived: through a bank statement line, in cash, or taken from the customer's deposit."""

    BANK = "bank"
    CASH = "cash"
    DEPOSIT = "deposit"


class AllocationSource(enum.StrEnum):
    """Who decided an allocation: the daily reconciliation's rules, or a person."""

    AUTO = "auto"
    MANUAL = "manual"


def money(value: Decimal | int | str, field: str) -> Decimal:
    """A positive amount with at most two decimals, or a refusal naming the field."""
    amount = Decimal(value)
    if not amount.is_finite() or amount <= 0:
        raise ValidationFailed.single(field, N_("Must be an amount greater than zero."))
    if amount != amount.quantize(CENT):
        raise ValidationFailed.single(field, N_("Use at most two decimal places."))
    return amount.quantize(CENT)


def state_of(amount: Decimal, open_amount: Decimal) -> ChargeState:
    """A charge's state from its amount and what is still open."""
    if open_amount <= 0:
        return ChargeState.SETTLED
    if open_amount < amount:
        return ChargeState.PARTLY_SETTLED
    return ChargeState.OPEN


@dataclass(frozen=True)
class Side:
    """One side of an allocation as the rules see it: who owns it, its currency and what is still free."""

    customer_id: int
    currency: str
    available: Decimal


def check_allocation(charge: Side, credit: Side, amount: Decimal, field: str = "amount") -> None:
    """Refuse an allocation that would over-settle the charge, over-spend the credit or mix owners.

    A customer's money settles only that customer's charges: a parent company paying for a tenant is
    recorded as the tenant's payment (its payer alias), never by allocating across customers.
    """
    if charge.customer_id != credit.customer_id:
        raise ValidationFailed.single(
            "charge_id", N_("The charge belongs to another customer than the money settling it.")
        )
    if charge.currency != credit.currency:
        raise ValidationFailed.single(
            "charge_id",
            Message(
                N_("The charge is in %(charge)s and the money in %(credit)s; currencies are never mixed."),
                charge=charge.currency,
                credit=credit.currency,
            ),
        )
    if amount > charge.available:
        raise ValidationFailed.single(
            field,
            Message(N_("Only %(open)s of the charge is still open."), open=f"{charge.available:,.2f}"),
        )
    if amount > credit.available:
        raise ValidationFailed.single(
            field,
            Message(N_("Only %(free)s of it is not yet applied."), free=f"{credit.available:,.2f}"),
        )


def oldest_first(open_charges: Iterable[tuple[int, Decimal]], amount: Decimal) -> list[tuple[int, Decimal]]:
    """Spread an amount over charges in the order given (oldest first): each is settled before the next."""
    spread: list[tuple[int, Decimal]] = []
    left = amount
    for charge_id, open_amount in open_charges:
        if left <= 0:
            break
        part = min(open_amount, left)
        if part > 0:
            spread.append((charge_id, part))
            left -= part
    return spread


def check_refund(unapplied: Decimal, amount: Decimal) -> None:
    """A refund returns only money not applied to any charge."""
    if amount > unapplied:
        raise ValidationFailed.single(
            "amount",
            Message(
                N_("Only %(free)s of the payment is not applied to charges and can be refunded."),
                free=f"{unapplied:,.2f}",
            ),
        )
