"""Deposits: a liability held for the customer, kept apart from the rent ledger.

A deposit is requested, received (perhaps in parts), and at the end applied to rent or repairs or returned.
Applying it is always an explicit act of a person: a deposit never settles rent by itself.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from backend.core.domain.errors import N_, Message, ValidationFailed

ZERO = Decimal("0.00")


class MovementKind(enum.StrEnum):
    """Money moving into or out of a deposit."""

    RECEIVED = "received"
    APPLIED_TO_RENT = "applied_to_rent"
    APPLIED_TO_REPAIRS = "applied_to_repairs"
    RETURNED = "returned"


OUTGOING = frozenset({MovementKind.APPLIED_TO_RENT, MovementKind.APPLIED_TO_REPAIRS, MovementKind.RETURNED})


class DepositState(enum.StrEnum):
    """Where a deposit stands, derived from its movements."""

    REQUESTED = "requested"
    PARTLY_RECEIVED = "partly_received"
    RECEIVED = "received"
    PARTLY_RELEASED = "partly_released"
    SETTLED = "settled"


@dataclass(frozen=True)
class Movement:
    """One movement of a deposit."""

    kind: MovementKind
    amount: Decimal


@dataclass(frozen=True)
class DepositBalance:
    """What a deposit asked for, received and released; what is held is derived."""

    required: Decimal
    received: Decimal
    released: Decimal

    @property
    def held(self) -> Decimal:
        """What we hold for the customer now."""
        return self.received - self.released

    @property
    def outstanding(self) -> Decimal:
        """What the customer has still to pay in."""
        return max(self.required - self.received, ZERO)

    @property
    def state(self) -> DepositState:
        """The deposit's state."""
        if self.released > 0:
            return DepositState.SETTLED if self.held <= 0 else DepositState.PARTLY_RELEASED
        if self.received <= 0:
            return DepositState.REQUESTED
        if self.received < self.required:
            return DepositState.PARTLY_RECEIVED
        return DepositState.RECEIVED


def balance_of(required: Decimal, movements: Iterable[Movement]) -> DepositBalance:
    """Sum a deposit's movements."""
    received = released = ZERO
    for movement in movements:
        if movement.kind is MovementKind.RECEIVED:
            received += movement.amount
        else:
            released += movement.amount
    return DepositBalance(required=required, received=received, released=released)


def check_movement(balance: DepositBalance, kind: MovementKind, amount: Decimal) -> None:
    """Refuse receiving more than was asked, or releasing more than is held."""
    if kind is MovementKind.RECEIVED and amount > balance.outstanding:
        raise ValidationFailed.single(
            "amount",
            Message(
                N_("Only %(outstanding)s of the deposit is still to be received."),
                outstanding=f"{balance.outstanding:,.2f}",
            ),
        )
    if kind in OUTGOING and amount > balance.held:
        raise ValidationFailed.single(
            "amount",
            Message(N_("Only %(held)s of the deposit is held."), held=f"{balance.held:,.2f}"),
        )
