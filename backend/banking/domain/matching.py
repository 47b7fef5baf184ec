"""Reconciliation: which open items a bank receipt settles, by ordered rules, the first that decides winning.

The rules (SPEC §4): a bill or lease number in the memo, or the lease's virtual account; else the payer's
registered account, legal name or payer alias; else suggestions by likeness of names, never applied. Money
whose customer is known settles that customer's items only: the one item of the same amount due nearest the
booking date, else the oldest items adding up to the amount, else oldest first as a partial payment; a small
shortfall is booked as a bank fee. Whatever is ambiguous waits on the difference list, with suggestions.
"""

from __future__ import annotations

import enum
import sys
from bisect import bisect_left, bisect_right, insort
from collections import defaultdict
from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal
from operator import attrgetter
from typing import NamedTuple

from backend.banking.domain.names import (
    NameBook,
    PayerName,
    ReferenceBook,
    account_key,
    customers_by_key,
    payer_name,
)
from backend.core.domain.errors import N_

_ZERO = Decimal(0)


@dataclass(frozen=True, slots=True)
class Receipt:
    """One incoming bank line to reconcile: money in, so `amount` is positive."""

    id: int
    bank_account_id: int
    booked_on: date
    amount: Decimal
    currency: str
    counterparty_name: str | None
    counterparty_account: str | None
    memo: str | None
    bank_reference: str | None
    virtual_account: str | None = None  # the per-lease sub-account it was paid into, where the bank says so


@dataclass(frozen=True, slots=True)
class OpenItem:
    """One receivable charge with money still open on it."""

    id: int
    customer_id: int
    lease_id: int | None
    lease_number: str | None
    number: str
    due_date: date
    open_amount: Decimal
    currency: str
    project_id: int


@dataclass(frozen=True, slots=True)
class Directory:
    """What we know of payers; an account or alias registered to several customers names all of them."""

    accounts: Mapping[str, int | frozenset[int]] = field(default_factory=dict)
    names: Mapping[int, str] = field(default_factory=dict)
    payer_aliases: Mapping[str, int | frozenset[int]] = field(default_factory=dict)
    virtual_accounts: Mapping[str, int] = field(default_factory=dict)
    lease_customers: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Settings:
    """How far the rules reach: date window, bank fee limits, and when a likeness is worth suggesting."""

    date_window_days: int = 45
    fee_tolerance: Decimal = Decimal("50.00")
    fee_share: Decimal = Decimal("0.005")  # a fee is also at most this share of the amount received
    suggestion_threshold: float = 80
    fit_bonus: float = 10  # added to a suggestion's score when the amount fits the customer's open items
    max_suggestions: int = 5


class Outcome(enum.StrEnum):
    """What became of a receipt."""

    MATCHED = "matched"  # applied to the customer's items
    SUGGESTED = "suggested"  # on the difference list, with candidates for a person to choose from
    UNMATCHED = "unmatched"  # on the difference list, nothing found


class Rule(enum.StrEnum):
    """The rule that decided who the money is for, in the order the rules are tried."""

    BILL_REFERENCE = "bill_reference"
    LEASE_REFERENCE = "lease_reference"
    VIRTUAL_ACCOUNT = "virtual_account"
    PAYER_ACCOUNT = "payer_account"
    PAYER_NAME = "payer_name"
    PAYER_ALIAS = "payer_alias"
    FUZZY = "fuzzy"


class Fit(enum.StrEnum):
    """How the amount was spread over the customer's items."""

    SAME_AMOUNT = "same_amount"  # one item, or the bills the memo names, open for exactly the amount
    COMBINED = "combined"  # several items, oldest first, whose open balances add up to the amount
    PARTIAL = "partial"  # less than is open: oldest first, the last item stays partly open


