"""Twelve months of bills, bank statements and their reconciliation for the demo portfolio.

After the portfolio is seeded, the billing run is replayed twice a month over the last year; the tenants then
pay as tenants do (most on time; some late, in parts, two bills at once, through a parent company, short of a
bank fee; a few never) into one bank account per region. Each month's statement is written as that region's
bank exports it and imported; the morning reconciliation then runs. The current month's statements are left
as files, in every supported format, for a newcomer to import and watch reconcile.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_DOWN, Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from backend.banking.services import accounts, imports, reconciliation
from backend.core.domain.access import Scope
from backend.core.domain.listing import ListQuery
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.demo.statement_files import (
    BankTransaction,
    StatementAccount,
    closing_balance,
    write_bank_csv,
    write_bank_xlsx,
    write_camt053,
    write_mt940,
)
from backend.receivables.services import billing

UnitOfWorkFactory = Callable[[], AbstractContextManager[UnitOfWork]]
Progress = Callable[[str, int, int], None]
ZONE = ZoneInfo("Asia/Shanghai")
BANKS = (
    ("ICBC", "中国工商银行{city}分行营业部", "1001"),
    ("CCB", "中国建设银行{city}分行", "3105"),
    ("BOC", "中国银行{city}分行", "4563"),
    ("ABC", "中国农业银行{city}分行", "0338"),
    ("CMB", "招商银行{city}分行", "1219"),
    ("BoCom", "交通银行{city}分行", "3100"),
)
OPENING_BALANCE = Decimal("1250000.00")
# How tenants pay, by share of customers.
BEHAVIOURS = (
    ("on_time", 62),
    ("late", 12),
    ("partial", 7),
    ("combined", 6),
    ("parent", 5),
    ("fee", 4),
    ("never", 4),
)
CENT = Decimal("0.01")


@dataclass
class ReceivablesSummary:
    """What the demo ledger holds."""

    bank_accounts: int = 0
    charges: int = 0
    billed: Decimal = Decimal("0.00")
    bank_lines: int = 0
    statements: int = 0
    matched: int = 0
    differences: int = 0
    files: list[Path] = field(default_factory=list)

    def describe(self) -> str:
        """One paragraph for the terminal."""
        return (
            f"Receivables: {self.charges} bills ({self.billed:,.2f} CNY), {self.bank_accounts} bank "
            f"accounts, {self.statements} statements with {self.bank_lines} lines imported; the "
            f"reconciliation matched {self.matched}, {self.differences} wait on the difference list. "
            "This month's statements to import: " + ", ".join(path.name for path in self.files)
        )


@dataclass(frozen=True)
class _Account:
    id: int
    region_id: int
    number: str
    name: str
    profile: str


@dataclass(frozen=True)
class _Bill:
    id: int
    customer_id: int
    lease_number: str | None
    number: str
    due_date: date
    amount: Decimal
    region_id: int


def seed_receivables(
    unit_of_work: UnitOfWorkFactory,
    actor: Actor,
    today: date,
    out_dir: Path,
    seed: int,
    progress: Progress | None = None,
) -> ReceivablesSummary:
    """Bill the last twelve months, pay, import statements, reconcile; this month's files go to `out_dir`."""
    report = progress or (lambda _stage, _done, _total: None)
    summary = ReceivablesSummary()
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    bank_accounts = _open_accounts(unit_of_work, actor)
    summary.bank_accounts = len(bank_accounts)
    start = (today - relativedelta(months=12)).replace(day=1)
    _bill(unit_of_work, actor, start, today, report)
    bills, directory = _bills(unit_of_work, bank_accounts)
    summary.charges = len(bills)
    summary.billed = sum((bill.amount for bill in bills), Decimal("0.00"))
    transactions = _payments(bills, directory, rng, today)
    by_account: dict[int, list[BankTransaction]] = defaultdict(list)
    for region_id, transaction in transactions:
        by_account[bank_accounts[region_id].id].append(transaction)
    for account in bank_accounts.values():
        by_account[account.id].extend(_bank_noise(account, start, today, rng))
    this_month = today.replace(day=1)
    months = [
        start + relativedelta(months=n) for n in range(13) if start + relativedelta(months=n) <= this_month
    ]
    done = 0
    for account in bank_accounts.values():
        opening = OPENING_BALANCE
        ledger = sorted(by_account[account.id], key=lambda tx: (tx.booked_on, tx.reference or ""))
        for month in months:
            lines = [tx for tx in ledger if month <= tx.booked_on < month + relativedelta(months=1)]
            lines += _sweep(account, lines, month, today, rng)
            # A month's statement covers the whole month; this month's, the days up to yesterday.
            last = month + relativedelta(months=1) - timedelta(days=1)
            if month == this_month:
                last = max([today - timedelta(days=1), *(tx.booked_on for tx in lines)])
            statement_account = StatementAccount(
                number=account.number, name=account.name, opening_balance=opening, period=(month, last)
            )
            if month == this_month:
                summary.files += _leave_files(out_dir, account, statement_account, lines, month)
            else:
                data = write_bank_csv(account.profile, statement_account, lines)
                with unit_of_work() as uow:
                    imports.import_statement(
                        account.id,
                        data,
                        f"{account.profile}-{month:%Y%m}.csv",
                        None,
                        True,
                        actor,
                        uow,
                        datetime.combine(month + relativedelta(months=1), time(1), tzinfo=UTC),
                    )
                summary.statements += 1
                summary.bank_lines += len(lines)
            opening = closing_balance(statement_account, lines)
            done += 1
            report("statements", done, len(months) * len(bank_accounts))
    with unit_of_work() as uow:
        run = reconciliation.run(actor, uow, datetime.combine(today, time(7), tzinfo=ZONE))
    summary.matched, summary.differences = run.matched, run.suggested + run.unmatched
    return summary


