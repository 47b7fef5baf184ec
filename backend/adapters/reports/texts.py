"""What both report renderers write the same way: their labels, the aging buckets, and figures as text."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from babel.support import NullTranslations

from backend.analytics.domain.kpi import UNITS, KpiValue, Unit
from backend.analytics.domain.report import RegionSection
from backend.core.domain.errors import N_
from backend.receivables.domain.aging import AgingBucket

# The catalogue of a language, e.g. `Catalogue.translations` of the notifications.
Translations = Callable[[str], NullTranslations]
Gettext = Callable[[str], str]

# Times are shown in the head office's zone.
HEAD_OFFICE_ZONE = ZoneInfo("Asia/Shanghai")
# A figure without a value (nothing to divide by) or a missing KPI.
MISSING = "—"

TITLE = N_("Portfolio report")
SUMMARY = N_("Summary")
DEFINITIONS = N_("Definitions")
PERIOD = N_("Period")
PERIOD_START = N_("Period start")
PERIOD_END = N_("Period end")
AS_OF = N_("As of")
GENERATED_AT = N_("Generated at")
CURRENCY = N_("Currency")
WHOLE_PORTFOLIO = N_("Whole portfolio")
REGIONS = N_("Regions")
REGION = N_("Region")
PROJECT = N_("Project")
REGION_TOTAL = N_("Region total")
TOTAL = N_("Total")
KPI = N_("KPI")
KPI_KEY = N_("KPI key")
VALUE = N_("Value")
NUMERATOR = N_("Numerator")
DENOMINATOR = N_("Denominator")
NAME = N_("Name")
DEFINITION = N_("Definition")
AGING_BUCKET = N_("Aging bucket")
OPEN_AMOUNT = N_("Open amount")
MONTH = N_("Month")
DAYS = N_("days")
NO_PROJECTS = N_("No projects in this region.")
NO_DATA = N_("No data for this chart.")
TREND_CHART = N_("Occupancy and collection rate, last 12 months")
AGING_CHART = N_("Aging of open amounts at %(as_of)s")
COLLECTION_CHART = N_("Collection rate by project")
PAGE = N_("Page %(page)s")

BUCKET_LABELS = {
    AgingBucket.CURRENT: N_("Not yet due"),
    AgingBucket.DAYS_1_15: N_("1–15 days overdue"),
    AgingBucket.DAYS_16_30: N_("16–30 days overdue"),
    AgingBucket.DAYS_31_60: N_("31–60 days overdue"),
    AgingBucket.DAYS_61_90: N_("61–90 days overdue"),
    AgingBucket.OVER_90: N_("Over 90 days overdue"),
}


def region_name(region: RegionSection, gettext: Gettext) -> str:
    """The region's name, or "Region <id>" for one without a name."""
    return region.region_name or f"{gettext(REGION)} {region.region_id}"


def aging_rows(aging: Mapping[str, Decimal], gettext: Gettext) -> list[tuple[str, Decimal]]:
    """The buckets in order of days past due, each with its label and amount (none left out: zero if absent);
    a bucket this module does not know comes after them under its key."""
    rows = [
        (gettext(label), aging.get(bucket.value, Decimal("0.00"))) for bucket, label in BUCKET_LABELS.items()
    ]
    known = {bucket.value for bucket in AgingBucket}
    return rows + [(key, amount) for key, amount in aging.items() if key not in known]


def shown_at(moment: datetime) -> str:
    """A time as the head office reads it, with its offset (a time without a zone is taken as UTC)."""
    aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
    return aware.astimezone(HEAD_OFFICE_ZONE).isoformat(sep=" ", timespec="minutes")


def number(amount: Decimal | None) -> str:
    """An amount with thousands separators, rounded to the cent: 12,345.67, 17; a total's missing
    denominator reads —."""
    if amount is None:
        return MISSING
    rounded = amount.quantize(Decimal("0.01")) if amount != amount.to_integral_value() else amount
    return f"{rounded:,f}"


def figure(kpi: KpiValue | None) -> str:
    """A KPI's figure as text for its unit (the money's currency and the unit of days are in the heading):
    a ratio as a percentage with two places, money with two places, days with one, counts whole."""
    if kpi is None or kpi.value is None:
        return MISSING
    if kpi.unit == Unit.RATIO:
        return f"{kpi.value * 100:,.2f}%"
    if kpi.unit == Unit.MONEY:
        return f"{kpi.value:,.2f}"
    if kpi.unit == Unit.DAYS:
        return f"{kpi.value:,.1f}"
    return f"{kpi.value:,.0f}"


def unit_of(key: str, kpi_sets: Iterable[Mapping[str, KpiValue]]) -> Unit:
    """A KPI's unit: the one it is defined with, else the one its first value carries (a count if none)."""
    defined = {kpi.value: unit for kpi, unit in UNITS.items()}
    if key in defined:
        return defined[key]
    for kpis in kpi_sets:
        if key in kpis:
            return Unit(kpis[key].unit)
    return Unit.COUNT


def unit_note(unit: Unit, currency: str, gettext: Gettext) -> str:
    """What a heading adds to a KPI's name for its unit: the currency, "days", or nothing."""
    if unit == Unit.MONEY:
        return currency
    if unit == Unit.DAYS:
        return gettext(DAYS)
    return ""
