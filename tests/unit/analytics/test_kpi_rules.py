"""The KPI rules without a database: figures from sums, periods, and rows adding up to every grouping."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.analytics.domain import sums as rules
from backend.analytics.domain.kpi import Kpi, Unit, figure
from backend.analytics.domain.periods import months_ending, shifted, window
from backend.core.domain.errors import ValidationFailed

D = Decimal


def test_a_figure_is_rounded_for_its_unit_and_missing_when_there_is_nothing_to_divide() -> None:
    assert figure(Kpi.OCCUPANCY_AREA, D(350), D(680)).value == D("0.5147")
    assert figure(Kpi.RENT_PER_M2, D(24000), D(350)).value == D("68.57")
    assert figure(Kpi.DSO, D(20000), D(37000)).value == D("48.6")  # 20,000 / 37,000 × 90 = 48.65 → 48.6
    assert figure(Kpi.COLLECTION_RATE, D(0), D(0)).value is None
    total = figure(Kpi.EXPIRIES_30, D(4), None)
    assert (total.value, total.denominator, total.unit) == (D(4), None, Unit.COUNT)
    assert figure(Kpi.VACANCY_LOSS, D("24533.3333"), None).value == D("24533.33")


def test_a_month_is_measured_on_its_last_day_or_today_while_it_runs() -> None:
    march = window("2026-03", date(2026, 4, 10))
    assert (march.start, march.end, march.as_of, march.closed) == (
        date(2026, 3, 1),
        date(2026, 3, 31),
        date(2026, 3, 31),
        True,
    )
    running = window("2026-04", date(2026, 4, 10))
    assert (running.as_of, running.closed) == (date(2026, 4, 10), False)
    assert shifted("2026-03", -12, date(2026, 4, 10)).period == "2025-03"
    assert shifted("2026-01", -1, date(2026, 4, 10)).end == date(2025, 12, 31)
    assert [w.period for w in months_ending("2026-02", 3, date(2026, 4, 10))] == [
        "2025-12",
        "2026-01",
        "2026-02",
    ]


@pytest.mark.parametrize("period", ["2026-00", "2026-13", "26-03", "2026/03", "", "2100-01", "2026-05"])
def test_a_bad_or_future_month_is_refused_on_its_field(period: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        window(period, date(2026, 4, 10))
    assert "period" in refused.value.fields


def test_vacancy_loss_prices_vacant_units_at_their_own_projects_rent() -> None:
    cells = {
        (1, "standard"): {"rent_billed": D(16000), "rent_billed_space": D(16000), "occupied_area": D(150)},
        (1, "none"): {"vacant_area": D(230)},
        (2, "standard"): {"rent_billed": D(9000), "rent_billed_space": D(8000), "occupied_area": D(200),
                          "occupied_equipment_units": D(1)},
        (2, "none"): {"vacant_area": D(100), "vacant_equipment_units": D(2)},
    }  # fmt: skip
    priced = rules.with_vacancy_loss(cells)
    assert priced[(1, "none")][rules.VACANCY_LOSS].quantize(D("0.01")) == D("24533.33")  # 230 × 16,000 / 150
    assert priced[(2, "none")][rules.VACANCY_LOSS] == D(6000)  # 100 × 40 + 2 × 1,000
    assert priced[(1, "standard")][rules.VACANCY_LOSS] == D(0)


ROW = st.fixed_dictionaries(
    {
        "project_id": st.integers(1, 4),
        "tier": st.sampled_from(["key_account", "standard", "none"]),
        "lettable_units": st.just(1),
        "occupied_units": st.integers(0, 1),
        "lettable_area": st.integers(0, 500),
        "billed": st.integers(0, 50_000),
        "collected_30": st.integers(0, 50_000),
        "open": st.integers(0, 50_000),
        "overdue": st.integers(0, 50_000),
        "billed_90": st.integers(0, 150_000),
    }
)


@given(rows=st.lists(ROW, max_size=40), grouping=st.sampled_from(["project", "tier", "region"]))
def test_the_rows_contributions_add_up_to_every_group_and_the_total(
    rows: list[dict[str, int]], grouping: str
) -> None:
    # The database sums the rows per (project, tier); the groups and the total are roll-ups of those cells.
    cells: dict[rules.Cell, rules.Sums] = {}
    for row in rows:
        cell = cells.setdefault((row["project_id"], row["tier"]), {})
        for column, value in row.items():
            if column not in ("project_id", "tier"):
                cell[column] = cell.get(column, D(0)) + D(value)
    region = {1: "east", 2: "east", 3: "west", 4: "west"}
    key = {
        "project": lambda c: str(c[0]),
        "tier": lambda c: c[1],
        "region": lambda c: region[c[0]],
    }[grouping]
    groups = rules.roll_up(cells, key)
    for kpi in (Kpi.OCCUPANCY_UNITS, Kpi.COLLECTION_RATE, Kpi.DELINQUENCY_AMOUNT, Kpi.DSO):
        for name, sums in groups.items():
            mine = [r for r in rows if key((r["project_id"], r["tier"])) == name]
            top = sum((rules.contribution(kpi, r)[0] for r in mine), D(0))
            bottom = sum((rules.contribution(kpi, r)[1] or D(0) for r in mine), D(0))
            value = rules.kpis(sums)[kpi]
            assert (value.numerator, value.denominator) == (top, bottom)
        whole = rules.kpis(rules.total(cells.values()))[kpi]
        assert whole.numerator == sum((rules.contribution(kpi, r)[0] for r in rows), D(0))
