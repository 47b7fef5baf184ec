"""Portfolio report test material: a report of November 2026 built by hand, in either language."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

from backend.analytics.domain.kpi import Kpi, KpiValue, figure
from backend.analytics.domain.report import KpiSet, PortfolioReport, RegionSection

GENERATED_AT = datetime(2026, 12, 1, 1, 30, tzinfo=UTC)  # 09:30 in Shanghai
EAST = "华东区域"
LUJIAZUI = "陆家嘴中心"
ZHANGJIANG = "张江科技园"
# Excel refuses []:*?/\ in a sheet's name and more than 31 characters.
ODD_REGION = "South/West: [Coastal]* region? of the bay"
HARBOUR = "Harbour Plaza"

NAMES = {
    Kpi.OCCUPANCY_UNITS: ("Occupancy (units)", "出租率（按单元）"),
    Kpi.OCCUPANCY_AREA: ("Occupancy (area)", "出租率（按面积）"),
    Kpi.ECONOMIC_OCCUPANCY: ("Economic occupancy", "经济出租率"),
    Kpi.ARPU: ("Rent per occupied unit", "单元平均租金"),
    Kpi.RENT_PER_M2: ("Rent per m²", "每平方米租金"),
    Kpi.COLLECTION_RATE: ("Collection rate", "收缴率"),
    Kpi.DELINQUENCY_AMOUNT: ("Overdue share of open amounts", "逾期金额占比"),
    Kpi.DELINQUENCY_COUNT: ("Customers overdue", "逾期客户占比"),
    Kpi.DSO: ("Days sales outstanding", "应收账款周转天数"),
    Kpi.RENEWAL_RATE: ("Renewal rate", "续约率"),
    Kpi.VACANCY_LOSS: ("Vacancy loss", "空置损失"),
    Kpi.EXPIRIES_30: ("Expiring within 30 days", "30 天内到期"),
    Kpi.EXPIRIES_60: ("Expiring within 60 days", "60 天内到期"),
    Kpi.EXPIRIES_90: ("Expiring within 90 days", "90 天内到期"),
    Kpi.STATUS_FRESHNESS: ("Days since on-site confirmation", "距现场确认天数"),
    Kpi.STALE_SHARE: ("Not confirmed for 30 days", "超 30 天未确认占比"),
}


def kpis(scale: int = 1, **overrides: KpiValue) -> KpiSet:
    """Every KPI with plausible sums (multiplied by `scale`), some replaced by `overrides`."""
    sums = {
        Kpi.OCCUPANCY_UNITS: ("17", "20"),
        Kpi.OCCUPANCY_AREA: ("1500.5", "2000"),
        Kpi.ECONOMIC_OCCUPANCY: ("90000.00", "100000.00"),
        Kpi.ARPU: ("90000.00", "17"),
        Kpi.RENT_PER_M2: ("90000.00", "1500.5"),
        Kpi.COLLECTION_RATE: ("81000.00", "90000.00"),
        Kpi.DELINQUENCY_AMOUNT: ("12000.00", "30000.00"),
        Kpi.DELINQUENCY_COUNT: ("3", "15"),
        Kpi.DSO: ("30000.00", "270000.00"),
        Kpi.RENEWAL_RATE: ("2", "3"),
        Kpi.VACANCY_LOSS: ("29988.34", None),
        Kpi.EXPIRIES_30: ("1", None),
        Kpi.EXPIRIES_60: ("2", None),
        Kpi.EXPIRIES_90: ("4", None),
        Kpi.STATUS_FRESHNESS: ("250", "20"),
        Kpi.STALE_SHARE: ("4", "20"),
    }
    found = {
        kpi.value: figure(
            kpi, Decimal(numerator) * scale, None if denominator is None else Decimal(denominator) * scale
        )
        for kpi, (numerator, denominator) in sums.items()
    }
    return {**found, **overrides}


def nothing_to_divide(kpi: Kpi) -> KpiValue:
    """The KPI of a group that has nothing to divide by: no value (a total: zero)."""
    return figure(
        kpi, Decimal(0), None if kpi.value.startswith("expiries") or kpi is Kpi.VACANCY_LOSS else Decimal(0)
    )


def trend(
    occupancy: str = "0.8500", collection: str = "0.9000"
) -> list[tuple[str, Decimal | None, Decimal | None]]:
    """Twelve months to November 2026; in March nothing was billed, so no collection rate."""
    months = ["2025-12", *(f"2026-{month:02d}" for month in range(1, 12))]
    return [
        (month, Decimal(occupancy), None if month == "2026-03" else Decimal(collection)) for month in months
    ]


def east() -> RegionSection:
    """A region of two projects with Chinese names."""
    return RegionSection(
        region_id=1,
        region_name=EAST,
        total=kpis(2),
        projects=[
            (LUJIAZUI, kpis()),
            (ZHANGJIANG, kpis(occupancy_units=figure(Kpi.OCCUPANCY_UNITS, Decimal(9), Decimal(10)))),
        ],
        aging={
            "current": Decimal("18000.00"),
            "1-15": Decimal("6000.00"),
            "31-60": Decimal("4000.50"),
            "90+": Decimal("1999.50"),
        },
        trend=trend(),
    )


def odd() -> RegionSection:
    """A region whose name no sheet may carry as it is, with one project where nothing was billed."""
    empty = {kpi.value: nothing_to_divide(kpi) for kpi in (Kpi.COLLECTION_RATE, Kpi.ARPU, Kpi.DSO)}
    return RegionSection(
        region_id=2,
        region_name=ODD_REGION,
        total=kpis(1, **empty),
        projects=[(HARBOUR, kpis(1, **empty))],
        aging={"current": Decimal("0.00")},
        trend=trend("0.5000"),
    )


def sample_report(locale: str = "en", regions: list[RegionSection] | None = None) -> PortfolioReport:
    """The report of November 2026 over both regions, its KPI names and definitions in the language."""
    chinese = locale == "zh_CN"
    definitions = [
        (kpi.value, NAMES[kpi][1 if chinese else 0], ("定义：" if chinese else "Definition of ") + kpi.value)
        for kpi in Kpi
    ]
    return PortfolioReport(
        period="2026-11",
        start=date(2026, 11, 1),
        end=date(2026, 11, 30),
        as_of=date(2026, 11, 30),
        currency="CNY",
        locale=locale,
        generated_at=GENERATED_AT,
        total=kpis(3),
        regions=[east(), odd()] if regions is None else regions,
        definitions=definitions,
    )


def with_regions(report: PortfolioReport, *regions: RegionSection) -> PortfolioReport:
    """The same report over other regions."""
    return replace(report, regions=list(regions))