@dataclass(frozen=True, slots=True)
class Allocation:
    """Money settling one item; never more than was open on it."""

    item_id: int
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Suggestion:
    """A customer the money may be from, the items it would settle, and why (a template and its values)."""

    customer_id: int
    item_ids: tuple[int, ...]
    score: Decimal
    reason: str
    params: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome for one receipt: its allocations and what is unapplied add up to the amount and the fee."""

    receipt_id: int
    outcome: Outcome
    rule: Rule | None
    fit: Fit | None
    customer_id: int | None
    allocations: tuple[Allocation, ...]
    fee: Decimal
    unapplied: Decimal
    score: Decimal  # 0–100: 100 for what a rule applied, else the best suggestion's
    explanation: str  # an English template for finance staff, translated where it is shown
    params: Mapping[str, str]  # the values filling it
    suggestions: tuple[Suggestion, ...]
    # Every customer the payer's account, name or alias, or the memo's bills and leases, point to: dunning
    # holds them while the line waits unmatched.
    payers: frozenset[int] = frozenset()


class _Way(enum.StrEnum):
    """How a proposal reaches the amount, which picks the sentence explaining it."""

    NAMED = "named"  # the bills the memo names, for what is open on them
    NEAREST = "nearest"  # the one item open for the amount due nearest the booking date
    OLDEST = "oldest"  # the oldest items (after a named bill: it and its lease's older bills)
    PARTIAL = "partial"


# Why the money is the customer's and how it was spread, by the rule's kind, the way, and a bank fee or not.
_MATCHED = {
    ("bill", _Way.NAMED, False): N_("The amount is exactly what is open on %(named)s, named in the memo."),
    ("bill", _Way.NAMED, True): N_(
        "The amount is %(fee)s short of what is open on %(named)s, named in the memo; "
        "the difference is booked as a bank fee."
    ),
    ("bill", _Way.OLDEST, False): N_(
        "The memo names %(named)s; the amount pays it and its lease's older open bills: %(bills)s."
    ),
    ("bill", _Way.OLDEST, True): N_(
        "The memo names %(named)s; the amount pays it and its lease's older open bills (%(bills)s) "
        "but for %(fee)s, booked as a bank fee."
    ),
    ("bill", _Way.PARTIAL, False): N_(
        "The memo names %(named)s; the amount is less than is open: it goes to %(bills)s, "
        "and %(remaining)s stays open on %(bill)s."
    ),
    ("lease", _Way.NEAREST, False): N_(
        "The memo names lease %(lease)s; the amount equals the open balance of %(bills)s, "
        "due on %(due)s, the nearest such bill within %(days)s days."
    ),
    ("lease", _Way.NEAREST, True): N_(
        "The memo names lease %(lease)s; the amount is %(fee)s short of the open balance of %(bills)s, "
        "due on %(due)s, the nearest such bill within %(days)s days; the difference is a bank fee."
    ),
    ("lease", _Way.OLDEST, False): N_(
        "The memo names lease %(lease)s; the amount settles %(bills)s, oldest first."
    ),
    ("lease", _Way.OLDEST, True): N_(
        "The memo names lease %(lease)s; the amount settles %(bills)s, oldest first, "
        "but for %(fee)s, booked as a bank fee."
    ),
    ("lease", _Way.PARTIAL, False): N_(
        "The memo names lease %(lease)s; the amount is less than is open: it goes to %(bills)s, "
        "oldest first, and %(remaining)s stays open on %(bill)s."
    ),
    ("virtual", _Way.NEAREST, False): N_(
        "Paid into %(account)s, the virtual account of lease %(lease)s; the amount equals the open "
        "balance of %(bills)s, due on %(due)s, the nearest such bill within %(days)s days."
    ),
    ("virtual", _Way.NEAREST, True): N_(
        "Paid into %(account)s, the virtual account of lease %(lease)s; the amount is %(fee)s short of "
        "the open balance of %(bills)s, due on %(due)s, the nearest such bill within %(days)s days; "
        "the difference is a bank fee."
    ),
    ("virtual", _Way.OLDEST, False): N_(
        "Paid into %(account)s, the virtual account of lease %(lease)s; "
        "the amount settles %(bills)s, oldest first."
    ),
    ("virtual", _Way.OLDEST, True): N_(
        "Paid into %(account)s, the virtual account of lease %(lease)s; the amount settles %(bills)s, "
        "oldest first, but for %(fee)s, booked as a bank fee."
    ),
    ("virtual", _Way.PARTIAL, False): N_(
        "Paid into %(account)s, the virtual account of lease %(lease)s; the amount is less than is "
        "open: it goes to %(bills)s, oldest first, and %(remaining)s stays open on %(bill)s."
    ),
    ("payer", _Way.NEAREST, False): N_(
        "The payer %(payer)s is known as %(customer)s; the amount equals the open balance of "
        "%(bills)s, due on %(due)s, the nearest such bill within %(days)s days."
    ),
    ("payer", _Way.NEAREST, True): N_(
        "The payer %(payer)s is known as %(customer)s; the amount is %(fee)s short of the open balance "
        "of %(bills)s, due on %(due)s, the nearest such bill within %(days)s days; the difference is a "
        "bank fee."
    ),
    ("payer", _Way.OLDEST, False): N_(
        "The payer %(payer)s is known as %(customer)s; the amount settles %(bills)s, oldest first."
    ),
    ("payer", _Way.OLDEST, True): N_(
        "The payer %(payer)s is known as %(customer)s; the amount settles %(bills)s, oldest first, "
        "but for %(fee)s, booked as a bank fee."
    ),
    ("payer", _Way.PARTIAL, False): N_(
        "The payer %(payer)s is known as %(customer)s; the amount is less than is open: it goes to "
        "%(bills)s, oldest first, and %(remaining)s stays open on %(bill)s."
    ),
}
OTHER_PAYER = N_(
    "The memo names %(reference)s of %(owner)s, but the money comes from %(payer)s: "
    "one customer's money never settles another customer's bills."
)
THIRD_PARTY = N_(
    "The memo names %(reference)s of %(owner)s, but the payer is none of its registered accounts, "
    "its legal name or its payer aliases: a third party's payment waits for a person to confirm it."
)
SEVERAL_OWNERS = N_("The memo names bills or leases of several customers: %(customers)s.")
SEVERAL_PAYERS = N_("The payer %(payer)s could be any of several customers: %(customers)s.")
SETTLED = N_("The memo names %(reference)s, on which nothing is open any more: this may be a second payment.")
OTHER_CURRENCY = N_(
    "The memo names %(reference)s, open in %(currencies)s, but the money came in %(currency)s."
)
NOTHING_OPEN = N_("The money is for %(customer)s (%(reference)s), who has nothing open in %(currency)s.")
OVERPAID = N_(
    "The money is for %(customer)s (%(reference)s), but it is %(excess)s more than the %(open)s open: "
    "an overpayment (a deposit, a prepayment, a mistake?) waits for a person to decide."
)
SIMILAR_NAMES = N_("The payer %(payer)s is not registered; customers with similar names are suggested.")
NOTHING_FOUND = N_(
    "No bill or lease in the memo, and neither the payer account nor the payer's name is known."
)
NOT_MONEY_IN = N_("Only money received is reconciled against open bills.")
DEPOSIT_MEMO = N_(
    "The memo calls it a deposit: a deposit is recorded against the deposit, never against rent."
)
# Words in a memo that say the money is a deposit (押金, 保证金), which no rule may apply to bills.
DEPOSIT_WORDS = ("押金", "保证金", "DEPOSIT")
OWNS_REFERENCE = N_("Owns %(reference)s, named in the memo.")
KNOWN_PAYER = N_("The payer %(payer)s is registered to this customer.")
LOOKS_ALIKE = N_("The payer %(payer)s resembles %(name)s.")
LOOKS_LIKE_BRANCH = N_(
    "The payer %(payer)s looks like a branch of %(name)s; branches are not registered payers."
)

_KIND = {
    Rule.BILL_REFERENCE: "bill",
    Rule.LEASE_REFERENCE: "lease",
    Rule.VIRTUAL_ACCOUNT: "virtual",
    Rule.PAYER_ACCOUNT: "payer",
    Rule.PAYER_NAME: "payer",
    Rule.PAYER_ALIAS: "payer",
}
# What a clue alone says of a customer it suggests; suggestions by likeness score by rapidfuzz instead.
_EVIDENCE = {
    Rule.BILL_REFERENCE: 90.0,
    Rule.LEASE_REFERENCE: 90.0,
    Rule.VIRTUAL_ACCOUNT: 90.0,
    Rule.PAYER_ACCOUNT: 90.0,
    Rule.PAYER_NAME: 80.0,
    Rule.PAYER_ALIAS: 80.0,
}


def reconcile(
    receipts: Sequence[Receipt], items: Sequence[OpenItem], directory: Directory, settings: Settings
) -> list[Decision]:
    """Decide every receipt, in (booked_on, id) order; a receipt sees only what earlier ones left open."""
    ledger = _Ledger(items)
    run = _Run(ledger, _Index(directory, ledger), settings)
    decisions = []
    for receipt in sorted(receipts, key=lambda receipt: (receipt.booked_on, receipt.id)):
        clues = run.index.clues(receipt)
        decision = replace(_decide(receipt, clues, run), payers=clues.owners | clues.payer.anyone)
        ledger.apply(decision.allocations)
        decisions.append(decision)
    return decisions


def known_payers(
    receipts: Sequence[Receipt], items: Sequence[OpenItem], directory: Directory
) -> dict[int, frozenset[int]]:
    """The customers each receipt points to, by its payer's account, name or alias or by the bills and leases
    its memo names; a receipt pointing to nobody is left out. Dunning holds these customers for review."""
    index = _Index(directory, _Ledger(items))
    found: dict[int, frozenset[int]] = {}
    for receipt in receipts:
        clues = index.clues(receipt)
        owners = clues.owners | clues.payer.anyone
        if owners:
            found[receipt.id] = owners
    return found


def _decide(receipt: Receipt, clues: _Clues, run: _Run) -> Decision:
    """The first rule that decides: a reference, then a known payer, then likeness."""
    if receipt.amount <= 0:
        return _unmatched(receipt, NOT_MONEY_IN)
    if any(word in (receipt.memo or "").upper() for word in DEPOSIT_WORDS):
        return _unmatched(receipt, DEPOSIT_MEMO)
    if clues.owners:
        return _by_reference(receipt, clues, run)
    payers = clues.payer.anyone
    if len(payers) == 1:
        return _by_payer(receipt, clues, run)
    if payers:
        params = {"payer": _payer_label(receipt, clues), "customers": run.index.names_of(payers)}
        suggestions = _payer_suggestions(receipt, clues, payers, run)
        return _suggested(receipt, _payer_rule(clues), SEVERAL_PAYERS, params, suggestions, run)
    return _by_likeness(receipt, clues, run)


def _by_reference(receipt: Receipt, clues: _Clues, run: _Run) -> Decision:
    """Rule 1: the memo names bills or a lease, or the money went to a lease's virtual account."""
    rule, index = _reference_rule(clues), run.index
    reference = _numbers(clues.bills) if clues.bills else index.leases_label(clues.target_leases)

    def owned() -> list[Suggestion]:
        owns = {"reference": reference}
        evidence = _EVIDENCE[rule]
        return [
            _suggestion(owner, receipt, run, evidence, OWNS_REFERENCE, owns) for owner in sorted(clues.owners)
        ]

    if len(clues.owners) > 1:
        params = {"customers": index.names_of(clues.owners)}
        return _suggested(receipt, rule, SEVERAL_OWNERS, params, owned(), run)
    (owner,) = clues.owners
    about = {"reference": reference, "owner": index.name_of(owner)}
    if others := clues.payer.anyone - {owner}:
        suggestions = [*owned(), *_payer_suggestions(receipt, clues, others, run)]
        return _suggested(
            receipt, rule, OTHER_PAYER, about | {"payer": index.names_of(others)}, suggestions, run
        )
    # The bank gives a virtual account to one lease only, so what is paid into it is that lease's money
    # whoever sends it; a number typed into a memo proves no such thing.
    if not clues.payer.anyone and clues.virtual_lease is None:
        return _suggested(receipt, rule, THIRD_PARTY, about, owned(), run)
    proposal = (
        _bills_proposal(receipt, clues.bills, run) if clues.bills else _lease_proposal(receipt, clues, run)
    )
    context = {"customer": index.name_of(owner), "reference": reference}
    if isinstance(proposal, _Proposal):
        return _matched(receipt, rule, owner, proposal, context | _naming(rule, reference, receipt), run)
    template, params = proposal
    return _suggested(receipt, rule, template, context | params, owned(), run)


