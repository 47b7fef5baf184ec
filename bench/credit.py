"""The credit model's calibration on the demo ledger: every bill predicted from the customer's earlier bills.

    .venv/bin/python -m bench.credit [--scale 1] [--seed 20261122] [--window 12] [--prior-strength 4]

1. **Data**: a fresh SQLite database in a temporary directory, migrated, ×`--scale` demo data as of the
   demo's reference day, then its year of bills, bank statements and reconciliation (`seed_receivables`,
   as `leasekeeper demo` does: tenants pay on time, late, in parts, two bills at once, or never).
2. **Predictions**: every customer's bills with the day each was fully settled, read once
   (`settlement_history`); for each bill due in the ledger year, the probability that it is paid late as
   the model gives it on its due date, from the customer's bills due before it as they stood that day (no
   look-ahead); its outcome is whether it was settled after its due date (or not at all). The ledger year
   runs from the first of the month a year before the reference day to the end of the last month whose
   statements were imported (the current month's are left as files). Bills due before it are left out:
   they are arrears the first billing run issues for leases that began years before, and the demo pays
   only within its year, so they would all look unpaid.
3. **Figures**: calibration by decile of the predicted probability (count, mean predicted, observed late
   rate) and the Brier score, for the model with the default population rate (25 %) and with the observed
   late rate as its prior; beside them the Brier score of the constant predictor that always says the
   observed late rate (knowing it in advance, which no real predictor can): the mark to beat.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from dateutil.relativedelta import relativedelta

from backend.collections.domain.credit import (
    CreditModel,
    Prediction,
    brier_score,
    calibration,
    point_in_time,
)
from backend.collections.services.credit import bills_from
from backend.core.db import migrate
from backend.core.db.database import Database
from backend.core.domain.access import Scope
from backend.core.domain.audit import Origin
from backend.core.services.context import Actor
from backend.demo.generator import DEFAULT_SEED, REFERENCE_DAY
from backend.demo.receivables import seed_receivables
from backend.demo.seed import seed_demo

RESULTS = Path(__file__).resolve().parent / "results" / "credit.json"
SYSTEM = Actor.system(Origin.CLI, "bench")
FIRST_DAY = (REFERENCE_DAY - relativedelta(months=12)).replace(day=1)
LAST_DAY = REFERENCE_DAY.replace(day=1) - timedelta(days=1)


def log(message: str) -> None:
    """Progress on stderr, figures on stdout."""
    print(message, file=sys.stderr, flush=True)


def predictions(database: Database, model: CreditModel) -> tuple[list[Prediction], int]:
    """Every bill due in the ledger year predicted at its due date, and how many customers had bills."""
    with database.unit_of_work() as uow:
        customers = sorted({customer for _lease, customer in uow.leases.customers_of_all()})
        rows = uow.charges.settlement_history(customers, Scope(everything=True), LAST_DAY)
    by_customer: dict[int, list[tuple[Any, ...]]] = {}
    for row in rows:
        if row[4] >= FIRST_DAY:
            by_customer.setdefault(int(row[1]), []).append(row)
    found: list[Prediction] = []
    for customer_rows in by_customer.values():
        found += point_in_time(bills_from(customer_rows), LAST_DAY, model)
    return found, len(by_customer)


def table(title: str, pairs: list[tuple[float, bool]]) -> dict[str, object]:
    """Print the calibration by decile and the Brier score; return them for the results file."""
    bins = calibration(pairs)
    score = brier_score(pairs)
    print(f"\n{title}")
    print(f"{'decile':>11}  {'count':>6}  {'mean predicted':>14}  {'observed late':>13}")
    for row in bins:
        predicted = "—" if row.mean_predicted is None else f"{row.mean_predicted:.3f}"
        observed = "—" if row.observed_rate is None else f"{row.observed_rate:.3f}"
        print(f"{row.lower:4.1f}–{row.upper:3.1f}  {row.count:>6}  {predicted:>14}  {observed:>13}")
    print(f"Brier score {score:.4f}")
    return {
        "brier": score,
        "deciles": [
            {
                "lower": b.lower,
                "count": b.count,
                "mean_predicted": b.mean_predicted,
                "observed": b.observed_rate,
            }
            for b in bins
        ],
    }


def main(argv: list[str] | None = None) -> int:
    """Seed, predict, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--window", type=int, default=CreditModel().window)
    parser.add_argument("--prior-strength", type=float, default=CreditModel().prior_strength)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="lk-bench-credit-") as folder:
        url = f"sqlite:///{Path(folder) / 'credit.sqlite3'}"
        migrate.upgrade(url)
        database = Database(url)
        started = time.perf_counter()
        log(f"seeding ×{args.scale} demo data as of {REFERENCE_DAY} …")
        with database.unit_of_work() as uow:
            seed_demo(args.scale, SYSTEM, uow, seed=args.seed, today=REFERENCE_DAY)
        log("  a year of bills, statements and reconciliation …")
        seed_receivables(database.unit_of_work, SYSTEM, REFERENCE_DAY, Path(folder) / "statements", args.seed)
        log(f"  {time.perf_counter() - started:.0f} s")

        model = CreditModel(window=args.window, prior_strength=args.prior_strength)
        started = time.perf_counter()
        found, customers = predictions(database, model)
        seconds = time.perf_counter() - started
        pairs = [(p.probability_late, p.late) for p in found]
        base_rate = sum(1 for _, late in pairs if late) / len(pairs)
        own_prior = CreditModel(
            population_late_rate=base_rate, window=args.window, prior_strength=args.prior_strength
        )
        tuned, _ = predictions(database, own_prior)
        database.dispose()

    print(
        f"{customers} customers, {len(pairs)} bills due {FIRST_DAY} to {LAST_DAY}, {base_rate:.1%} late; "
        f"read and predicted in {seconds:.2f} s (window {args.window}, prior {args.prior_strength:g} bills)"
    )
    default = table(f"Model, population rate {model.population_late_rate:.0%}", pairs)
    with_base = table(
        f"Model, the observed late rate {base_rate:.1%} as its prior",
        [(p.probability_late, p.late) for p in tuned],
    )
    constant = brier_score([(base_rate, late) for _, late in pairs])
    print(f"\nConstant predictor at the observed late rate {base_rate:.1%}: Brier score {constant:.4f}")
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "settings": vars(args) | {"from": FIRST_DAY.isoformat(), "to": LAST_DAY.isoformat()},
                "customers": customers,
                "bills": len(pairs),
                "base_rate": base_rate,
                "model": default,
                "model_with_observed_prior": with_base,
                "constant_brier": constant,
                "seconds": seconds,
            },
            indent=2,
        ),
        encoding="utf-8",
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
