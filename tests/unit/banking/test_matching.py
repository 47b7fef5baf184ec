"""Reconciliation rules worked by hand: every amount written out, every outcome explained."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal

import pytest

from backend.banking.domain import matching
from backend.banking.domain.matching import (
    Decision,
    Directory,
    Fit,
    OpenItem,
    Outcome,
    Receipt,
    Rule,
    Settings,
    reconcile,
)

A, B = 1, 2  # customers
LEASE, B_LEASE = 100, 200
A_ACCOUNT, B_ACCOUNT = "6222 0212 3456 7890", "6217 0000 1111 2222"
A_VIRTUAL = "9558 8001 0000 0003"
B_VIRTUAL = "9558 8001 0000 0009"
A_NAME, B_NAME = "上海某某科技有限公司", "北京另一家贸易有限公司"
DIRECTORY = Directory(
    accounts={A_ACCOUNT: A, B_ACCOUNT: B},
    names={A: A_NAME, B: B_NAME},
    payer_aliases={"某某集团有限公司": A},
    virtual_accounts={A_VIRTUAL: LEASE, B_VIRTUAL: B_LEASE},
    lease_customers={LEASE: A, B_LEASE: B},
)
JAN, FEB, MAR = 11, 12, 13  # the items of lease SH-LJZ-L-2026-003


def bill(
    item_id: int,
    due: date,
    amount: str,
    customer: int = A,
    lease: int | None = LEASE,
    number: str | None = None,
    currency: str = "CNY",
) -> OpenItem:
    """An open bill; its number reads SH-LJZ-<year><month>-<id> like the billing run's."""
    return OpenItem(
        id=item_id,
        customer_id=customer,
        lease_id=lease,
        lease_number="SH-LJZ-L-2026-003" if lease == LEASE else (f"BJ-L-{lease}" if lease else None),
        number=number or f"SH-LJZ-{due:%Y%m}-{item_id:04d}",
        due_date=due,
        open_amount=Decimal(amount),
        currency=currency,
        project_id=1,
    )


def receipt(
    amount: str,
    booked: date = date(2026, 3, 6),
    memo: str | None = None,
    name: str | None = None,
    account: str | None = None,
    virtual: str | None = None,
    currency: str = "CNY",
    receipt_id: int = 1,
) -> Receipt:
    """Money in on our account 1."""
    return Receipt(
        id=receipt_id,
        bank_account_id=1,
        booked_on=booked,
        amount=Decimal(amount),
        currency=currency,
        counterparty_name=name,
        counterparty_account=account,
        memo=memo,
        bank_reference=None,
        virtual_account=virtual,
    )


def three_bills() -> list[OpenItem]:
    """January and February rent of 12,000.00 each and a March service charge of 3,500.00, all open."""
    return [
        bill(JAN, date(2026, 1, 5), "12000.00"),
        bill(FEB, date(2026, 2, 5), "12000.00"),
        bill(MAR, date(2026, 3, 5), "3500.00"),
    ]


def decide(
    line: Receipt, items: list[OpenItem], directory: Directory = DIRECTORY, settings: Settings | None = None
) -> Decision:
    """The one decision about `line`."""
    (decision,) = reconcile([line], items, directory, settings or Settings())
    return decision


def paid(decision: Decision) -> dict[int, Decimal]:
    """What the decision allocates, by item."""
    return {allocation.item_id: allocation.amount for allocation in decision.allocations}


def told(decision: Decision) -> str:
    """The explanation as finance staff read it in English."""
    return decision.explanation % decision.params


# Rule 1: a bill or lease number in the memo, or the lease's virtual account --------------------------------


def test_a_bill_named_in_the_memo_is_settled_when_the_amount_equals_its_open_balance() -> None:
    decision = decide(receipt("3500.00", memo="房租 sh ljz 202603 0013", account=A_ACCOUNT), three_bills())
    assert (decision.outcome, decision.rule, decision.fit) == (
        Outcome.MATCHED,
        Rule.BILL_REFERENCE,
        Fit.SAME_AMOUNT,
    )
    assert decision.customer_id == A
    assert paid(decision) == {MAR: Decimal("3500.00")}
    assert (decision.fee, decision.unapplied, decision.score) == (0, 0, Decimal("100.0"))
    assert told(decision) == "The amount is exactly what is open on SH-LJZ-202603-0013, named in the memo."