def _reference_rule(clues: _Clues) -> Rule:
    if clues.bills:
        return Rule.BILL_REFERENCE
    return Rule.LEASE_REFERENCE if clues.leases else Rule.VIRTUAL_ACCOUNT


def _naming(rule: Rule, reference: str, receipt: Receipt) -> dict[str, str]:
    """The values of the sentence's first half: what the memo or the account paid into names."""
    if rule is Rule.BILL_REFERENCE:
        return {"named": reference}
    if rule is Rule.LEASE_REFERENCE:
        return {"lease": reference}
    return {"lease": reference, "account": receipt.virtual_account or ""}


def _bills_proposal(
    receipt: Receipt, named: Sequence[OpenItem], run: _Run
) -> _Proposal | tuple[str, dict[str, str]]:
    """What the bills the memo names take of the amount, or why they take nothing."""
    same_currency = [bill for bill in named if bill.currency == receipt.currency]
    if not same_currency:
        currencies = ", ".join(sorted({bill.currency for bill in named}))
        return OTHER_CURRENCY, {"currencies": currencies, "currency": receipt.currency}
    live = [bill for bill in same_currency if run.ledger.open[bill.id]]
    if not live:
        return SETTLED, {}
    proposal = _fit_bills(receipt, live, run)
    if proposal is None:
        return _overpaid(receipt, sum((run.ledger.open[bill.id] for bill in live), _ZERO))
    return proposal


