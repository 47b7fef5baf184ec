"""Closed months are snapshotted as reported; a later correction is a restatement, not a rewrite."""

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from backend.analytics.domain.sums import Policy
from backend.analytics.services import portfolio as dashboards
from backend.analytics.services import snapshots
from backend.analytics.services.portfolio import DashboardQuery
from backend.core.db.database import Database
from backend.receivables.services import ledger
from tests.conftest import SYSTEM
from tests.integration.analytics.conftest import APRIL_10, Portfolio

D = Decimal
POLICY = Policy()
APRIL_2 = datetime(2026, 4, 1, 19, 30, tzinfo=UTC)  # 03:30 on 2 April in Shanghai


def test_a_late_payment_restates_march_and_april_still_compares_with_march_as_reported(
    run: Callable[..., Any], db: Database, portfolio: Portfolio
) -> None:
    with db.unit_of_work() as uow:
        first = snapshots.write_snapshots(uow, date(2026, 4, 2), POLICY, APRIL_2)
    # March and the eleven months before it; only the projects existing then have rows (both did).
    assert first.first["2026-03"] == 2
    assert first.restated == {}
    with db.unit_of_work() as uow:
        again = snapshots.write_snapshots(uow, date(2026, 4, 3), POLICY, APRIL_2)
    assert (again.first, again.restated) == ({}, {})  # a rerun writes nothing

    # L3's March rent, paid on 30 March, is entered only on 8 April.
    bill = portfolio.charges["L3-rent-3"]
    run(
        ledger.record_payment,
        {
            "customer_id": portfolio.leases["L3"].customer_id,
            "project_id": portfolio.chengdu.id,
            "received_on": date(2026, 3, 30),
            "amount": bill.amount,
            "allocations": [{"charge_id": bill.id, "amount": bill.amount}],
        },
        SYSTEM,
        now=datetime(2026, 4, 8, 2, 0, tzinfo=UTC),
    )
    with db.unit_of_work() as uow:
        restated = snapshots.write_snapshots(uow, date(2026, 4, 9), POLICY, APRIL_2)
    assert restated.restated == {"2026-03": 1}  # Chengdu only

    april = run(dashboards.dashboard, DashboardQuery("2026-04"), SYSTEM, today=APRIL_10, policy=POLICY)
    assert april["previous"]["source"] == "snapshot"
    # As reported: 11,000 of 25,000 collected (0.44); restated with L3's 8,000: 19,000 / 25,000 = 0.76.
    assert april["previous"]["kpis"]["collection_rate"]["value"] == D("0.4400")
    changes = {(r["period"], r["kpi"]): (r["reported"], r["restated"]) for r in april["restatements"]}
    assert changes[("2026-03", "collection_rate")] == (D("0.4400"), D("0.7600"))
    # Open on 31 March falls to L2's 12,000 (still all overdue: the amount rate stays 1.0000); one
    # delinquent lease of three instead of two; DSO 12,000 / 37,000 × 90.
    assert changes[("2026-03", "delinquency_count")] == (D("0.6667"), D("0.3333"))
    assert changes[("2026-03", "dso")] == (D("48.6"), D("29.2"))
    assert {kpi for period, kpi in changes if period == "2026-03"} == {
        "collection_rate",
        "delinquency_count",
        "dso",
    }
    # The live March now shows the corrected figure.
    march = run(dashboards.dashboard, DashboardQuery("2026-03"), SYSTEM, today=APRIL_10, policy=POLICY)
    assert march["total"]["kpis"]["collection_rate"]["value"] == D("0.7600")