@pytest.mark.parametrize(
    "memo",
    [
        "SHLJZ2026030013",
        "付SH-LJZ-202603-0013款",
        "租金ＳＨ－ＬＪＺ－２０２６０３－００１３",
        "sh ljz 2026 03 0013",
    ],
)
def test_a_bill_is_named_however_the_memo_spells_its_number(memo: str) -> None:
    decision = decide(receipt("3500.00", memo=memo, name=A_NAME), three_bills())
    assert (decision.outcome, paid(decision)) == (Outcome.MATCHED, {MAR: Decimal("3500.00")})


def test_a_number_that_only_starts_like_a_bill_number_names_no_bill() -> None:
    decision = decide(receipt("3500.00", memo="SH-LJZ-202603-00131", account=A_ACCOUNT), three_bills())
    assert decision.rule is Rule.PAYER_ACCOUNT


def test_a_named_bill_paid_with_its_leases_older_open_bills_settles_all_of_them() -> None:
    """12,000.00 + 12,000.00 + 3,500.00 = 27,500.00."""
    decision = decide(receipt("27500.00", memo="SH-LJZ-202603-0013", account=A_ACCOUNT), three_bills())
    assert (decision.outcome, decision.fit) == (Outcome.MATCHED, Fit.COMBINED)
    assert list(paid(decision).items()) == [
        (JAN, Decimal("12000.00")),
        (FEB, Decimal("12000.00")),
        (MAR, Decimal("3500.00")),
    ]


def test_the_older_bills_paid_with_a_named_bill_are_the_oldest() -> None:
    """15,500.00 = January's 12,000.00 + the named March bill's 3,500.00; February stays open."""
    decision = decide(receipt("15500.00", memo="SH-LJZ-202603-0013", account=A_ACCOUNT), three_bills())
    assert paid(decision) == {JAN: Decimal("12000.00"), MAR: Decimal("3500.00")}


def test_less_than_a_named_bill_is_a_partial_payment_of_that_bill_only() -> None:
    """2,000.00 of March's 3,500.00: 1,500.00 stays open on it, the older bills are not touched."""
    decision = decide(receipt("2000.00", memo="SH-LJZ-202603-0013", account=A_ACCOUNT), three_bills())
    assert (decision.outcome, decision.fit) == (Outcome.MATCHED, Fit.PARTIAL)
    assert paid(decision) == {MAR: Decimal("2000.00")}
    assert decision.params["remaining"] == "1500.00"


def test_more_than_a_named_bill_and_its_older_bills_waits_on_the_difference_list() -> None:
    """30,000.00 against 27,500.00 open on the lease: nobody guesses what the other 2,500.00 is for."""
    decision = decide(receipt("30000.00", memo="SH-LJZ-202603-0013", account=A_ACCOUNT), three_bills())
    assert (decision.outcome, decision.rule) == (Outcome.SUGGESTED, Rule.BILL_REFERENCE)
    assert decision.allocations == ()
    assert decision.unapplied == Decimal("30000.00")
    assert decision.explanation == matching.OVERPAID
    assert [suggestion.customer_id for suggestion in decision.suggestions] == [A]


def test_several_bills_named_in_the_memo_are_settled_when_the_amount_is_their_sum() -> None:
    """January's 12,000.00 + March's 3,500.00 = 15,500.00."""
    memo = "SH-LJZ-202601-0011 SH-LJZ-202603-0013"
    decision = decide(receipt("15500.00", memo=memo, account=A_ACCOUNT), three_bills())
    assert (decision.outcome, decision.fit) == (Outcome.MATCHED, Fit.SAME_AMOUNT)
    assert paid(decision) == {JAN: Decimal("12000.00"), MAR: Decimal("3500.00")}


