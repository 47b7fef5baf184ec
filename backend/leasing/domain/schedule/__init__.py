"""The rent-schedule engine: pure functions from lease terms to receivable items, escalation, amendments."""

from backend.leasing.domain.schedule.calendars import (
    NO_HOLIDAYS,
    WEEKENDS_ONLY,
    WorkingCalendar,
    holiday_calendar,
    shift,
)
from backend.leasing.domain.schedule.engine import due_date, generate, periods, rebase, summary
from backend.leasing.domain.schedule.escalation import Escalation, EscalationKind, IndexSeries, escalate
from backend.leasing.domain.schedule.periods import MonthGrid
from backend.leasing.domain.schedule.terms import (
    BillingTerms,
    BusinessDayRule,
    ChargeLine,
    ChargeType,
    Concession,
    DueRule,
    Frequency,
    Period,
    PeriodAnchor,
    RoundingMode,
    ScheduleError,
    ScheduleItem,
    ScheduleTotals,
    Timing,
)

__all__ = [
    "NO_HOLIDAYS",
    "WEEKENDS_ONLY",
    "BillingTerms",
    "BusinessDayRule",
    "ChargeLine",
    "ChargeType",
    "Concession",
    "DueRule",
    "Escalation",
    "EscalationKind",
    "Frequency",
    "IndexSeries",
    "MonthGrid",
    "Period",
    "PeriodAnchor",
    "RoundingMode",
    "ScheduleError",
    "ScheduleItem",
    "ScheduleTotals",
    "Timing",
    "WorkingCalendar",
    "due_date",
    "escalate",
    "generate",
    "holiday_calendar",
    "periods",
    "rebase",
    "shift",
    "summary",
]