def _open_accounts(unit_of_work: UnitOfWorkFactory, actor: Actor) -> dict[int, _Account]:
    """One collection account per region, each at another bank (so every profile is in use)."""
    with unit_of_work() as uow:
        regions = sorted((r.id, r.name) for r in uow.regions.page(Scope(everything=True), _everything())[0])
        city = {p.region_id: p.city for p in uow.projects.page(Scope(everything=True), _everything())[0]}
    found = {}
    for index, (region_id, region_name) in enumerate(regions):
        profile, bank_name, prefix = BANKS[index % len(BANKS)]
        number = f"{prefix}{region_id:04d}{index:02d}09{'26' * 3}"
        name = f"{region_name.removesuffix('区域')}资产管理有限公司"
        with unit_of_work() as uow:
            account = accounts.create_account(
                {
                    "region_id": region_id,
                    "bank_name": bank_name.format(city=city.get(region_id, "")),
                    "account_number": number,
                    "account_name": name,
                    "currency": "CNY",
                    "profile_code": profile,
                },
                actor,
                uow,
            )
            found[region_id] = _Account(account.id, region_id, number, name, profile)
    return found


def _bill(unit_of_work: UnitOfWorkFactory, actor: Actor, start: date, today: date, report: Progress) -> None:
    """Replay the billing run on the 1st and the 16th of each month, as the nightly job would have billed."""
    days = []
    day = start
    while day <= today:
        days.append(day)
        days.append(day.replace(day=16))
        day += relativedelta(months=1)
    days = [d for d in days if d <= today] + [today]
    with unit_of_work() as uow:
        project_ids = sorted(uow.projects.time_zones())
    for index, day in enumerate(days, start=1):
        for project_id in project_ids:
            with unit_of_work() as uow:
                billing.run_billing(project_id, actor, uow, datetime.combine(day, time(1), tzinfo=ZONE))
        report("billing", index, len(days))


