"""Every portfolio KPI against the fixture's arithmetic, done by hand, on SQLite and PostgreSQL."""

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from backend.analytics.domain.sums import Policy
from backend.analytics.services import portfolio as dashboards
from backend.analytics.services.portfolio import DashboardQuery
from backend.leasing.services import leases
from tests.conftest import SYSTEM
from tests.integration.analytics.conftest import APRIL_10, Portfolio

D = Decimal


def board(run: Callable[..., Any], group_by: str = "project", actor: Any = SYSTEM, **policy: Any) -> Any:
    return run(
        dashboards.dashboard,
        DashboardQuery("2026-03", group_by),
        actor,
        today=APRIL_10,
        policy=Policy(**policy),
    )


def values(kpis: dict[str, Any]) -> dict[str, Any]:
    return {key: kpi["value"] for key, kpi in kpis.items()}


def test_march_kpis_of_the_whole_portfolio_match_the_arithmetic(
    run: Callable[..., Any], portfolio: Portfolio
) -> None:
    found = board(run)
    assert (found["as_of"].isoformat(), found["start"].isoformat()) == ("2026-03-31", "2026-03-01")
    total = found["total"]["kpis"]
    # Lettable on 31 March: A1–A4 and B1–B2 (A4 in maintenance counts as vacant by default) = 6 units,
    # 100 + 50 + 150 + 80 + 200 + 100 = 680 m². Occupied: A1 (L1), A2 (L2 runs to 31 March), B1 (L3).
    assert (total["occupancy_units"]["numerator"], total["occupancy_units"]["denominator"]) == (D(3), D(6))
    assert total["occupancy_units"]["value"] == D("0.5000")
    assert total["occupancy_area"]["value"] == D("0.5147")  # 350 / 680
    # Rent due in March: L1 10,000 + L2 6,000 + L3 8,000 = 24,000 over 3 occupied units; 350 m².
    assert total["arpu"]["value"] == D("8000.00")
    assert total["rent_per_m2"]["value"] == D("68.57")  # 24,000 / 350
    # Vacancy loss at each project's own rent per m²: SH-A 16,000 / 150 m² × (150 + 80) m² = 24,533.33;
    # CD-B 8,000 / 200 m² × 100 m² = 4,000.00.
    assert total["vacancy_loss"]["value"] == D("28533.33")
    assert total["economic_occupancy"]["value"] == D("0.4569")  # 24,000 / (24,000 + 28,533.33)
    # Billed in March 25,000 (with L1's service fee 1,000); collected within 30 days: L1's 11,000 only
    # (L2's payment went to its January rent).
    assert total["collection_rate"]["value"] == D("0.4400")
    # Open on 31 March: L2 February and March 6,000 each, L3 March 8,000 = 20,000, all overdue.
    assert (total["delinquency_amount"]["numerator"], total["delinquency_amount"]["denominator"]) == (
        D("20000.00"),
        D("20000.00"),
    )
    assert total["delinquency_count"]["value"] == D("0.6667")  # L2 and L3 of three leases in force
    # DSO: open 20,000 over the bills due 1 January – 31 March (L1 11,000, L2 18,000, L3 8,000 = 37,000) × 90.
    assert total["dso"]["value"] == D("48.6")
    assert total["renewal_rate"]["value"] == D("0.0000")  # L2 ended in March without renewal: 0 of 1
    assert [total[f"expiries_{n}"]["value"] for n in (30, 60, 90)] == [D(0), D(0), D(0)]
    # Nobody confirmed anything on site: every lettable asset is stale, unconfirmed since 1 June 2025
    # (303 days before 31 March 2026).
    assert total["stale_share"]["value"] == D("1.0000")
    assert total["status_freshness"]["value"] == D("303.0")
    # Aging on 31 March: L2 February (54 days) 6,000 in 31–60; L2 March and L3 March (26 days) in 16–30.
    assert found["total"]["aging"]["buckets"] == {
        "current": D(0),
        "1-15": D(0),
        "16-30": D("14000.00"),
        "31-60": D("6000.00"),
        "61-90": D(0),
        "90+": D(0),
    }


