"""The equipment-lock rules: which machines a run locks, which it unlocks, what the platform answer means."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest

from backend.collections.domain.locks import (
    MAX_ATTEMPTS,
    LastCommand,
    LockCommand,
    LockDue,
    LockState,
    PlatformReply,
    locks_due,
    next_attempt_at,
    outcome,
    unlocks_due,
)
from backend.collections.domain.pauses import Pause
from backend.collections.domain.plan import Decision, OverdueBill, Situation, Standing, decide
from backend.collections.domain.tiers import Thresholds

TODAY = date(2026, 4, 10)
RULES = Thresholds()  # lock_from 20
EQUIPMENT = {7: [71, 72]}  # lease 7 lets machines 71 and 72; lease 8 is an office
LOCK, UNLOCK = LockCommand.LOCK, LockCommand.UNLOCK


def bill(
    charge_id: int, days: int, amount: str = "1000.00", lease_id: int = 7, disputed: bool = False
) -> OverdueBill:
    return OverdueBill(
        charge_id, f"B-{charge_id}", lease_id, TODAY - timedelta(days=days), Decimal(amount), "CNY", disputed
    )


def decided(*bills: OverdueBill, **more: object) -> Decision:
    return decide(Situation(1, bills, Standing(), **more), TODAY, RULES)  # type: ignore[arg-type]


def last(command: LockCommand, state: LockState, days_ago: int) -> LastCommand:
    return LastCommand(command, state, TODAY - timedelta(days=days_ago))


def test_a_lease_overdue_19_days_is_not_locked_and_at_20_days_every_machine_is() -> None:
    assert locks_due(decided(bill(1, 19)), TODAY, RULES, EQUIPMENT, {}) == []

    due = locks_due(decided(bill(1, 20, "8000.00"), bill(2, 5, "2000.00")), TODAY, RULES, EQUIPMENT, {})

    # The oldest bill (20 days) decides; the amount is everything chased on the lease: 8,000 + 2,000.
    assert due == [
        LockDue(7, 71, 20, Decimal("10000.00"), "CNY", ("B-1", "B-2")),
        LockDue(7, 72, 20, Decimal("10000.00"), "CNY", ("B-1", "B-2")),
    ]


def test_the_policys_lock_day_and_tolerance_count() -> None:
    # lock_from 10, tolerance 2: a bill due 12 days ago is 10 days overdue.
    rules = Thresholds(lock_from=10, tolerance_days=2)
    decision = decide(Situation(1, [bill(1, 12)], Standing()), TODAY, rules)
    assert [d.overdue_days for d in locks_due(decision, TODAY, rules, EQUIPMENT, {})] == [10, 10]
    decision = decide(Situation(1, [bill(1, 11)], Standing()), TODAY, rules)
    assert locks_due(decision, TODAY, rules, EQUIPMENT, {}) == []


def test_only_equipment_leases_and_undisputed_bills_count() -> None:
    assert locks_due(decided(bill(1, 40, lease_id=8)), TODAY, RULES, EQUIPMENT, {}) == []
    assert locks_due(decided(bill(1, 40, disputed=True)), TODAY, RULES, EQUIPMENT, {}) == []
    # Disputed 40 days, undisputed 25 days: the undisputed one decides.
    due = locks_due(decided(bill(1, 40, disputed=True), bill(2, 25)), TODAY, RULES, EQUIPMENT, {})
    assert {(d.overdue_days, d.bills) for d in due} == {(25, ("B-2",))}


def test_a_held_or_paused_customer_is_not_locked() -> None:
    held = decided(bill(1, 30), held_by_lines=(5,))
    paused = decided(bill(1, 30), pause=Pause("promise", TODAY + timedelta(days=2), 3))
    assert locks_due(held, TODAY, RULES, EQUIPMENT, {}) == []
    assert locks_due(paused, TODAY, RULES, EQUIPMENT, {}) == []


@pytest.mark.parametrize(
    ("previous", "asked"),
    [
        (last(LOCK, LockState.REQUESTED, 1), False),  # waiting for a decision
        (last(LOCK, LockState.APPROVED, 1), False),
        (last(LOCK, LockState.SENT, 1), False),
        (last(LOCK, LockState.CONFIRMED, 3), False),
        (last(LOCK, LockState.REJECTED, 2), False),  # refused in this spell (the bill is 25 days late)
        (last(LOCK, LockState.FAILED, 2), False),
        (last(LOCK, LockState.REJECTED, 30), True),  # refused before this bill fell due: a new spell
        (last(UNLOCK, LockState.CONFIRMED, 40), True),
    ],
)
def test_a_machines_last_command_decides_whether_a_lock_is_asked_again(
    previous: LastCommand, asked: bool
) -> None:
    due = locks_due(decided(bill(1, 25)), TODAY, RULES, EQUIPMENT, {71: previous})
    assert [d.asset_id for d in due] == ([71, 72] if asked else [72])


@pytest.mark.parametrize(
    ("previous", "unlocked"),
    [
        (None, False),
        (last(LOCK, LockState.REQUESTED, 1), False),  # never agreed: nothing to undo
        (last(LOCK, LockState.REJECTED, 1), False),
        (last(LOCK, LockState.FAILED, 1), False),
        (last(LOCK, LockState.APPROVED, 1), True),  # may go out any moment
        (last(LOCK, LockState.SENT, 1), True),
        (last(LOCK, LockState.CONFIRMED, 1), True),
        (last(UNLOCK, LockState.APPROVED, 1), False),  # on its way already
        (last(UNLOCK, LockState.CONFIRMED, 1), False),
        (last(UNLOCK, LockState.FAILED, 1), True),  # try again
    ],
)
def test_a_paid_up_lease_unlocks_the_machines_that_may_be_locked(
    previous: LastCommand | None, unlocked: bool
) -> None:
    history = {71: previous} if previous else {}
    assert unlocks_due(EQUIPMENT, history, overdue_leases=set()) == ([(7, 71)] if unlocked else [])
    assert unlocks_due(EQUIPMENT, history, overdue_leases={7}) == []


@pytest.mark.parametrize(
    ("command", "reply", "attempts", "state"),
    [
        (LOCK, PlatformReply(True, 200, {"status": "locked"}), 1, LockState.CONFIRMED),
        (UNLOCK, PlatformReply(True, 200, {"status": "unlocked"}), 1, LockState.CONFIRMED),
        (LOCK, PlatformReply(True, 202, {"status": "queued"}), 1, LockState.SENT),
        (LOCK, PlatformReply(True, 200, {"status": "refused", "message": "offline"}), 1, LockState.FAILED),
        (LOCK, PlatformReply(False, 500, error="HTTP 500", passing=True), 1, LockState.APPROVED),
        (LOCK, PlatformReply(False, 500, error="HTTP 500", passing=True), MAX_ATTEMPTS, LockState.FAILED),
        (LOCK, PlatformReply(False, 403, error="HTTP 403"), 1, LockState.FAILED),
    ],
)
def test_what_the_platforms_answer_makes_of_a_command(
    command: LockCommand, reply: PlatformReply, attempts: int, state: LockState
) -> None:
    assert outcome(command, reply, attempts).state is state


def test_a_refusal_and_a_last_failure_say_why() -> None:
    refused = outcome(LOCK, PlatformReply(True, 200, {"status": "refused", "message": "device offline"}), 1)
    assert refused.error == "the device platform refused: device offline"
    spent = outcome(LOCK, PlatformReply(False, 503, error="HTTP 503", passing=True), 5)
    assert spent.error == "HTTP 503 (gave up after 5 attempts)"


def test_attempts_are_one_two_four_eight_minutes_apart() -> None:
    at = datetime(2026, 4, 10, 2, 0, tzinfo=UTC)
    assert next_attempt_at(None, 0) is None
    assert [next_attempt_at(at, n) for n in (1, 2, 3, 4)] == [at + timedelta(minutes=m) for m in (1, 2, 4, 8)]