def test_a_bill_paid_a_second_time_waits_on_the_difference_list() -> None:
    first = receipt("3500.00", memo="SH-LJZ-202603-0013", account=A_ACCOUNT, receipt_id=1)
    second = replace(first, id=2, booked_on=date(2026, 3, 7))
    decisions = reconcile([first, second], three_bills(), DIRECTORY, Settings())
    assert [decision.outcome for decision in decisions] == [Outcome.MATCHED, Outcome.SUGGESTED]
    assert decisions[1].explanation == matching.SETTLED


def test_a_lease_named_in_the_memo_settles_its_oldest_bills() -> None:
    """24,000.00 = the two oldest, 12,000.00 + 12,000.00; March's 3,500.00 stays open."""
    decision = decide(receipt("24000.00", memo="租金SH-LJZ-L-2026-003三月", name=A_NAME), three_bills())
    assert (decision.outcome, decision.rule, decision.fit) == (
        Outcome.MATCHED,
        Rule.LEASE_REFERENCE,
        Fit.COMBINED,
    )
    assert paid(decision) == {JAN: Decimal("12000.00"), FEB: Decimal("12000.00")}


def test_money_paid_into_a_leases_virtual_account_settles_that_lease_whoever_sends_it() -> None:
    decision = decide(receipt("3500.00", name="张三", virtual="9558800100000003"), three_bills())
    assert (decision.outcome, decision.rule) == (Outcome.MATCHED, Rule.VIRTUAL_ACCOUNT)
    assert paid(decision) == {MAR: Decimal("3500.00")}
    assert "9558800100000003, the virtual account of lease SH-LJZ-L-2026-003" in told(decision)


# Rule 2: the payer's registered account, legal name or payer alias -----------------------------------------


def test_a_known_payer_pays_the_bill_of_that_amount_due_nearest_the_booking_date() -> None:
    """Three monthly bills of 12,000.00; booked on 3 March, the one due on 5 March is the nearest."""
    items = [bill(1, date(2026, 1, 5), "12000.00"), bill(2, date(2026, 2, 5), "12000.00")]
    items.append(bill(3, date(2026, 3, 5), "12000.00"))
    decision = decide(receipt("12000.00", booked=date(2026, 3, 3), account=A_ACCOUNT), items)
    assert (decision.outcome, decision.rule, decision.fit) == (
        Outcome.MATCHED,
        Rule.PAYER_ACCOUNT,
        Fit.SAME_AMOUNT,
    )
    assert paid(decision) == {3: Decimal("12000.00")}
    assert decision.params["due"] == "2026-03-05"


def test_two_bills_as_near_the_booking_date_go_to_the_older() -> None:
    items = [bill(1, date(2026, 3, 9), "5000.00"), bill(2, date(2026, 3, 1), "5000.00")]
    decision = decide(receipt("5000.00", booked=date(2026, 3, 5), account=A_ACCOUNT), items)
    assert paid(decision) == {2: Decimal("5000.00")}


def test_the_two_oldest_bills_adding_up_to_the_amount_are_settled_together() -> None:
    """12,000.00 + 12,000.00 + 3,500.00 open; 24,000.00 received → the two oldest."""
    decision = decide(receipt("24000.00", account=A_ACCOUNT), three_bills())
    assert (decision.outcome, decision.fit) == (Outcome.MATCHED, Fit.COMBINED)
    assert paid(decision) == {JAN: Decimal("12000.00"), FEB: Decimal("12000.00")}


def test_a_bill_of_the_same_amount_due_outside_the_window_is_not_picked_by_its_amount() -> None:
    """8,000.00 on 30 April: the 8,000.00 bill was due 100 days before, so oldest first it is partial.

    5,000.00 settles the January bill, 3,000.00 goes to the 8,000.00 bill, 5,000.00 stays open on it.
    """
    items = [bill(1, date(2026, 1, 1), "5000.00"), bill(2, date(2026, 1, 20), "8000.00")]
    decision = decide(receipt("8000.00", booked=date(2026, 4, 30), account=A_ACCOUNT), items)
    assert (decision.outcome, decision.fit) == (Outcome.MATCHED, Fit.PARTIAL)
    assert paid(decision) == {1: Decimal("5000.00"), 2: Decimal("3000.00")}
    assert decision.params["remaining"] == "5000.00"


