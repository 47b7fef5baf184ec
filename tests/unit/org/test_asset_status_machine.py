"""The asset state machine: every (status, target) pair is either allowed or refused, clearly."""

from __future__ import annotations

import itertools

import pytest

from backend.core.domain.errors import Conflict, Forbidden
from backend.org.domain.asset_status import (
    TRANSITIONS,
    AssetStatusState,
    StatusCause,
    StatusChanged,
    allowed_targets,
)
from backend.org.domain.org import AssetStatus as S

# Written out literally, independent of the table in the code: a change of rules changes this too.
ALLOWED = {
    (S.VACANT, S.RESERVED),
    (S.VACANT, S.PENDING_DELIVERY),
    (S.VACANT, S.MAINTENANCE),
    (S.VACANT, S.RENOVATION),
    (S.VACANT, S.RETIRED),
    (S.RESERVED, S.VACANT),
    (S.RESERVED, S.PENDING_DELIVERY),
    (S.RESERVED, S.MAINTENANCE),
    (S.PENDING_DELIVERY, S.LEASED),
    (S.PENDING_DELIVERY, S.VACANT),
    (S.PENDING_DELIVERY, S.MAINTENANCE),
    (S.LEASED, S.VACANT),
    (S.LEASED, S.RENOVATION),
    (S.LEASED, S.MAINTENANCE),
    (S.MAINTENANCE, S.VACANT),
    (S.MAINTENANCE, S.RESERVED),
    (S.MAINTENANCE, S.PENDING_DELIVERY),
    (S.MAINTENANCE, S.LEASED),
    (S.MAINTENANCE, S.RENOVATION),
    (S.MAINTENANCE, S.RETIRED),
    (S.RENOVATION, S.VACANT),
    (S.RENOVATION, S.RESERVED),
    (S.RENOVATION, S.MAINTENANCE),
    (S.RENOVATION, S.RETIRED),
}
ADMIN_ONLY = {(S.RETIRED, S.VACANT)}
ALL_PAIRS = list(itertools.product(S, S))


def test_the_pairs_cover_all_forty_nine_combinations() -> None:
    assert len(ALL_PAIRS) == 49


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS)
def test_each_pair_is_either_allowed_with_a_new_version_or_refused_naming_the_statuses(
    current: S, target: S
) -> None:
    state = AssetStatusState(asset_id=7, status=current, version=3)
    if (current, target) in ALLOWED:
        assert state.can_change(target)
        event = state.change(target, StatusCause.MANUAL, "checked on site")
        assert event == StatusChanged(7, current, target, 4, StatusCause.MANUAL, "checked on site")
        return
    assert not state.can_change(target)
    expected_error = Forbidden if (current, target) in ADMIN_ONLY else Conflict
    with pytest.raises(expected_error) as refused:
        state.change(target)
    message = str(refused.value)
    assert current.value in message
    assert target.value in message
    if expected_error is Conflict:
        allowed = [t.value for c, t in sorted(ALLOWED) if c is current]
        assert all(name in message.split("allowed:")[1] for name in allowed)
        assert refused.value.fields == {"status": ["Not allowed from the current status."]}


@pytest.mark.parametrize(("current", "target"), ALL_PAIRS)
def test_an_administrator_may_do_exactly_the_allowed_and_the_admin_only_changes(
    current: S, target: S
) -> None:
    state = AssetStatusState(asset_id=1, status=current, version=1)
    assert state.can_change(target, as_admin=True) == ((current, target) in ALLOWED | ADMIN_ONLY)


def test_the_table_in_the_code_is_the_one_written_out_here() -> None:
    in_code = {(c, t) for c, targets in TRANSITIONS.items() for t in targets}
    assert in_code == ALLOWED | ADMIN_ONLY
    assert all(transition.reason for targets in TRANSITIONS.values() for transition in targets.values())


def test_retired_is_terminal_except_for_an_administrators_reinstatement() -> None:
    assert allowed_targets(S.RETIRED) == []
    assert allowed_targets(S.RETIRED, as_admin=True) == [S.VACANT]
    with pytest.raises(Conflict) as refused:
        AssetStatusState(1, S.RETIRED, 5).change(S.LEASED)
    assert "allowed: -" in str(refused.value)


def test_the_automatic_rules_each_find_their_transition() -> None:
    rules = [
        (S.VACANT, S.PENDING_DELIVERY, StatusCause.LEASE_SIGNED),
        (S.RESERVED, S.PENDING_DELIVERY, StatusCause.LEASE_SIGNED),
        (S.PENDING_DELIVERY, S.LEASED, StatusCause.HANDOVER_CONFIRMED),
        (S.LEASED, S.RENOVATION, StatusCause.LEASE_ENDED),
        (S.LEASED, S.VACANT, StatusCause.LEASE_ENDED),
        (S.LEASED, S.MAINTENANCE, StatusCause.MAINTENANCE_OPENED),
        (S.MAINTENANCE, S.LEASED, StatusCause.MAINTENANCE_CLOSED),
    ]
    for current, target, cause in rules:
        event = AssetStatusState(9, current, 1).change(target, cause)
        assert (event.to_status, event.cause, event.status_version) == (target, cause, 2)


def test_closing_maintenance_can_return_to_every_status_maintenance_can_be_opened_from() -> None:
    opened_from = {c for c, t in ALLOWED if t is S.MAINTENANCE}
    assert opened_from <= set(allowed_targets(S.MAINTENANCE))