def _bills(unit_of_work: UnitOfWorkFactory, bank_accounts: dict[int, _Account]) -> tuple[list[_Bill], Any]:
    with unit_of_work() as uow:
        regions = {p.id: p.region_id for p in uow.projects.page(Scope(everything=True), _everything())[0]}
        items = uow.charges.open_items(Scope(everything=True))
        directory = uow.customers.payer_directory()
    bills = [
        _Bill(row[0], row[1], row[3], row[4], row[5], row[6], regions[row[8]])
        for row in items
        if regions[row[8]] in bank_accounts
    ]
    return bills, directory


def _payments(
    bills: Sequence[_Bill], directory: dict[str, list[tuple[Any, Any]]], rng: random.Random, today: date
) -> list[tuple[int, BankTransaction]]:
    """The tenants' payments: (region, transaction), by each customer's habit."""
    names = dict(directory["names"])
    own_accounts: dict[int, list[str]] = defaultdict(list)
    for number, customer_id in directory["accounts"]:
        own_accounts[customer_id].append(number)
    aliases: dict[int, list[str]] = defaultdict(list)
    for name, customer_id in directory["aliases"]:
        aliases[customer_id].append(name)
    by_customer: dict[int, list[_Bill]] = defaultdict(list)
    for bill in sorted(bills, key=lambda b: (b.due_date, b.id)):
        by_customer[bill.customer_id].append(bill)
    habits = [name for name, _ in BEHAVIOURS]
    weights = [weight for _, weight in BEHAVIOURS]
    paid: list[tuple[int, BankTransaction]] = []
    for customer_id in sorted(by_customer):
        habit = rng.choices(habits, weights)[0]
        if habit == "parent" and not aliases[customer_id]:
            habit = "on_time"
        payer = _Payer(names[customer_id], own_accounts[customer_id], aliases[customer_id], habit)
        for bill, transaction in _pay(by_customer[customer_id], payer, rng, today):
            paid.append((bill.region_id, transaction))
    return paid


@dataclass(frozen=True)
class _Payer:
    name: str
    accounts: list[str]
    aliases: list[str]
    habit: str


def _pay(
    bills: list[_Bill], payer: _Payer, rng: random.Random, today: date
) -> Iterator[tuple[_Bill, BankTransaction]]:
    if payer.habit == "never":
        return
    pending = [bill for bill in bills if bill.due_date <= today + timedelta(days=5)]
    index = 0
    while index < len(pending):
        bill = pending[index]
        index += 1
        if payer.habit == "combined" and index < len(pending) and rng.random() < 0.6:
            later = pending[index]
            index += 1
            yield from _transfer(
                later, bill.amount + later.amount, later.due_date, payer, rng, today, both=bill
            )
            continue
        if payer.habit == "partial" and rng.random() < 0.5:
            first = (bill.amount * Decimal("0.6")).quantize(
                Decimal("100"), rounding=ROUND_DOWN
            ) or bill.amount
            yield from _transfer(
                bill, first, bill.due_date + timedelta(days=rng.randint(0, 4)), payer, rng, today
            )
            if first < bill.amount:
                later_day = bill.due_date + timedelta(days=rng.randint(20, 35))
                yield from _transfer(bill, bill.amount - first, later_day, payer, rng, today)
            continue
        delay = rng.randint(16, 75) if payer.habit == "late" else rng.randint(-3, 2)
        amount = bill.amount
        if payer.habit == "fee":
            amount -= min(
                Decimal(rng.randint(5, 25)), (bill.amount * Decimal("0.004")).quantize(CENT)
            ).quantize(CENT)
        yield from _transfer(bill, amount, bill.due_date + timedelta(days=delay), payer, rng, today)


def _transfer(
    bill: _Bill,
    amount: Decimal,
    day: date,
    payer: _Payer,
    rng: random.Random,
    today: date,
    both: _Bill | None = None,
) -> Iterator[tuple[_Bill, BankTransaction]]:
    if day > today or amount <= 0:
        return
    name = payer.name
    account = rng.choice(payer.accounts) if payer.accounts else None
    if payer.habit == "parent":
        name, account = rng.choice(payer.aliases), None
    elif account is None and rng.random() < 0.3:
        name = name.replace("有限公司", "有限责任公司")
    memo = _memo(bill, both, rng, day)
    moment = datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59), rng.randint(0, 59)))
    yield (
        bill,
        BankTransaction(
            booked_on=day,
            booked_at=moment,
            amount=amount,
            counterparty_name=name,
            counterparty_account=account,
            memo=memo,
            reference=f"{day:%Y%m%d}{rng.randint(10**9, 10**10 - 1)}",
        ),
    )