def _lease_proposal(receipt: Receipt, clues: _Clues, run: _Run) -> _Proposal | tuple[str, dict[str, str]]:
    """What the lease (or leases) the money is for take of the amount, or why they take nothing."""
    leases, open_amounts = run.ledger.leases, run.ledger.open
    pools = [leases[key] for lease in clues.target_leases if (key := (lease, receipt.currency)) in leases]
    if len(pools) == 1:
        pool = pools[0]
    else:
        merged = sorted((item for each in pools for item in each.oldest(open_amounts)), key=_age)
        pool = _Pool(merged, open_amounts)
    if not pool.total:
        return NOTHING_OPEN, {"currency": receipt.currency}
    proposal = _fit_pool(receipt, pool, run)
    return _overpaid(receipt, pool.total) if proposal is None else proposal


def _overpaid(receipt: Receipt, open_amount: Decimal) -> tuple[str, dict[str, str]]:
    return OVERPAID, {"excess": str(receipt.amount - open_amount), "open": str(open_amount)}


def _by_payer(receipt: Receipt, clues: _Clues, run: _Run) -> Decision:
    """Rule 2: the payer's registered account, legal name or alias names exactly one customer."""
    (customer,) = clues.payer.anyone
    rule, payer = _payer_rule(clues), _payer_label(receipt, clues)
    context = {"payer": payer, "customer": run.index.name_of(customer)}
    pool = run.ledger.customers.get((customer, receipt.currency))
    if pool is None or not pool.total:
        template, params = NOTHING_OPEN, {"currency": receipt.currency}
    elif (proposal := _fit_pool(receipt, pool, run)) is not None:
        return _matched(receipt, rule, customer, proposal, context, run)
    else:
        template, params = _overpaid(receipt, pool.total)
    suggestions = _payer_suggestions(receipt, clues, {customer}, run)
    return _suggested(receipt, rule, template, context | {"reference": payer} | params, suggestions, run)