def test_a_known_payer_paying_less_than_is_open_pays_oldest_first() -> None:
    """15,000.00: January's 12,000.00 in full, 3,000.00 of February's; 9,000.00 stays open on February."""
    decision = decide(receipt("15000.00", account=A_ACCOUNT), three_bills())
    assert (decision.outcome, decision.fit) == (Outcome.MATCHED, Fit.PARTIAL)
    assert paid(decision) == {JAN: Decimal("12000.00"), FEB: Decimal("3000.00")}
    assert decision.unapplied == 0


def test_a_known_payer_paying_more_than_everything_open_waits_on_the_difference_list() -> None:
    """30,000.00 against 27,500.00 open: it may be a deposit or a prepayment, which a person books."""
    decision = decide(receipt("30000.00", account=A_ACCOUNT), three_bills())
    assert (decision.outcome, decision.rule) == (Outcome.SUGGESTED, Rule.PAYER_ACCOUNT)
    assert (decision.allocations, decision.unapplied) == ((), Decimal("30000.00"))
    assert (decision.params["excess"], decision.params["open"]) == ("2500.00", "27500.00")
    (suggestion,) = decision.suggestions
    assert (suggestion.customer_id, suggestion.item_ids) == (A, (JAN, FEB, MAR))


def test_a_known_payer_with_nothing_open_waits_on_the_difference_list() -> None:
    decision = decide(receipt("3500.00", account=B_ACCOUNT), three_bills())
    assert (decision.outcome, decision.explanation) == (Outcome.SUGGESTED, matching.NOTHING_OPEN)


def test_an_account_number_is_known_however_the_bank_prints_it() -> None:
    decision = decide(receipt("3500.00", account="６２２２０２１２３４５６７８９０"), three_bills())
    assert (decision.outcome, decision.rule) == (Outcome.MATCHED, Rule.PAYER_ACCOUNT)


def test_the_legal_name_tells_the_payer_when_the_account_is_new() -> None:
    decision = decide(receipt("3500.00", name="上海市某某科技有限责任公司", account="999"), three_bills())
    assert (decision.outcome, decision.rule) == (Outcome.MATCHED, Rule.PAYER_NAME)
    assert paid(decision) == {MAR: Decimal("3500.00")}


def test_a_parent_company_registered_as_payer_alias_settles_its_subsidiarys_bills() -> None:
    decision = decide(receipt("3500.00", name="某某集团股份有限公司"), three_bills())
    assert (decision.outcome, decision.rule, decision.customer_id) == (Outcome.MATCHED, Rule.PAYER_ALIAS, A)


def test_a_parent_company_not_registered_as_payer_alias_settles_nothing() -> None:
    directory = replace(DIRECTORY, payer_aliases={})
    decision = decide(receipt("3500.00", name="某某集团有限公司"), three_bills(), directory)
    assert decision.outcome is not Outcome.MATCHED
    assert decision.allocations == ()


def test_a_branch_of_a_customer_is_suggested_but_not_matched() -> None:
    decision = decide(receipt("3500.00", name="上海某某科技有限公司北京分公司"), three_bills())
    assert (decision.outcome, decision.rule) == (Outcome.SUGGESTED, Rule.FUZZY)
    (suggestion,) = decision.suggestions
    assert (suggestion.customer_id, suggestion.item_ids, suggestion.score) == (A, (MAR,), Decimal("100.0"))
    assert suggestion.reason == matching.LOOKS_LIKE_BRANCH


def test_a_branch_registered_as_payer_alias_is_matched() -> None:
    branch = "上海某某科技有限公司北京分公司"
    directory = replace(DIRECTORY, payer_aliases={branch: A})
    decision = decide(receipt("3500.00", name=branch), three_bills(), directory)
    assert (decision.outcome, decision.rule) == (Outcome.MATCHED, Rule.PAYER_ALIAS)


# Bank fees -------------------------------------------------------------------------------------------------


