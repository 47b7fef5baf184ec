"""Deposits as a separate liability, and the ledger's allocation rules."""

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

import pytest

from backend.core.domain.errors import ValidationFailed
from backend.receivables.domain import deposits, ledger
from backend.receivables.domain.deposits import DepositState, Movement, MovementKind
from backend.receivables.domain.ledger import ChargeState, Side


@contextmanager
def refused(text: str) -> Iterator[None]:
    """Expect a refusal whose field message contains the text."""
    with pytest.raises(ValidationFailed) as caught:
        yield
    messages = [message for found in caught.value.fields.values() for message in found]
    assert any(text in message for message in messages), messages


def test_a_deposit_moves_from_requested_to_settled_as_money_comes_in_and_goes_out() -> None:
    required = Decimal("20000.00")
    moves: list[Movement] = []
    assert deposits.balance_of(required, moves).state is DepositState.REQUESTED
    moves.append(Movement(MovementKind.RECEIVED, Decimal("5000.00")))
    assert deposits.balance_of(required, moves).state is DepositState.PARTLY_RECEIVED
    moves.append(Movement(MovementKind.RECEIVED, Decimal("15000.00")))
    balance = deposits.balance_of(required, moves)
    assert (balance.state, balance.held, balance.outstanding) == (DepositState.RECEIVED, required, Decimal(0))
    moves.append(Movement(MovementKind.APPLIED_TO_REPAIRS, Decimal("1800.00")))
    assert deposits.balance_of(required, moves).state is DepositState.PARTLY_RELEASED
    moves.append(Movement(MovementKind.RETURNED, Decimal("18200.00")))
    balance = deposits.balance_of(required, moves)
    assert (balance.state, balance.held) == (DepositState.SETTLED, Decimal("0.00"))


def test_a_deposit_refuses_more_in_than_asked_and_more_out_than_held() -> None:
    balance = deposits.balance_of(Decimal("20000.00"), [Movement(MovementKind.RECEIVED, Decimal("12000.00"))])
    with refused("8,000.00"):
        deposits.check_movement(balance, MovementKind.RECEIVED, Decimal("8000.01"))
    with refused("12,000.00"):
        deposits.check_movement(balance, MovementKind.APPLIED_TO_RENT, Decimal("12000.01"))
    deposits.check_movement(balance, MovementKind.RETURNED, Decimal("12000.00"))


def test_an_allocation_never_crosses_customers_currencies_or_either_sides_amount() -> None:
    charge = Side(customer_id=1, currency="CNY", available=Decimal("1200.00"))
    ledger.check_allocation(charge, Side(1, "CNY", Decimal("5000.00")), Decimal("1200.00"))
    with refused("another customer"):
        ledger.check_allocation(charge, Side(2, "CNY", Decimal("5000.00")), Decimal("100.00"))
    with refused("currencies"):
        ledger.check_allocation(charge, Side(1, "USD", Decimal("5000.00")), Decimal("100.00"))
    with refused("1,200.00"):
        ledger.check_allocation(charge, Side(1, "CNY", Decimal("5000.00")), Decimal("1200.01"))
    with refused("300.00"):
        ledger.check_allocation(charge, Side(1, "CNY", Decimal("300.00")), Decimal("300.01"))


def test_oldest_first_settles_each_charge_before_the_next_and_leaves_the_remainder_open() -> None:
    spread = ledger.oldest_first(
        [(1, Decimal("12000.00")), (2, Decimal("12000.00")), (3, Decimal("3500.00"))], Decimal("20000.00")
    )
    assert spread == [(1, Decimal("12000.00")), (2, Decimal("8000.00"))]
    assert ledger.state_of(Decimal("12000.00"), Decimal("4000.00")) is ChargeState.PARTLY_SETTLED
    assert ledger.state_of(Decimal("12000.00"), Decimal("0.00")) is ChargeState.SETTLED


@pytest.mark.parametrize("value", ["0", "-1.00", "1.005", "NaN", "Infinity"])
def test_an_amount_is_positive_with_at_most_two_decimals(value: str) -> None:
    with pytest.raises(ValidationFailed):
        ledger.money(Decimal(value), "amount")
