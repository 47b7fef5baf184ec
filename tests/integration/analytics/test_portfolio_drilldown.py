"""The rows behind every figure add up to it, and nobody sees rows or totals beyond their scope."""

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from backend.analytics.domain.kpi import Kpi
from backend.analytics.domain.sums import Policy
from backend.analytics.services import portfolio as dashboards
from backend.analytics.services.portfolio import DashboardQuery
from backend.core.domain.errors import Forbidden, ValidationFailed
from tests.conftest import SYSTEM
from tests.integration.analytics.conftest import APRIL_10, Portfolio

D = Decimal
POLICY = Policy()
CENT = D("0.01")


def rows_of(
    run: Callable[..., Any],
    kpi: str,
    query: DashboardQuery,
    key: str | None = None,
    actor: Any = SYSTEM,
    bucket: str | None = None,
) -> list[dict[str, Any]]:
    return run(dashboards.drilldown, kpi, query, key, bucket, actor, today=APRIL_10, policy=POLICY)


def sums(rows: list[dict[str, Any]]) -> tuple[Decimal, Decimal | None]:
    top = sum((r["numerator"] for r in rows), D(0))
    bottoms = [r["denominator"] for r in rows]
    return top, sum((b or D(0) for b in bottoms), D(0))


def test_the_occupancy_tile_opens_the_lettable_assets(run: Callable[..., Any], portfolio: Portfolio) -> None:
    rows = rows_of(run, "occupancy_units", DashboardQuery("2026-03"))
    assert [(r["code"], r["numerator"]) for r in rows] == [
        ("SH-A-A1", D(1)),
        ("SH-A-A2", D(1)),
        ("SH-A-A3", D(0)),
        ("SH-A-A4", D(0)),
        ("CD-B-B1", D(1)),
        ("CD-B-B2", D(0)),
    ]
    assert sums(rows) == (D(3), D(6))
    leased = {r["code"]: r["lease_number"] for r in rows if r["numerator"]}
    assert leased == {
        "SH-A-A1": portfolio.leases["L1"].number,
        "SH-A-A2": portfolio.leases["L2"].number,
        "CD-B-B1": portfolio.leases["L3"].number,
    }


def test_the_vacancy_loss_opens_the_vacant_units_at_their_project_rate(
    run: Callable[..., Any], portfolio: Portfolio
) -> None:
    rows = rows_of(run, "vacancy_loss", DashboardQuery("2026-03"))
    loss = {r["code"]: r["numerator"].quantize(D("0.01")) for r in rows}
    assert loss == {
        "SH-A-A3": D("16000.00"),
        "SH-A-A4": D("8533.33"),
        "CD-B-B2": D("4000.00"),
    }  # 150, 80, 100 m²


def test_the_aging_bar_opens_its_bills(run: Callable[..., Any], portfolio: Portfolio) -> None:
    rows = rows_of(run, "aging", DashboardQuery("2026-03"), bucket="31-60")
    assert [(r["code"], r["numerator"]) for r in rows] == [
        (portfolio.charges["L2-rent-2"].number, D("6000.00"))
    ]
    with pytest.raises(ValidationFailed):
        rows_of(run, "arpu", DashboardQuery("2026-03"), bucket="31-60")


# Region, city and category group projects as "project" does (test_portfolio_kpis checks their totals);
# the customer tier splits a project's rows.
@pytest.mark.parametrize("group_by", ["project", "customer_tier"])
def test_every_tile_and_cell_is_the_sum_of_its_rows(
    run: Callable[..., Any], portfolio: Portfolio, group_by: str
) -> None:
    query = DashboardQuery("2026-03", group_by)
    found = run(dashboards.dashboard, query, SYSTEM, today=APRIL_10, policy=POLICY)
    for kpi in Kpi:
        cells = [(None, found["total"]["kpis"][kpi.value])]
        cells += [(g["key"], g["kpis"][kpi.value]) for g in found["groups"]]
        for key, tile in cells:
            top, bottom = sums(rows_of(run, kpi.value, query, key))
            assert top.quantize(CENT) == tile["numerator"].quantize(CENT), (kpi, key)
            if tile["denominator"] is not None:
                assert bottom.quantize(CENT) == tile["denominator"].quantize(CENT), (kpi, key)


def test_a_regional_manager_sees_and_counts_only_their_region(
    run: Callable[..., Any], make_user: Any, portfolio: Portfolio
) -> None:
    manager = portfolio.actor_of(run, make_user("regional_manager", region_id=portfolio.west.id))
    found = run(
        dashboards.dashboard, DashboardQuery("2026-03", "region"), manager, today=APRIL_10, policy=POLICY
    )
    assert [g["label"] for g in found["groups"]] == ["西南区域"]
    assert found["total"]["kpis"]["occupancy_units"]["denominator"] == D(2)  # B1, B2 only
    assert found["total"]["kpis"]["vacancy_loss"]["value"] == D("4000.00")
    assert {e["month"]: e["count"] for e in found["expiries_by_month"]}["2027-02"] == 1  # L3, not L1
    for kpi in [*Kpi, "aging"]:
        rows = run(
            dashboards.drilldown,
            str(kpi),
            DashboardQuery("2026-03"),
            None,
            None,
            manager,
            today=APRIL_10,
            policy=POLICY,
        )
        assert {r["project_id"] for r in rows} <= {portfolio.chengdu.id}, kpi
    # Asking for the other region by filter finds nothing rather than its figures.
    other = run(
        dashboards.dashboard,
        DashboardQuery("2026-03", "project", {"region_id": portfolio.east.id}),
        manager,
        today=APRIL_10,
        policy=POLICY,
    )
    assert other["groups"] == []
    assert other["total"]["kpis"]["occupancy_units"]["denominator"] == D(0)
    vacancies = run(dashboards.expected_vacancies, {}, manager, today=date(2026, 12, 15))
    assert [p["project_name"] for p in vacancies["projects"]] == ["成都物流园"]


def test_an_inspector_has_no_dashboard(run: Callable[..., Any], make_user: Any, portfolio: Portfolio) -> None:
    inspector = portfolio.actor_of(run, make_user("inspector", project_id=portfolio.lujiazui.id))
    with pytest.raises(Forbidden):
        run(dashboards.dashboard, DashboardQuery("2026-03"), inspector, today=APRIL_10, policy=POLICY)


def test_expected_vacancies_come_from_lease_ends_without_a_renewal(
    run: Callable[..., Any], portfolio: Portfolio
) -> None:
    # On 15 December 2026 L1 (ends 28 February 2027, 75 days on) and L3 (same day) are due to leave.
    found = run(dashboards.expected_vacancies, {}, SYSTEM, today=date(2026, 12, 15))
    by_project = {p["project_name"]: p for p in found["projects"]}
    shanghai = by_project["陆家嘴中心"]
    assert (
        shanghai["within_30"]["units"],
        shanghai["within_60"]["units"],
        shanghai["within_90"]["units"],
    ) == (0, 0, 1)
    assert shanghai["within_90"]["area_m2"] == D("100.00")
    assert [lease["number"] for lease in shanghai["within_90"]["leases"]] == [portfolio.leases["L1"].number]
    assert found["assumptions"]


def test_a_month_not_begun_or_badly_written_is_refused(run: Callable[..., Any], portfolio: Portfolio) -> None:
    for period in ("2026-05", "2026-13", "March"):
        with pytest.raises(ValidationFailed) as refused:
            run(dashboards.dashboard, DashboardQuery(period), SYSTEM, today=APRIL_10, policy=POLICY)
        assert "period" in refused.value.fields