def test_a_shortfall_within_the_tolerance_is_booked_as_a_bank_fee() -> None:
    """3,485.00 for March's 3,500.00: the bill is settled in full, 15.00 is the bank's fee."""
    decision = decide(receipt("3485.00", memo="SH-LJZ-202603-0013", account=A_ACCOUNT), three_bills())
    assert (decision.outcome, decision.fit) == (Outcome.MATCHED, Fit.SAME_AMOUNT)
    assert paid(decision) == {MAR: Decimal("3500.00")}
    assert (decision.fee, decision.unapplied) == (Decimal("15.00"), 0)
    assert told(decision) == (
        "The amount is 15.00 short of what is open on SH-LJZ-202603-0013, named in the memo; "
        "the difference is booked as a bank fee."
    )


def test_two_bills_short_by_a_bank_fee_are_settled_together() -> None:
    """23,975.00 for 12,000.00 + 12,000.00: 25.00 is the fee."""
    decision = decide(receipt("23975.00", account=A_ACCOUNT), three_bills())
    assert (decision.fit, decision.fee) == (Fit.COMBINED, Decimal("25.00"))
    assert paid(decision) == {JAN: Decimal("12000.00"), FEB: Decimal("12000.00")}


def test_a_shortfall_beyond_the_tolerance_is_a_partial_payment() -> None:
    """11,940.00 for 12,000.00 is 60.00 short, more than 50.00: 60.00 stays open."""
    items = [bill(1, date(2026, 3, 5), "12000.00")]
    decision = decide(receipt("11940.00", memo="SH-LJZ-202603-0001", account=A_ACCOUNT), items)
    assert (decision.fit, decision.fee) == (Fit.PARTIAL, 0)
    assert paid(decision) == {1: Decimal("11940.00")}


@pytest.mark.parametrize(
    ("amount", "fit", "fee"),
    [
        ("1991.00", Fit.SAME_AMOUNT, Decimal("9.00")),  # 9.00 ≤ 0.5 % of 1,991.00 = 9.955
        ("1980.00", Fit.PARTIAL, Decimal(0)),  # 20.00 > 0.5 % of 1,980.00 = 9.90
    ],
)
def test_a_bank_fee_is_at_most_half_a_percent_of_the_amount(amount: str, fit: Fit, fee: Decimal) -> None:
    items = [bill(1, date(2026, 3, 5), "2000.00")]
    decision = decide(receipt(amount, account=A_ACCOUNT), items)
    assert (decision.fit, decision.fee) == (fit, fee)


# Never A's bills with B's money; precision before recall ---------------------------------------------------


def test_customer_bs_money_never_settles_customer_as_bill() -> None:
    decision = decide(receipt("3500.00", memo="SH-LJZ-202603-0013", account=B_ACCOUNT), three_bills())
    assert (decision.outcome, decision.rule) == (Outcome.SUGGESTED, Rule.BILL_REFERENCE)
    assert decision.allocations == ()
    assert told(decision) == (
        f"The memo names SH-LJZ-202603-0013 of {A_NAME}, but the money comes from {B_NAME}: "
        "one customer's money never settles another customer's bills."
    )
    assert [(s.customer_id, s.item_ids) for s in decision.suggestions] == [(A, (MAR,)), (B, ())]


def test_a_bill_named_by_an_unknown_payer_is_a_third_partys_payment_and_waits() -> None:
    decision = decide(receipt("3500.00", memo="SH-LJZ-202603-0013", name="张三"), three_bills())
    assert (decision.outcome, decision.explanation) == (Outcome.SUGGESTED, matching.THIRD_PARTY)
    assert [s.customer_id for s in decision.suggestions] == [A]


def test_another_customers_money_into_a_virtual_account_waits() -> None:
    decision = decide(receipt("3500.00", account=B_ACCOUNT, virtual=A_VIRTUAL), three_bills())
    assert (decision.outcome, decision.explanation) == (Outcome.SUGGESTED, matching.OTHER_PAYER)


def test_a_virtual_account_of_another_customers_lease_contradicting_the_memo_waits() -> None:
    line = receipt("3500.00", memo="SH-LJZ-202603-0013", account=A_ACCOUNT, virtual=B_VIRTUAL)
    decision = decide(line, three_bills())
    assert (decision.outcome, decision.explanation) == (Outcome.SUGGESTED, matching.SEVERAL_OWNERS)


