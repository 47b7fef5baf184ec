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


def test_the_running_month_is_read_from_the_workers_refresh_while_it_is_recent(
    run: Callable[..., Any], db: Database, make_user: Any, portfolio: Portfolio
) -> None:
    refreshed_at = datetime(2026, 3, 30, 2, 0, tzinfo=UTC)  # 10:00 on 30 March in Shanghai
    march_30 = date(2026, 3, 30)
    with db.unit_of_work() as uow:
        # Cells: SH-A key account (L1), standard (L2), none (the vacant units); CD-B standard (L3), none.
        assert dashboards.refresh_running_month(uow, march_30, POLICY, refreshed_at) == 5
    query = DashboardQuery("2026-03")

    def collection(at: datetime) -> tuple[Any, Any]:
        found = run(dashboards.dashboard, query, SYSTEM, today=march_30, policy=POLICY, now=at)
        return found["total"]["kpis"]["collection_rate"]["value"], found["computed_at"]

    assert collection(refreshed_at) == (D("0.4400"), refreshed_at)
    bill = portfolio.charges["L3-rent-3"]
    run(
        ledger.record_payment,
        {
            "customer_id": portfolio.leases["L3"].customer_id,
            "project_id": portfolio.chengdu.id,
            "received_on": march_30,
            "amount": bill.amount,
            "allocations": [{"charge_id": bill.id, "amount": bill.amount}],
        },
        SYSTEM,
        now=refreshed_at,
    )
    # Within ten minutes of the refresh the tiles read it, and say when it was summed; after that, and
    # under other stated choices, the rows are summed again.
    five_minutes_on = datetime(2026, 3, 30, 2, 5, tzinfo=UTC)
    assert collection(five_minutes_on) == (D("0.4400"), refreshed_at)
    assert collection(datetime(2026, 3, 30, 2, 11, tzinfo=UTC)) == (D("0.7600"), None)
    other = run(
        dashboards.dashboard,
        query,
        SYSTEM,
        today=march_30,
        policy=Policy(unavailable_as="excluded"),
        now=five_minutes_on,
    )
    assert other["computed_at"] is None
    # A regional manager reads the refresh of their own projects only.
    with db.unit_of_work() as uow:
        dashboards.refresh_running_month(uow, march_30, POLICY, five_minutes_on)
    manager = portfolio.actor_of(run, make_user("regional_manager", region_id=portfolio.west.id))
    west = run(dashboards.dashboard, query, manager, today=march_30, policy=POLICY, now=five_minutes_on)
    assert west["computed_at"] == five_minutes_on
    assert [g["label"] for g in west["groups"]] == ["成都物流园"]
    assert west["total"]["kpis"]["collection_rate"]["value"] == D("1.0000")  # L3's 8,000 of 8,000