def _payer_rule(clues: _Clues) -> Rule:
    if clues.payer.by_account:
        return Rule.PAYER_ACCOUNT
    return Rule.PAYER_NAME if clues.payer.by_name else Rule.PAYER_ALIAS


def _payer_label(receipt: Receipt, clues: _Clues) -> str:
    """The payer as the strongest clue knows it: the account number, else the name."""
    return (receipt.counterparty_account if clues.payer.by_account else receipt.counterparty_name) or ""


def _payer_suggestions(
    receipt: Receipt, clues: _Clues, customers: Iterable[int], run: _Run
) -> list[Suggestion]:
    evidence, params = _EVIDENCE[_payer_rule(clues)], {"payer": _payer_label(receipt, clues)}
    return [
        _suggestion(customer, receipt, run, evidence, KNOWN_PAYER, params) for customer in sorted(customers)
    ]


def _by_likeness(receipt: Receipt, clues: _Clues, run: _Run) -> Decision:
    """Rule 3: customers whose names resemble the payer's, suggested and never applied."""
    payer, settings = clues.payer.name, run.settings
    if payer is None:
        return _unmatched(receipt)
    threshold = _score(settings.suggestion_threshold)
    bonus, most = settings.fit_bonus, settings.max_suggestions
    alike = run.index.book.resembling(payer.entity, cutoff=max(settings.suggestion_threshold - bonus, 0))
    suggestions: list[Suggestion] = []
    for customer, (score, key) in sorted(alike.items(), key=lambda found: (-found[1][0], found[0])):
        # Best names first: once even a fitting amount cannot lift a name into the list, none after it can.
        if len(suggestions) >= most and _score(score + bonus) < suggestions[-1].score:
            break
        template = LOOKS_LIKE_BRANCH if payer.branch is not None and key == payer.entity else LOOKS_ALIKE
        params = {"payer": receipt.counterparty_name or "", "name": run.index.name_of(customer)}
        suggestion = _suggestion(customer, receipt, run, score, template, params)
        if suggestion.score >= threshold:
            suggestions = _ranked([*suggestions, suggestion])[:most]
    if not suggestions:
        return _unmatched(receipt)
    return _suggested(
        receipt, Rule.FUZZY, SIMILAR_NAMES, {"payer": receipt.counterparty_name or ""}, suggestions, run
    )


def _suggestion(
    customer: int, receipt: Receipt, run: _Run, base: float, reason: str, params: dict[str, str]
) -> Suggestion:
    """A candidate with the items the amount would settle; an amount that fits raises the score."""
    pool = run.ledger.customers.get((customer, receipt.currency))
    proposal = _fit_pool(receipt, pool, run) if pool is not None and pool.total else None
    if proposal is None:
        items = tuple(item.id for item in pool.oldest(run.ledger.open)) if pool is not None else ()
        return Suggestion(customer, items, _score(base), reason, params)
    bonus = 0.0 if proposal.way is _Way.PARTIAL else run.settings.fit_bonus
    return Suggestion(
        customer, tuple(item.id for item, _ in proposal.parts), _score(base + bonus), reason, params
    )


def _ranked(suggestions: Iterable[Suggestion]) -> list[Suggestion]:
    return sorted(suggestions, key=lambda suggestion: (-suggestion.score, suggestion.customer_id))


def _score(value: float) -> Decimal:
    """A score of 0–100 to one decimal place."""
    return Decimal(round(min(max(value, 0.0), 100.0) * 10)).scaleb(-1)


_FULL_SCORE, _NO_SCORE = _score(100.0), _score(0.0)


def _matched(
    receipt: Receipt, rule: Rule, customer: int, proposal: _Proposal, context: dict[str, str], run: _Run
) -> Decision:
    allocations = tuple(Allocation(item.id, amount) for item, amount in proposal.parts)
    applied = sum((allocation.amount for allocation in allocations), _ZERO)
    return Decision(
        receipt_id=receipt.id,
        outcome=Outcome.MATCHED,
        rule=rule,
        fit=proposal.fit,
        customer_id=customer,
        allocations=allocations,
        fee=proposal.fee,
        unapplied=receipt.amount + proposal.fee - applied,
        score=_FULL_SCORE,
        explanation=_MATCHED[_KIND[rule], proposal.way, proposal.fee > 0],
        params=context | proposal.params(run.settings.date_window_days),
        suggestions=(),
    )