def test_a_memo_naming_bills_of_two_customers_waits() -> None:
    items = [*three_bills(), bill(21, date(2026, 3, 5), "3500.00", customer=B, lease=B_LEASE)]
    memo = "SH-LJZ-202603-0013 SH-LJZ-202603-0021"
    decision = decide(receipt("7000.00", memo=memo, account=A_ACCOUNT), items)
    assert (decision.outcome, decision.explanation) == (Outcome.SUGGESTED, matching.SEVERAL_OWNERS)
    assert [s.customer_id for s in decision.suggestions] == [A, B]


@pytest.mark.parametrize(
    "accounts",
    [
        {A_ACCOUNT: frozenset({A, B})},
        {A_ACCOUNT: A, "6222021234567890": B},  # one account typed twice, for two customers
    ],
)
def test_a_payer_account_registered_to_two_customers_is_not_trusted(accounts: dict[str, int]) -> None:
    directory = replace(DIRECTORY, accounts=accounts)
    decision = decide(receipt("3500.00", account=A_ACCOUNT), three_bills(), directory)
    assert (decision.outcome, decision.rule) == (Outcome.SUGGESTED, Rule.PAYER_ACCOUNT)
    assert decision.explanation == matching.SEVERAL_PAYERS
    assert [s.customer_id for s in decision.suggestions] == [A, B]


def test_a_legal_name_shared_by_two_customers_is_not_trusted() -> None:
    directory = replace(DIRECTORY, names={A: A_NAME, B: "北京某某科技有限公司"})
    decision = decide(receipt("3500.00", name="某某科技有限公司"), three_bills(), directory)
    assert (decision.outcome, decision.rule) == (Outcome.SUGGESTED, Rule.PAYER_NAME)


def test_a_shared_name_is_not_trusted_even_when_the_memo_names_one_of_the_two() -> None:
    directory = replace(DIRECTORY, names={A: A_NAME, B: "北京某某科技有限公司"})
    decision = decide(
        receipt("3500.00", memo="SH-LJZ-202603-0013", name="某某科技有限公司"), three_bills(), directory
    )
    assert (decision.outcome, decision.explanation) == (Outcome.SUGGESTED, matching.OTHER_PAYER)


def test_an_item_in_another_currency_is_never_allocated() -> None:
    items = [bill(1, date(2026, 3, 5), "3500.00", currency="USD"), bill(2, date(2026, 3, 20), "3500.00")]
    decision = decide(receipt("3500.00", account=A_ACCOUNT), items)
    assert paid(decision) == {2: Decimal("3500.00")}
    combined = decide(receipt("7000.00", account=A_ACCOUNT), items)
    assert combined.outcome is Outcome.SUGGESTED


def test_a_bill_in_another_currency_named_in_the_memo_waits() -> None:
    items = [bill(1, date(2026, 3, 5), "3500.00", currency="USD")]
    decision = decide(receipt("3500.00", memo="SH-LJZ-202603-0001", account=A_ACCOUNT), items)
    assert (decision.outcome, decision.explanation) == (Outcome.SUGGESTED, matching.OTHER_CURRENCY)
    assert (decision.params["currencies"], decision.params["currency"]) == ("USD", "CNY")


# Likeness: suggestions only --------------------------------------------------------------------------------


def _look_alikes() -> tuple[list[OpenItem], Directory]:
    names = {A: "上海华盛泰科技有限公司", 3: "华盛泰有限公司", 4: "盛泰科有限公司"}
    items = [
        bill(1, date(2026, 3, 5), "5000.00", customer=A, lease=None),
        bill(2, date(2026, 3, 5), "5000.00", customer=3, lease=None),
        bill(3, date(2026, 3, 5), "7000.00", customer=4, lease=None),
    ]
    return items, Directory(names=names)


def test_names_alike_are_suggested_by_score_a_fitting_amount_raising_it() -> None:
    """Likeness 80 + 10 for a fitting amount = 90; 75 + 10 = 85; 75 without a fitting amount stays out."""
    items, directory = _look_alikes()
    decision = decide(receipt("5000.00", name="华盛泰科枝有限公司"), items, directory)
    assert (decision.outcome, decision.rule, decision.customer_id) == (Outcome.SUGGESTED, Rule.FUZZY, None)
    assert decision.allocations == ()
    assert [(s.customer_id, s.item_ids, s.score) for s in decision.suggestions] == [
        (A, (1,), Decimal("90.0")),
        (3, (2,), Decimal("85.0")),
    ]
    assert decision.score == Decimal("90.0")


