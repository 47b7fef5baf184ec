"""Each KPI's name and definition in words, as the reports' definitions sheet and docs/kpi-definitions.md
state them (translated where shown)."""

from __future__ import annotations

from backend.analytics.domain.kpi import Kpi
from backend.core.domain.errors import N_

NAMES: dict[Kpi, str] = {
    Kpi.OCCUPANCY_UNITS: N_("Physical occupancy (units)"),
    Kpi.OCCUPANCY_AREA: N_("Physical occupancy (m²)"),
    Kpi.ECONOMIC_OCCUPANCY: N_("Economic occupancy"),
    Kpi.ARPU: N_("Rent per occupied unit (ARPU)"),
    Kpi.RENT_PER_M2: N_("Rent per m²"),
    Kpi.COLLECTION_RATE: N_("Collection rate (30 days)"),
    Kpi.DELINQUENCY_AMOUNT: N_("Delinquency rate (amount)"),
    Kpi.DELINQUENCY_COUNT: N_("Delinquency rate (leases)"),
    Kpi.DSO: N_("Average receivable age (DSO)"),
    Kpi.RENEWAL_RATE: N_("Renewal rate"),
    Kpi.VACANCY_LOSS: N_("Vacancy loss"),
    Kpi.EXPIRIES_30: N_("Expiries within 30 days"),
    Kpi.EXPIRIES_60: N_("Expiries within 60 days"),
    Kpi.EXPIRIES_90: N_("Expiries within 90 days"),
    Kpi.STATUS_FRESHNESS: N_("Status freshness (days)"),
    Kpi.STALE_SHARE: N_("Stale statuses"),
}

DEFINITIONS: dict[Kpi, str] = {
    Kpi.OCCUPANCY_UNITS: N_(
        "Lettable units covered by a signed lease in force on the day measured, over all lettable units. "
        "Lettable: not retired; units in maintenance or renovation count as vacant unless the installation "
        "excludes them."
    ),
    Kpi.OCCUPANCY_AREA: N_("The same over the units' area in m² (space units only)."),
    Kpi.ECONOMIC_OCCUPANCY: N_(
        "Rent billed for the month over that rent plus the vacancy loss: the share of the rent the "
        "portfolio could bring that it does bring."
    ),
    Kpi.ARPU: N_("Rent bills due in the month over the units occupied on the day measured."),
    Kpi.RENT_PER_M2: N_(
        "Rent bills due in the month of leases of space units over the occupied m² on the day measured."
    ),
    Kpi.COLLECTION_RATE: N_(
        "Of the bills due in the month, the share paid or credited within 30 days of the due date "
        "(and by the day measured)."
    ),
    Kpi.DELINQUENCY_AMOUNT: N_(
        "Open amounts past their due date over all open amounts, on the day measured."
    ),
    Kpi.DELINQUENCY_COUNT: N_(
        "Leases in force with an open amount past its due date over all leases in force."
    ),
    Kpi.DSO: N_(
        "Open amounts on the day measured over the bills due in the 90 days up to it, times 90: how many "
        "days of billing are still unpaid."
    ),
    Kpi.RENEWAL_RATE: N_(
        "Of the leases reaching their end in the month (not terminated before), the share renewed by a "
        "signed successor lease."
    ),
    Kpi.VACANCY_LOSS: N_(
        "The rent vacant units did not bring in the month: vacant m² at the project's own rent per m², "
        "vacant equipment at its rent per leased unit."
    ),
    Kpi.EXPIRIES_30: N_("Leases in force ending within 30 days after the day measured."),
    Kpi.EXPIRIES_60: N_("Leases in force ending within 60 days after the day measured."),
    Kpi.EXPIRIES_90: N_("Leases in force ending within 90 days after the day measured."),
    Kpi.STATUS_FRESHNESS: N_(
        "Average days since a lettable unit's status was last confirmed on site (a confirmed field "
        "request or an inspection inside the fence); never confirmed counts from its registration."
    ),
    Kpi.STALE_SHARE: N_(
        "Lettable units not confirmed on site for more than the stated number of days (30), or never."
    ),
}