def _suggested(
    receipt: Receipt,
    rule: Rule,
    template: str,
    params: dict[str, str],
    suggestions: list[Suggestion],
    run: _Run,
) -> Decision:
    kept = tuple(_ranked(suggestions)[: run.settings.max_suggestions])
    return Decision(
        receipt_id=receipt.id,
        outcome=Outcome.SUGGESTED,
        rule=rule,
        fit=None,
        customer_id=None,
        allocations=(),
        fee=_ZERO,
        unapplied=receipt.amount,
        score=kept[0].score if kept else _NO_SCORE,
        explanation=template,
        params=params,
        suggestions=kept,
    )


def _unmatched(receipt: Receipt, why: str = NOTHING_FOUND) -> Decision:
    return Decision(
        receipt_id=receipt.id,
        outcome=Outcome.UNMATCHED,
        rule=None,
        fit=None,
        customer_id=None,
        allocations=(),
        fee=_ZERO,
        unapplied=receipt.amount,
        score=_NO_SCORE,
        explanation=why,
        params={},
        suggestions=(),
    )


class _Proposal(NamedTuple):
    """The items a receipt would settle and how much of each, and the fee closing a shortfall."""

    way: _Way
    parts: tuple[tuple[OpenItem, Decimal], ...]
    fee: Decimal
    remaining: Decimal = _ZERO  # what a partial payment leaves open on the last item it reaches

    @property
    def fit(self) -> Fit:
        """The fit a person reads: one item, several, or part of what is open."""
        if self.way is _Way.PARTIAL:
            return Fit.PARTIAL
        return Fit.COMBINED if self.way is _Way.OLDEST and len(self.parts) > 1 else Fit.SAME_AMOUNT

    def params(self, days: int) -> dict[str, str]:
        """The values the explaining sentence names (`days`: the date window)."""
        items = [item for item, _ in self.parts]
        params = {"bills": _numbers(items), "bill": items[-1].number}
        if self.way is _Way.NEAREST:
            params.update(due=items[0].due_date.isoformat(), days=str(days))
        if self.way is _Way.PARTIAL:
            params["remaining"] = str(self.remaining)
        return params | ({"fee": str(self.fee)} if self.fee else {})


def _fit_pool(receipt: Receipt, pool: _Pool, run: _Run) -> _Proposal | None:
    """Exact fits, then fits short by a bank fee, then a partial payment; None when more than all is open."""
    amount, booked, window = receipt.amount, receipt.booked_on, run.window
    single = pool.nearest(amount, amount, booked, window)
    if single is not None:
        return _whole([run.ledger.items[single]], receipt, run, _Way.NEAREST)
    oldest, covered = pool.covering(amount, run.ledger.open)
    if covered == amount:
        return _whole(oldest, receipt, run, _Way.OLDEST)
    limit = run.fee_limit(amount)
    single = pool.nearest(amount, amount + limit, booked, window)
    if single is not None:
        return _whole([run.ledger.items[single]], receipt, run, _Way.NEAREST)
    if amount < covered <= amount + limit:
        return _whole(oldest, receipt, run, _Way.OLDEST)
    return _partial(oldest, receipt, run) if covered > amount else None


def _fit_bills(receipt: Receipt, bills: Sequence[OpenItem], run: _Run) -> _Proposal | None:
    """The named bills exactly, or one with its lease's older open bills; else partly, oldest first."""
    amount, open_amounts = receipt.amount, run.ledger.open
    beyond = amount - sum((open_amounts[bill.id] for bill in bills), _ZERO)
    limit = run.fee_limit(amount)
    if -limit <= beyond <= 0:
        return _whole(bills, receipt, run, _Way.NAMED)
    if beyond < 0:
        return _partial(bills, receipt, run)
    if len(bills) > 1 or bills[0].lease_id is None:
        return None
    pool = run.ledger.leases[bills[0].lease_id, bills[0].currency]
    older, covered = pool.covering(beyond, open_amounts, before=_age(bills[0]))
    if older and beyond <= covered <= beyond + limit:
        return _whole([*older, *bills], receipt, run, _Way.OLDEST)
    return None


def _whole(items: Sequence[OpenItem], receipt: Receipt, run: _Run, way: _Way) -> _Proposal:
    """Settle `items` in full; what the receipt lacks for that is the bank fee."""
    open_amounts = run.ledger.open
    parts = tuple([(item, open_amounts[item.id]) for item in items])
    return _Proposal(way, parts, sum([amount for _, amount in parts], _ZERO) - receipt.amount)


def _partial(items: Iterable[OpenItem], receipt: Receipt, run: _Run) -> _Proposal:
    """Spread the amount over `items` oldest first; the last one it reaches stays partly open."""
    parts: list[tuple[OpenItem, Decimal]] = []
    rest = receipt.amount
    for item in items:
        if rest <= 0:
            break
        parts.append((item, min(rest, run.ledger.open[item.id])))
        rest -= parts[-1][1]
    last, paid = parts[-1]
    return _Proposal(_Way.PARTIAL, tuple(parts), _ZERO, run.ledger.open[last.id] - paid)


def _numbers(items: Iterable[OpenItem]) -> str:
    return ", ".join(item.number for item in items)