def _memo(bill: _Bill, both: _Bill | None, rng: random.Random, day: date) -> str:
    choice = rng.random()
    if both is not None:
        return f"{both.number} {bill.number}" if choice < 0.5 else f"{day.month}月 房租物业费"
    if choice < 0.35:
        return bill.number
    if choice < 0.6 and bill.lease_number:
        return f"租金 {bill.lease_number}"
    if choice < 0.8:
        return f"{bill.due_date.month}月租金"
    return "货款"


def _bank_noise(account: _Account, start: date, today: date, rng: random.Random) -> list[BankTransaction]:
    """What else a collection account sees: interest, fees, transfers to the main account, a stray receipt."""
    found = []
    month = start
    while month <= today:
        for day, amount, name, memo in (
            (month.replace(day=21), Decimal(rng.randint(80, 400)) + Decimal("0.37"), None, "结息"),
            (month.replace(day=25), Decimal("-15.00"), None, "账户管理费"),
        ):
            if day <= today:
                found.append(
                    BankTransaction(
                        booked_on=day,
                        amount=amount,
                        counterparty_name=name,
                        memo=memo,
                        reference=f"{day:%Y%m%d}{rng.randint(10**9, 10**10 - 1)}",
                    )
                )
        if rng.random() < 0.5:
            day = month.replace(day=rng.randint(2, 27))
            if day <= today:
                found.append(
                    BankTransaction(
                        booked_on=day,
                        amount=Decimal(rng.randint(50, 900) * 10),
                        counterparty_name="上海某某贸易商行",
                        counterparty_account=f"3101{rng.randint(10**11, 10**12 - 1)}",
                        memo="退款",
                        reference=f"{day:%Y%m%d}{rng.randint(10**9, 10**10 - 1)}",
                    )
                )
        month += relativedelta(months=1)
    return found


def _sweep(
    account: _Account, lines: list[BankTransaction], month: date, today: date, rng: random.Random
) -> list[BankTransaction]:
    """The month's transfer of most of what came in to the company's main account, on the 28th."""
    day = month.replace(day=28)
    received = sum((tx.amount for tx in lines if tx.amount > 0), Decimal("0.00"))
    amount = (received * Decimal("0.9")).quantize(Decimal("1000"), rounding=ROUND_DOWN)
    if day > today or amount <= 0:
        return []
    return [
        BankTransaction(
            booked_on=day,
            booked_at=datetime.combine(day, time(16, 30)),
            amount=-amount,
            counterparty_name=account.name,
            counterparty_account=f"{account.number[:4]}0000{account.number[-8:]}",
            memo="资金归集 划转至基本户",
            reference=f"{day:%Y%m%d}{rng.randint(10**9, 10**10 - 1)}",
        )
    ]


def _leave_files(
    out_dir: Path, account: _Account, statement: StatementAccount, lines: list[BankTransaction], month: date
) -> list[Path]:
    """This month's statement of an account in each format: import any one (they hold the same lines)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = f"{account.profile}-{month:%Y%m}"
    files = {
        f"{stem}.csv": write_bank_csv(account.profile, statement, lines),
        f"{stem}.xlsx": write_bank_xlsx(account.profile, statement, lines),
        f"{stem}.sta": write_mt940(statement, lines),
        f"{stem}.xml": write_camt053(statement, lines),
    }
    written = []
    for name, data in files.items():
        path = out_dir / name
        path.write_bytes(data)
        written.append(path)
    return written


def _everything() -> ListQuery:
    return ListQuery({}, (), 1, 10_000)
