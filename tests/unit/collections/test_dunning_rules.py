"""The dunning rules for one customer on one day: tiers by the oldest bill, one step a run, holds, pauses."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.collections.domain.pauses import (
    Pause,
    PromiseState,
    active_pause,
    check_promise,
    promise_outcome,
)
from backend.collections.domain.plan import Action, OverdueBill, Situation, Standing, Step, decide
from backend.collections.domain.templates import DEFAULTS, check_template, default_for, render
from backend.collections.domain.tiers import DunningTier, Thresholds, next_tier, tier_for
from backend.core.domain.errors import ValidationFailed

TODAY = date(2026, 4, 10)
RULES = Thresholds()


def bill(charge_id: int, days_overdue: int, amount: str = "1000.00", disputed: bool = False) -> OverdueBill:
    return OverdueBill(
        charge_id, f"B-{charge_id}", 1, TODAY - timedelta(days=days_overdue), Decimal(amount), "CNY", disputed
    )


def situation(*bills: OverdueBill, tier: DunningTier = DunningTier.NONE, **more: object) -> Situation:
    standing = Standing(tier, more.pop("last_notice_on", None), bool(more.pop("case_open", False)))  # type: ignore[arg-type]
    return Situation(1, bills, standing, **more)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("days", "tier"),
    [
        (0, DunningTier.NONE),
        (1, DunningTier.FRIENDLY),
        (15, DunningTier.FRIENDLY),
        (16, DunningTier.FORMAL),
        (30, DunningTier.FORMAL),
        (31, DunningTier.LEGAL),
        (400, DunningTier.LEGAL),
    ],
)
def test_the_oldest_overdue_day_picks_the_tier_at_the_fields_thresholds(days: int, tier: DunningTier) -> None:
    assert tier_for(days, RULES) is tier


def test_a_customer_forty_days_late_on_first_sight_gets_the_friendly_reminder_first() -> None:
    decision = decide(situation(bill(1, 40), bill(2, 10)), TODAY, RULES)
    assert (decision.action, decision.tier, decision.step) == (
        Action.NOTICE,
        DunningTier.FRIENDLY,
        Step.FIRST,
    )
    assert [b.charge_id for b in decision.bills] == [1, 2]  # one grouped message, oldest first
    assert decision.totals == {"CNY": Decimal("2000.00")}
    assert decision.oldest_days == 40


def test_the_next_runs_climb_one_tier_each_and_legal_opens_a_case() -> None:
    formal = decide(situation(bill(1, 41), tier=DunningTier.FRIENDLY, last_notice_on=TODAY), TODAY, RULES)
    assert (formal.action, formal.tier) == (Action.NOTICE, DunningTier.FORMAL)
    legal = decide(situation(bill(1, 42), tier=DunningTier.FORMAL, last_notice_on=TODAY), TODAY, RULES)
    assert (legal.action, legal.tier) == (Action.CASE, DunningTier.LEGAL)
    after = decide(situation(bill(1, 43), tier=DunningTier.LEGAL, case_open=True), TODAY, RULES)
    assert (after.action, after.reason) == (Action.NOTHING, "with_legal")


def test_within_a_tier_a_follow_up_comes_after_the_repeat_days_and_not_before() -> None:
    told = TODAY - timedelta(days=6)
    quiet = decide(situation(bill(1, 12), tier=DunningTier.FRIENDLY, last_notice_on=told), TODAY, RULES)
    assert (quiet.action, quiet.reason) == (Action.NOTHING, "recently_told")
    week = TODAY - timedelta(days=7)
    again = decide(situation(bill(1, 12), tier=DunningTier.FRIENDLY, last_notice_on=week), TODAY, RULES)
    assert (again.action, again.step) == (Action.NOTICE, Step.FOLLOW_UP)


def test_by_hand_the_follow_up_goes_at_once_but_a_hold_still_holds() -> None:
    told = TODAY - timedelta(days=2)
    now = decide(
        situation(bill(1, 12), tier=DunningTier.FRIENDLY, last_notice_on=told), TODAY, RULES, by_hand=True
    )
    assert (now.action, now.step) == (Action.NOTICE, Step.FOLLOW_UP)
    held = situation(bill(1, 12), tier=DunningTier.FRIENDLY, held_by_lines=(3,))
    assert decide(held, TODAY, RULES, by_hand=True).action is Action.HELD


def test_money_waiting_unmatched_holds_and_a_pause_stops_the_climb() -> None:
    held = decide(situation(bill(1, 20), tier=DunningTier.FRIENDLY, held_by_lines=(7,)), TODAY, RULES)
    assert (held.action, held.tier) == (Action.HELD, DunningTier.FRIENDLY)
    pause = Pause("promise", TODAY + timedelta(days=3), 5)
    paused = decide(situation(bill(1, 20), tier=DunningTier.FRIENDLY, pause=pause), TODAY, RULES)
    assert (paused.action, paused.tier, paused.reason) == (Action.PAUSED, DunningTier.FRIENDLY, "promise")


def test_disputed_bills_are_left_out_and_alone_they_chase_nobody() -> None:
    only = decide(situation(bill(1, 35, disputed=True)), TODAY, RULES)
    assert (only.action, only.bills) == (Action.NOTHING, ())
    mixed = decide(situation(bill(1, 35, disputed=True), bill(2, 5)), TODAY, RULES)
    assert [b.charge_id for b in mixed.bills] == [2]
    assert mixed.oldest_days == 5


def test_paid_up_clears_the_standing_and_a_key_account_gets_a_task() -> None:
    cleared = decide(situation(tier=DunningTier.FORMAL), TODAY, RULES)
    assert (cleared.action, cleared.tier) == (Action.CLEARED, DunningTier.NONE)
    key = decide(situation(bill(1, 3), key_account=True), TODAY, RULES)
    assert (key.action, key.tier) == (Action.TASK, DunningTier.FRIENDLY)


@given(st.lists(st.integers(0, 120), min_size=1, max_size=60))
def test_over_any_run_of_days_the_tier_never_moves_up_by_more_than_one(ages: list[int]) -> None:
    tier = DunningTier.NONE
    for age in ages:
        after = next_tier(tier, tier_for(age, RULES))
        assert after <= tier + 1
        tier = after


def test_thresholds_out_of_order_are_refused_naming_the_field() -> None:
    with pytest.raises(ValidationFailed) as refused:
        Thresholds(formal_from=40, legal_from=31)
    assert "formal_from" in refused.value.fields


def test_a_promise_is_kept_by_the_money_and_broken_by_the_calendar() -> None:
    day = date(2026, 4, 15)
    assert promise_outcome(day, Decimal("500"), Decimal("500"), date(2026, 4, 20)) is PromiseState.KEPT
    assert promise_outcome(day, Decimal("500"), Decimal("499.99"), date(2026, 4, 15)) is PromiseState.OPEN
    assert promise_outcome(day, Decimal("500"), Decimal("499.99"), date(2026, 4, 16)) is PromiseState.BROKEN
    with pytest.raises(ValidationFailed) as refused:
        check_promise(date(2026, 4, 9), Decimal("600"), Decimal("500"), TODAY)
    assert set(refused.value.fields) == {"promised_on", "amount"}
    assert active_pause([(1, TODAY)], [(2, TODAY + timedelta(days=2))], TODAY) == Pause(
        "grace", TODAY + timedelta(days=2), 2
    )


def test_the_defaults_are_the_fields_scripts_in_both_languages_and_fill_every_placeholder() -> None:
    assert "若有付款已完成，请忽略此消息" in default_for(DunningTier.FRIENDLY, Step.FIRST, "zh_CN").body
    assert "7日宽限期" in default_for(DunningTier.FRIENDLY, Step.FOLLOW_UP, "zh_CN").body
    assert "根据合同${article}" in default_for(DunningTier.FORMAL, Step.FIRST, "zh_CN").body
    assert default_for(DunningTier.FORMAL, Step.FOLLOW_UP, "en") == default_for(
        DunningTier.FORMAL, Step.FIRST, "en"
    )
    for template in DEFAULTS.values():
        filled = render(template, {"customer": "星河", "article": "第12条"})
        assert "$" not in filled.subject + filled.body


def test_a_template_with_an_unknown_placeholder_is_refused_with_the_allowed_names() -> None:
    with pytest.raises(ValidationFailed) as refused:
        check_template("templates.friendly.first.en.body", "Dear ${custmer}")
    [message] = refused.value.fields["templates.friendly.first.en.body"]
    assert "${custmer}" in message
    assert "${customer}" in message