def _age(item: OpenItem) -> tuple[date, int]:
    return item.due_date, item.id


class _Run:
    """Everything one reconciliation run decides with."""

    __slots__ = ("index", "ledger", "settings", "window")

    def __init__(self, ledger: _Ledger, index: _Index, settings: Settings) -> None:
        self.ledger, self.index, self.settings = ledger, index, settings
        self.window = timedelta(days=settings.date_window_days)

    def fee_limit(self, amount: Decimal) -> Decimal:
        """The largest shortfall on a payment of `amount` that may be booked as a bank fee."""
        return min(self.settings.fee_tolerance, amount * self.settings.fee_share)


class _Payer(NamedTuple):
    """Who the payer's registered account, legal name and payer alias say sent the money."""

    name: PayerName | None
    by_account: frozenset[int]
    by_name: frozenset[int]
    by_alias: frozenset[int]
    anyone: frozenset[int]  # every customer any of those names


class _Clues(NamedTuple):
    """What a receipt says about who paid and what for, read before any money moves."""

    bills: tuple[OpenItem, ...]  # named in the memo, oldest first
    leases: tuple[int, ...]  # named in the memo
    virtual_lease: int | None  # the lease whose virtual account was paid into
    owners: frozenset[int]  # the customers those bills and leases belong to
    payer: _Payer

    @property
    def target_leases(self) -> tuple[int, ...]:
        """The leases the money is for: those the memo names, else the one paid into."""
        return self.leases or ((self.virtual_lease,) if self.virtual_lease is not None else ())


_NOBODY: frozenset[int] = frozenset()
_BILL, _LEASE = "bill", "lease"


class _Index:
    """Lookups built once per run: bill and lease numbers, accounts and names."""

    def __init__(self, directory: Directory, ledger: _Ledger) -> None:
        self.ledger, self.names = ledger, directory.names
        self.references: ReferenceBook[tuple[str, int]] = ReferenceBook()
        self.lease_numbers: dict[int, str] = {}
        self.lease_owners = dict(directory.lease_customers)
        for item in ledger.items.values():
            self.references.add(item.number, (_BILL, item.id))
            if item.lease_id is not None:
                self.lease_owners[item.lease_id] = item.customer_id
                if item.lease_number and item.lease_id not in self.lease_numbers:
                    self.lease_numbers[item.lease_id] = item.lease_number
                    self.references.add(item.lease_number, (_LEASE, item.lease_id))
        self.accounts = customers_by_key(
            (account_key(number), owner) for number, owner in directory.accounts.items()
        )
        self.virtual = {account_key(number): lease for number, lease in directory.virtual_accounts.items()}
        self.book = NameBook(directory.names, directory.payer_aliases)
        self._payers: dict[tuple[str, str], _Payer] = {}
        self._names: dict[str, PayerName | None] = {}

    def clues(self, receipt: Receipt) -> _Clues:
        """Read the memo, the account paid into, and the payer against what we know."""
        payer = self._payer(receipt.counterparty_name or "", receipt.counterparty_account or "")
        found = self.references.find(receipt.memo) if receipt.memo else []
        virtual = self.virtual.get(account_key(receipt.virtual_account)) if receipt.virtual_account else None
        virtual = virtual if virtual in self.lease_owners else None
        if not found and virtual is None:
            return _Clues((), (), None, _NOBODY, payer)
        bills = tuple(sorted([self.ledger.items[ident] for kind, ident in found if kind == _BILL], key=_age))
        leases = tuple(sorted([ident for kind, ident in found if kind == _LEASE]))
        # A virtual account of another customer's lease contradicts the memo: that makes two owners.
        owners = {bill.customer_id for bill in bills} | {self.lease_owners[lease] for lease in leases}
        owners.update(self.lease_owners[lease] for lease in ([virtual] if virtual is not None else []))
        return _Clues(bills, leases, virtual, frozenset(owners), payer)

    def name_of(self, customer: int) -> str:
        """The customer's legal name, for people to read."""
        return self.names.get(customer, f"#{customer}")

    def names_of(self, customers: Iterable[int]) -> str:
        """Several customers' names, in a stable order."""
        return ", ".join(self.name_of(customer) for customer in sorted(customers))

    def leases_label(self, leases: Iterable[int]) -> str:
        """Leases by number, or by id where no open item tells the number."""
        return ", ".join(self.lease_numbers.get(lease, f"#{lease}") for lease in leases)

    def _payer(self, name: str, account: str) -> _Payer:
        # A payer sends many lines under one name and account: each pair is looked up once a run.
        if (name, account) not in self._payers:
            if name not in self._names:
                normalised = payer_name(name) if name else None
                self._names[name] = normalised if normalised and normalised.key else None
            known = self._names[name]
            by_account = self.accounts.get(account_key(account), _NOBODY) if account else _NOBODY
            by_name = self.book.legal(known) if known else _NOBODY
            by_alias = self.book.aliased(known) if known else _NOBODY
            self._payers[name, account] = _Payer(
                known, by_account, by_name, by_alias, by_account | by_name | by_alias
            )
        return self._payers[name, account]