def test_each_project_counts_by_the_same_definitions(run: Callable[..., Any], portfolio: Portfolio) -> None:
    groups = {g["label"]: values(g["kpis"]) for g in board(run)["groups"]}
    assert sorted(groups) == ["成都物流园", "陆家嘴中心"]
    shanghai, chengdu = groups["陆家嘴中心"], groups["成都物流园"]
    assert (shanghai["occupancy_units"], shanghai["occupancy_area"]) == (
        D("0.5000"),
        D("0.3947"),
    )  # 2/4, 150/380
    assert shanghai["collection_rate"] == D("0.6471")  # 11,000 / 17,000
    assert shanghai["dso"] == D("37.2")  # 12,000 / 29,000 × 90
    assert shanghai["delinquency_count"] == D("0.5000")  # L2 of L1, L2
    assert (chengdu["occupancy_area"], chengdu["rent_per_m2"], chengdu["vacancy_loss"]) == (
        D("0.6667"),
        D("40.00"),
        D("4000.00"),
    )
    assert (chengdu["collection_rate"], chengdu["dso"]) == (D("0.0000"), D("90.0"))


def test_excluding_units_under_maintenance_is_a_stated_choice(
    run: Callable[..., Any], portfolio: Portfolio
) -> None:
    found = board(run, unavailable_as="excluded")
    assert found["definitions"]["unavailable_as"] == "excluded"
    # A4 leaves the stock: 3 of 5 units, 350 of 600 m².
    assert values(found["total"]["kpis"])["occupancy_units"] == D("0.6000")
    assert values(found["total"]["kpis"])["occupancy_area"] == D("0.5833")


def test_by_customer_tier_the_key_account_pays_on_time(run: Callable[..., Any], portfolio: Portfolio) -> None:
    groups = {g["key"]: values(g["kpis"]) for g in board(run, "customer_tier")["groups"]}
    assert sorted(groups) == ["key_account", "none", "standard"]
    assert groups["key_account"]["collection_rate"] == D("1.0000")  # L1: 11,000 of 11,000
    assert groups["standard"]["collection_rate"] == D("0.0000")  # L2 6,000 and L3 8,000, unpaid
    assert groups["none"]["occupancy_units"] == D("0.0000")  # the vacant units have no tenant


@pytest.mark.parametrize("group_by", ["region", "city", "project", "category", "customer_tier"])
def test_the_groups_add_up_to_the_total(run: Callable[..., Any], portfolio: Portfolio, group_by: str) -> None:
    found = board(run, group_by)
    for key, total in found["total"]["kpis"].items():
        assert sum((g["kpis"][key]["numerator"] for g in found["groups"]), D(0)) == total["numerator"], key


def test_a_signed_successor_renews_and_leases_ending_soon_are_counted(
    run: Callable[..., Any], portfolio: Portfolio
) -> None:
    l2 = portfolio.leases["L2"]
    successor = run(
        leases.create_lease,
        {
            "template_id": l2.template_id,
            "asset_ids": [portfolio.assets["A2"].id],
            "customer_id": l2.customer_id,
            "starts_on": date(2026, 4, 1),
            "ends_on": date(2027, 3, 31),
            "renewed_from_id": l2.id,
            "charge_lines": [{"charge_type": "rent", "monthly_amount": D("6300.00")}],
        },
        SYSTEM,
    )
    run(leases.sign_lease, successor.id, SYSTEM, now=datetime(2026, 3, 15, tzinfo=UTC))
    march = board(run)["total"]["kpis"]
    assert (march["renewal_rate"]["numerator"], march["renewal_rate"]["value"]) == (
        D(1),
        D("1.0000"),
    )  # L2: 1 of 1

    # Seen on 15 January 2027: L1 and L3 end on 28 February (44 days on), the renewal of L2 on 31 March
    # (75 days on).
    january = run(
        dashboards.dashboard,
        DashboardQuery("2027-01"),
        SYSTEM,
        today=date(2027, 1, 15),
        policy=Policy(),
    )["total"]["kpis"]
    assert [january[f"expiries_{n}"]["value"] for n in (30, 60, 90)] == [D(0), D(2), D(3)]
