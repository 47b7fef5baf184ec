"""Reconciliation: precision and recall of the automatic matches on a labelled set, and the time to reconcile.

    .venv/bin/python -m bench.reconciliation [--labelled 10000] [--sizes 10000,50000,100000] [--no-postgres]

1. **Labelled set**: the demo portfolio's customers (names, registered accounts, payer names of parent
   companies) and leases, each lease billed monthly for two years; 10,000 bank lines paying them as
   tenants do, each labelled with what should happen to it: named bills, registered accounts, name
   variants (有限责任公司, full-width letters, brackets), parent companies through their payer alias, two
   bills at once, partial payments and their rest, bank fees, and lines no rule may settle: a third party
   naming someone's bill, a payer known as another customer naming a bill, a branch (分公司) of a customer,
   unrelated receipts. Printed: the precision (must be 100 %) and the recall of the automatic matches, per
   kind of line.
2. **Time**: n open charges of 20,000 customers and n bank lines (n = each of `--sizes`) in a fresh database,
   SQLite and PostgreSQL; the time of one reconciliation run (read, decide, write payments, allocations and
   decisions, commit), beside its ceiling measured in the same run: the rules alone on the same data in
   memory (what the run could reach if the database cost nothing).
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from sqlalchemy import insert

from backend.banking.db.models import BankAccount, BankLine, BankStatement
from backend.banking.domain import matching
from backend.banking.domain.lines import LineState
from backend.banking.services import reconciliation
from backend.core.db import migrate
from backend.core.db.database import Database
from backend.core.domain.audit import Origin
from backend.core.services.context import Actor
from backend.demo.generator import generate
from backend.org.db.models import Customer, CustomerBankAccount, Project, Region
from backend.receivables.db.models import Charge
from backend.receivables.domain.ledger import ChargeKind
from tests.support.postgres import PostgresServer, postgres_unavailable_reason

SYSTEM = Actor.system(Origin.CLI, "bench")
SEED = 20261202
START = date(2026, 1, 5)
SHOULD_MATCH = frozenset(
    {"bill_number", "lease_number", "account", "name_variant", "parent_alias", "combined", "partial", "fee"}
    | {"partial_rest"}
)


# 1. The labelled set ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tenant:
    id: int
    name: str
    accounts: tuple[str, ...]
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class Labelled:
    receipt: matching.Receipt
    kind: str
    customer_id: int | None
    item_ids: frozenset[int]


def portfolio(rng: random.Random) -> tuple[list[Tenant], list[matching.OpenItem]]:
    """The demo customers and a year of monthly bills for each demo lease with a customer."""
    data = generate(1, SEED)
    tenants, ids = [], {}
    for index, customer in enumerate(data.customers(), start=1):
        ids[customer.code] = index
        tenants.append(
            Tenant(
                index,
                customer.name,
                tuple(a.account_number for a in customer.bank_accounts),
                tuple(customer.payer_names),
            )
        )
    items: list[matching.OpenItem] = []
    for lease_index, lease in enumerate(data.leases(), start=1):
        if lease.customer_code is None or not lease.lines:
            continue
        monthly = sum((line.monthly_amount for line in lease.lines), Decimal("0.00"))
        for month in range(24):
            due = date(2025 + month // 12, 1 + month % 12, 5)
            items.append(
                matching.OpenItem(
                    id=len(items) + 1,
                    customer_id=ids[lease.customer_code],
                    lease_id=lease_index,
                    lease_number=lease.number,
                    number=f"{lease.project_code}-{due:%Y%m}-{lease_index:05d}",
                    due_date=due,
                    open_amount=monthly.quantize(Decimal("0.01")),
                    currency="CNY",
                    project_id=1,
                )
            )
    return tenants, items


def labelled_set(count: int, rng: random.Random) -> tuple[list[Labelled], list[matching.OpenItem], Any]:
    tenants, items = portfolio(rng)
    by_customer: dict[int, list[matching.OpenItem]] = {}
    for item in items:
        by_customer.setdefault(item.customer_id, []).append(item)
    payers = [t for t in tenants if t.id in by_customer]
    directory = matching.Directory(
        accounts={a: t.id for t in tenants for a in t.accounts},
        names={t.id: t.name for t in tenants},
        payer_aliases={a: t.id for t in tenants for a in t.aliases},
        lease_customers={i.lease_id: i.customer_id for i in items if i.lease_id is not None},
    )
    kinds = [
        ("bill_number", 20), ("lease_number", 8), ("account", 18), ("name_variant", 10), ("parent_alias", 5),
        ("combined", 7), ("partial", 6), ("fee", 6), ("third_party", 5), ("other_payer", 4), ("branch", 3),
        ("unrelated", 8),
    ]  # fmt: skip
    # Each tenant pays its bills in order (a partial payment's rest follows before the next bill); lines no
    # rule may settle name a bill but settle nothing.
    lines: list[Labelled] = []
    queues = {t.id: sorted(by_customer[t.id], key=lambda i: (i.due_date, i.id)) for t in payers}
    last_booked: dict[int, date] = {}
    finished: set[int] = set()
    while len(lines) < count and len(finished) < len(payers):
        kind = rng.choices([k for k, _ in kinds], [w for _, w in kinds])[0]
        tenant = rng.choice(payers)
        own = queues[tenant.id]
        if tenant.id in finished or len(own) < 2:
            finished.add(tenant.id)
            continue
        if (kind == "parent_alias" and not tenant.aliases) or (
            kind in {"account", "fee"} and not tenant.accounts
        ):
            continue
        own_first = own[0]
        made = _line(len(lines) + 1, kind, tenant, own, payers, by_customer, rng)
        # A tenant's payments reach the bank in the order it pays its bills.
        booked = max(made.receipt.booked_on, last_booked.get(tenant.id, made.receipt.booked_on))
        last_booked[tenant.id] = booked
        made = replace(made, receipt=replace(made.receipt, booked_on=booked))
        lines.append(made)
        del own[: len(made.item_ids)]
        if kind == "partial":
            # The rest follows a few days later, from the same payer.
            rest = replace(
                made.receipt,
                id=len(lines) + 1,
                booked_on=booked + timedelta(days=3),
                amount=own_first.open_amount - made.receipt.amount,
                bank_reference=f"R{len(lines) + 1}",
            )
            last_booked[tenant.id] = rest.booked_on
            lines.append(Labelled(rest, "partial_rest", tenant.id, made.item_ids))
    return lines, items, directory


def _line(  # noqa: PLR0912 - one branch per kind of line
    line_id: int,
    kind: str,
    tenant: Tenant,
    own: list[matching.OpenItem],
    payers: list[Tenant],
    by_customer: dict[int, list[matching.OpenItem]],
    rng: random.Random,
) -> Labelled:
    first, second = own[0], own[1]
    amount, memo, name, account = first.open_amount, "租金", tenant.name, None
    items = frozenset({first.id})
    customer: int | None = tenant.id
    if kind == "bill_number":
        memo = f"房租 {first.number.lower().replace('-', ' ')}"
    elif kind == "lease_number":
        memo = f"租金{first.lease_number}"
        name = _variant(tenant.name, rng)
    elif kind == "account":
        account = rng.choice(tenant.accounts)
        name = "—"
    elif kind == "name_variant":
        name = _variant(tenant.name, rng)
    elif kind == "parent_alias":
        name = rng.choice(tenant.aliases)
    elif kind == "combined":
        amount = first.open_amount + second.open_amount
        items = frozenset({first.id, second.id})
    elif kind == "partial":
        amount = (first.open_amount / 2).quantize(Decimal("1"))
    elif kind == "fee":
        # A fee within the rules' tolerance: at most 50.00 and 0.5 % of the amount.
        share = (first.open_amount * Decimal("0.004")).quantize(Decimal("0.01"))
        amount = first.open_amount - min(Decimal(rng.choice(["5.00", "10.00", "15.00"])), share)
        account = rng.choice(tenant.accounts) if tenant.accounts else None
    else:
        customer, items = None, frozenset()
        if kind == "third_party":
            memo, name = f"代付 {first.number}", "深圳市某某投资咨询有限公司"
        elif kind == "other_payer":
            other = rng.choice([p for p in payers if p.id != tenant.id])
            memo, name = f"房租 {by_customer[other.id][0].number}", tenant.name
            account = rng.choice(tenant.accounts) if tenant.accounts else None
        elif kind == "branch":
            name = f"{tenant.name}北京分公司" if not tenant.name.endswith("分公司") else tenant.name + "二部"
        else:
            memo, name = "货款", f"个体户{rng.randint(1000, 9999)}"
            amount = Decimal(rng.randint(100, 90000))
    receipt = matching.Receipt(
        id=line_id, bank_account_id=1, booked_on=first.due_date + timedelta(days=rng.randint(-3, 2)),
        amount=amount, currency="CNY", counterparty_name=name, counterparty_account=account, memo=memo,
        bank_reference=f"R{line_id}",
    )  # fmt: skip
    return Labelled(receipt, kind, customer, items)


def _variant(name: str, rng: random.Random) -> str:
    """The name as a bank clerk or a payer types it."""
    choice = rng.randrange(3)
    if choice == 0 and name.endswith("有限公司") and not name.endswith("有限责任公司"):
        return name.replace("有限公司", "有限责任公司")
    if choice == 1:
        return name.replace("(", "（").replace(")", "）") + " "
    return "".join(chr(ord(c) + 0xFEE0) if "A" <= c <= "Z" else c for c in name)


def precision_and_recall(count: int) -> None:
    rng = random.Random(SEED)
    lines, items, directory = labelled_set(count, rng)
    started = time.perf_counter()
    decisions = matching.reconcile([line.receipt for line in lines], items, directory, matching.Settings())
    seconds = time.perf_counter() - started
    by_id = {line.receipt.id: line for line in lines}
    matched = correct = exact = 0
    per_kind: dict[str, Counter[str]] = {}
    owner = {item.id: item.customer_id for item in items}
    for decision in decisions:
        line = by_id[decision.receipt_id]
        tally = per_kind.setdefault(line.kind, Counter())
        tally["lines"] += 1
        if decision.outcome is not matching.Outcome.MATCHED:
            continue
        matched += 1
        tally["matched"] += 1
        settled = frozenset(a.item_id for a in decision.allocations)
        # Right: the money settles bills of the customer who paid, and the bill the memo names among them.
        right = decision.customer_id == line.customer_id and all(
            owner[i] == line.customer_id for i in settled
        )
        if right and line.kind == "bill_number":
            right = line.item_ids <= settled
        correct += right
        tally["correct"] += right
        exact += settled == line.item_ids
    expected = sum(1 for line in lines if line.kind in SHOULD_MATCH)
    print(f"labelled set: {len(lines):,} lines against {len(items):,} open bills, rules took {seconds:.2f} s")
    for kind, tally in sorted(per_kind.items()):
        flag = "should match" if kind in SHOULD_MATCH else "must not match"
        print(f"  {kind:<14} {flag:<15} {tally['lines']:>6} lines  {tally['matched']:>6} matched  "
              f"{tally['correct']:>6} correct")  # fmt: skip
    print(
        f"precision: {correct}/{matched} = {100 * correct / max(matched, 1):.2f} % "
        "(the money settles bills of the customer who paid, the bill named in the memo among them)"
    )
    print(f"recall:    {correct}/{expected} = {100 * correct / max(expected, 1):.2f} %")
    print(f"the very bills the payer meant: {exact}/{matched} of the matches (oldest-first may pick others)")


# 2. Time --------------------------------------------------------------------------------------------------


def _company(number: int) -> str:
    return f"上海基准{number:06d}科技有限公司"


def _rows(n: int, customers: int) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    now = datetime.now(UTC)
    yield "regions", [{"id": 1, "code": "EAST", "name": "华东区域", "created_at": now, "updated_at": now}]
    yield (
        "projects",
        [
            {
                "id": 1,
                "region_id": 1,
                "code": "SH-B",
                "name": "基准项目",
                "city": "上海",
                "category": "office",
                "timezone": "Asia/Shanghai",
                "holiday_calendar": "CN",
                "created_at": now,
                "updated_at": now,
            }
        ],
    )
    yield (
        "customers",
        [
            {
                "id": c,
                "region_id": 1,
                "code": f"C{c:06d}",
                "kind": "company",
                "name": _company(c),
                "tier": "standard",
                "created_at": now,
                "updated_at": now,
            }
            for c in range(1, customers + 1)
        ],
    )
    yield (
        "accounts",
        [
            {
                "customer_id": c,
                "bank_name": "招商银行",
                "account_number": f"6214{c:012d}",
                "account_name": "x",
            }
            for c in range(1, customers + 1)
        ],
    )
    yield (
        "charges",
        [
            {
                "id": i,
                "number": f"SH-B-2026{(i % 12) + 1:02d}-{i:07d}",
                "project_id": 1,
                "customer_id": (i % customers) + 1,
                "lease_id": None,
                "kind": ChargeKind.RENT,
                "issued_on": START,
                "due_date": START + timedelta(days=(i // customers) * 30),
                "gross": Decimal(1000 + i % 5000),
                "concessions": Decimal(0),
                "amount": Decimal(1000 + i % 5000),
                "currency": "CNY",
                "created_at": now,
            }
            for i in range(1, n + 1)
        ],
    )
    yield (
        "lines",
        [
            {
                "statement_id": 1,
                "bank_account_id": 1,
                "line_no": i,
                "booked_on": START + timedelta(days=(i // customers) * 30),
                "amount": Decimal(1000 + i % 5000),
                "currency": "CNY",
                "counterparty_name": _company((i % customers) + 1),
                "counterparty_account": f"6214{(i % customers) + 1:012d}" if i % 3 else None,
                "memo": f"SH-B-2026{(i % 12) + 1:02d}-{i:07d}" if i % 2 else "房租",
                "bank_reference": f"R{i}",
                "dedupe_key": f"R{i}",
                "state": LineState.UNMATCHED,
            }
            for i in range(1, n + 1)
        ],
    )


def arrange(database: Database, n: int, customers: int) -> None:
    models = {
        "regions": Region,
        "projects": Project,
        "customers": Customer,
        "accounts": CustomerBankAccount,
        "charges": Charge,
        "lines": BankLine,
    }
    now = datetime.now(UTC)
    with database.unit_of_work(writes=True) as uow:
        session = uow.session
        assert session is not None
        for name, rows in _rows(n, customers):
            if name == "lines":
                session.execute(
                    insert(BankAccount),
                    [
                        {
                            "id": 1,
                            "region_id": 1,
                            "bank_name": "招商银行",
                            "account_number": "1219000109262626",
                            "account_name": "华东资产",
                            "currency": "CNY",
                            "is_active": True,
                            "created_at": now,
                            "updated_at": now,
                        }
                    ],
                )
                session.execute(
                    insert(BankStatement),
                    [
                        {
                            "id": 1,
                            "bank_account_id": 1,
                            "filename": "b.csv",
                            "sha256": "0" * 64,
                            "format": "csv",
                            "line_count": n,
                            "total_credits": 0,
                            "total_debits": 0,
                            "imported_at": now,
                        }
                    ],
                )
            for start in range(0, len(rows), 5000):
                session.execute(insert(models[name]), rows[start : start + 5000])
        session.commit()


def timed(url: str, n: int, customers: int) -> tuple[float, float, int]:
    migrate.upgrade(url)
    database = Database(url)
    arrange(database, n, customers)
    with database.unit_of_work() as uow:
        receipts = [
            matching.Receipt(*line[:9])
            for line in uow.bank_lines.open_receipts(SYSTEM.scope_for(reconciliation.P.BANK_WRITE))
        ]
        items = [
            matching.OpenItem(*row)
            for row in uow.charges.open_items(SYSTEM.scope_for(reconciliation.P.RECEIVABLE_WRITE))
        ]
        directory = reconciliation.directory(uow)
    started = time.perf_counter()
    matching.reconcile(receipts, items, directory, matching.Settings())
    ceiling = time.perf_counter() - started
    started = time.perf_counter()
    with database.unit_of_work(writes=True) as uow:
        report = reconciliation.run(SYSTEM, uow, datetime.now(UTC))
    seconds = time.perf_counter() - started
    database.dispose()
    return seconds, ceiling, report.matched


def timings(sizes: list[int], postgres: bool) -> None:
    customers = 20_000
    backends: list[tuple[str, Any]] = [("sqlite", None)]
    server = None
    if postgres:
        reason = postgres_unavailable_reason()
        if reason:
            print(f"PostgreSQL skipped: {reason}", file=sys.stderr)
        else:
            server = PostgresServer()
            server.start()
            backends.append(("postgresql", server))
    try:
        print(f"\nreconciliation run: n bank lines against n open charges of {customers:,} customers")
        print(f"{'backend':<11} {'n':>8} {'run':>8} {'rules alone':>12} {'matched':>9}  run/(n log n) ×1e6")
        for name, srv in backends:
            for n in sizes:
                with tempfile.TemporaryDirectory() as folder:
                    url = (
                        f"sqlite:///{Path(folder) / 'bench.db'}"
                        if srv is None
                        else srv.create_database(f"bench_rec_{n}")
                    )
                    seconds, ceiling, matched = timed(url, n, customers)
                print(
                    f"{name:<11} {n:>8,} {seconds:>7.2f}s {ceiling:>11.2f}s {matched:>9,}  "
                    f"{seconds / (n * math.log(n)) * 1e6:.3f}"
                )
    finally:
        if server is not None:
            server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labelled", type=int, default=10_000)
    parser.add_argument("--sizes", default="10000,50000,100000")
    parser.add_argument("--no-postgres", action="store_true")
    args = parser.parse_args()
    precision_and_recall(args.labelled)
    timings([int(n) for n in args.sizes.split(",")], not args.no_postgres)


if __name__ == "__main__":
    main()