class _Ledger:
    """What is still open on each item as the run allocates, and the pools indexing it; the inputs stay."""

    def __init__(self, items: Iterable[OpenItem]) -> None:
        live = sorted((item for item in items if item.open_amount > 0), key=attrgetter("due_date", "id"))
        self.items = {item.id: item for item in live}
        self.open = {item.id: item.open_amount for item in live}
        by_customer: dict[Hashable, list[OpenItem]] = defaultdict(list)
        by_lease: dict[Hashable, list[OpenItem]] = defaultdict(list)
        for item in live:
            by_customer[item.customer_id, item.currency].append(item)
            if item.lease_id is not None:
                by_lease[item.lease_id, item.currency].append(item)
        self.customers = {key: _Pool(members, self.open) for key, members in by_customer.items()}
        self.leases = {key: _Pool(members, self.open) for key, members in by_lease.items()}

    def apply(self, allocations: Iterable[Allocation]) -> None:
        """Take what was allocated off the items' open amounts."""
        for allocation in allocations:
            item = self.items[allocation.item_id]
            old = self.open[item.id]
            self.open[item.id] = new = old - allocation.amount
            self.customers[_customer_key(item)].settle(item, old, new)
            if item.lease_id is not None:
                self.leases[_lease_key(item)].settle(item, old, new)


def _customer_key(item: OpenItem) -> Hashable:
    return item.customer_id, item.currency


def _lease_key(item: OpenItem) -> Hashable:
    return item.lease_id, item.currency


_LAST = sys.maxsize  # sorts after any item id


class _Pool:
    """Open items of one customer or one lease in one currency: oldest first, and by open amount."""

    __slots__ = ("_by_age", "_by_amount", "_front", "_open", "total")

    def __init__(self, oldest_first: list[OpenItem], open_amounts: Mapping[int, Decimal]) -> None:
        self._by_age, self._open = oldest_first, open_amounts
        # Sorted by amount when first asked: most leases' pools are only ever read oldest first.
        self._by_amount: list[tuple[Decimal, date, int]] | None = None
        self._front = 0  # the items before it are settled; skipping them keeps oldest-first scans short
        self.total = sum([open_amounts[item.id] for item in oldest_first], _ZERO)

    def settle(self, item: OpenItem, old: Decimal, new: Decimal) -> None:
        """Record that `item`'s open amount went from `old` to `new`."""
        if (entries := self._by_amount) is not None:
            del entries[bisect_left(entries, (old, item.due_date, item.id))]
            if new > 0:
                insort(entries, (new, item.due_date, item.id))
        self.total -= old - new

    def oldest(self, open_amounts: Mapping[int, Decimal]) -> Iterator[OpenItem]:
        """The items still open, oldest first."""
        by_age = self._by_age
        for position in range(self._skip_settled(open_amounts), len(by_age)):
            if open_amounts[by_age[position].id]:
                yield by_age[position]

    def covering(
        self, amount: Decimal, open_amounts: Mapping[int, Decimal], before: tuple[date, int] | None = None
    ) -> tuple[list[OpenItem], Decimal]:
        """The fewest oldest items (older than `before`) whose open balances reach `amount`, and their sum.

        All of them when even all do not reach it.
        """
        run: list[OpenItem] = []
        covered = _ZERO
        by_age = self._by_age
        for position in range(self._skip_settled(open_amounts), len(by_age)):
            item = by_age[position]
            if covered >= amount or (before is not None and (item.due_date, item.id) >= before):
                break
            if open_amount := open_amounts[item.id]:
                run.append(item)
                covered += open_amount
        return run, covered

    def nearest(self, low: Decimal, high: Decimal, booked: date, window: timedelta) -> int | None:
        """Of the items due within `window` of `booked`, the one open for the least amount in [low, high].

        Among those, the one due nearest `booked`, then the older.
        """
        if (entries := self._by_amount) is None:
            entries = self._by_amount = sorted(
                [
                    (self._open[item.id], item.due_date, item.id)
                    for item in self._by_age
                    if self._open[item.id]
                ]
            )
        index = bisect_left(entries, (low,))
        while index < len(entries) and entries[index][0] <= high:
            value = entries[index][0]
            first = bisect_left(entries, (value, booked - window), index)
            last = bisect_right(entries, (value, booked + window, _LAST), first)
            if first < last:
                return min(
                    entries[first:last], key=lambda entry: (abs(entry[1] - booked), entry[1], entry[2])
                )[2]
            index = bisect_right(entries, (value, date.max, _LAST), last)
        return None

    def _skip_settled(self, open_amounts: Mapping[int, Decimal]) -> int:
        by_age = self._by_age
        while self._front < len(by_age) and not open_amounts[by_age[self._front].id]:
            self._front += 1
        return self._front