def test_no_more_suggestions_than_asked_for_are_listed() -> None:
    items, directory = _look_alikes()
    decision = decide(
        receipt("5000.00", name="华盛泰科枝有限公司"), items, directory, Settings(max_suggestions=1)
    )
    assert [s.customer_id for s in decision.suggestions] == [A]


def test_a_receipt_telling_nothing_stays_unmatched() -> None:
    decision = decide(receipt("3500.00", memo="三月", name="某某个人"), three_bills())
    assert (decision.outcome, decision.rule, decision.score) == (Outcome.UNMATCHED, None, Decimal("0.0"))
    assert decision.unapplied == Decimal("3500.00")


def test_money_out_is_not_reconciled() -> None:
    decision = decide(receipt("-3500.00", account=A_ACCOUNT), three_bills())
    assert (decision.outcome, decision.explanation) == (Outcome.UNMATCHED, matching.NOT_MONEY_IN)


# The run ---------------------------------------------------------------------------------------------------


def test_receipts_are_decided_by_booking_date_and_a_later_one_sees_what_an_earlier_one_left_open() -> None:
    """Two payments of 12,000.00 by the same payer: January's goes to January, February's to February."""
    january = receipt("12000.00", booked=date(2026, 1, 6), account=A_ACCOUNT, receipt_id=8)
    february = receipt("12000.00", booked=date(2026, 2, 6), account=A_ACCOUNT, receipt_id=7)
    decisions = reconcile([february, january], three_bills(), DIRECTORY, Settings())
    assert [(decision.receipt_id, paid(decision)) for decision in decisions] == [
        (8, {JAN: Decimal("12000.00")}),
        (7, {FEB: Decimal("12000.00")}),
    ]


def test_the_callers_items_and_receipts_are_left_as_they_were() -> None:
    items, lines = three_bills(), [receipt("24000.00", account=A_ACCOUNT)]
    reconcile(lines, items, DIRECTORY, Settings())
    assert (items, lines) == (three_bills(), [receipt("24000.00", account=A_ACCOUNT)])


def test_twenty_thousand_receipts_against_twenty_thousand_items_are_all_decided() -> None:
    rng = random.Random(20)
    customers = 4000
    directory = Directory(
        accounts={f"6222{customer:012d}": customer for customer in range(customers)},
        names={customer: f"客户{customer}号有限公司" for customer in range(customers)},
    )
    items = [
        bill(
            item,
            date(2026, 1, 5) + timedelta(days=30 * (item % 5)),
            f"{rng.randrange(1000, 90000)}.00",
            customer=(item % 5000) % customers,
            lease=item % 5000,
            number=f"B-{item:06d}",
        )
        for item in range(20_000)
    ]
    lines = []
    for line_id, item in enumerate(rng.sample(items, 20_000)):
        clues = [
            {"memo": f"rent {item.number}", "account": f"6222{item.customer_id:012d}"},
            {"account": f"6222{item.customer_id:012d}"},
            {"name": f"客户{item.customer_id}号有限公司"},
            {"name": "陌生人贸易有限公司"},
        ]
        lines.append(
            receipt(str(item.open_amount), booked=item.due_date, receipt_id=line_id, **rng.choice(clues))
        )
    decisions = reconcile(lines, items, directory, Settings())
    assert len(decisions) == 20_000
    assert sum(decision.outcome is Outcome.MATCHED for decision in decisions) > 10_000


@pytest.mark.parametrize("memo", ["押金", "租赁保证金 SH-LJZ-L-2026-003", "deposit"])
def test_money_the_memo_calls_a_deposit_never_settles_rent(memo: str) -> None:
    # 24,000.00 from the tenant's own account would settle January and February (12,000.00 each) by rule.
    decision = decide(receipt("24000.00", memo=memo, account=A_ACCOUNT), three_bills())
    assert decision.outcome is Outcome.UNMATCHED
    assert paid(decision) == {}
    assert "deposit" in decision.explanation
