"""Leases: contract types, templates' required fields, the lifecycle and the amendment rules."""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from backend.core.domain.errors import N_, Conflict, Message, ValidationFailed


class ContractType(enum.StrEnum):
    """The kinds of contract a template is written for."""

    OFFICE = "office"
    RETAIL = "retail"
    APARTMENT = "apartment"
    WAREHOUSE = "warehouse"
    EQUIPMENT = "equipment"


class LeaseStatus(enum.StrEnum):
    """Where a lease stands in its life."""

    DRAFT = "draft"
    SIGNED = "signed"
    ACTIVE = "active"
    EXPIRING = "expiring"
    RENEWED = "renewed"
    TERMINATED = "terminated"
    ENDED = "ended"


S = LeaseStatus
# Every allowed move of the lifecycle; anything else is refused.
LIFECYCLE: dict[LeaseStatus, frozenset[LeaseStatus]] = {
    S.DRAFT: frozenset({S.SIGNED}),
    S.SIGNED: frozenset({S.ACTIVE, S.TERMINATED}),
    S.ACTIVE: frozenset({S.EXPIRING, S.RENEWED, S.TERMINATED, S.ENDED}),
    S.EXPIRING: frozenset({S.RENEWED, S.TERMINATED, S.ENDED}),
    S.RENEWED: frozenset(),
    S.TERMINATED: frozenset(),
    S.ENDED: frozenset(),
}
# A lease in one of these holds its assets: no other such lease may overlap it on the same asset
# (a renewed lease still runs to its end; its successor starts after it).
BINDING = frozenset({S.SIGNED, S.ACTIVE, S.EXPIRING, S.RENEWED})
# Leases whose schedule is live: regenerated, dry-run checked, amended.
SCHEDULED = BINDING
# A lease becomes `expiring` this many days before its end unless its notice period is longer.
EXPIRING_WINDOW_DAYS = 60


def check_transition(current: LeaseStatus, target: LeaseStatus) -> None:
    """Refuse a lifecycle move the table does not allow, naming what is allowed."""
    if target in LIFECYCLE[current]:
        return
    allowed = ", ".join(sorted(LIFECYCLE[current])) or "-"
    raise Conflict(
        N_("A %(current)s lease cannot become %(target)s; allowed: %(allowed)s."),
        current=current.value,
        target=target.value,
        allowed=allowed,
    )


# Fields a template may require before a lease of its type can be signed.
REQUIRABLE_FIELDS = (
    "customer_id",
    "asset_ids",
    "starts_on",
    "ends_on",
    "charge_lines",
    "deposit_amount",
    "account_manager_id",
    "notice_period_days",
    "frequency",
    "timing",
    "due_day",
    "purpose",
    "tags",
)
ALWAYS_REQUIRED = ("customer_id", "asset_ids", "starts_on", "ends_on", "charge_lines")


def check_required_fields(names: Iterable[str]) -> list[str]:
    """Messages for required-field names a template may not use."""
    unknown = sorted(set(names) - set(REQUIRABLE_FIELDS))
    if not unknown:
        return []
    return [
        Message(
            N_("Unknown field(s) %(unknown)s; accepted: %(accepted)s."),
            unknown=", ".join(unknown),
            accepted=", ".join(REQUIRABLE_FIELDS),
        )
    ]


def missing_fields(required: Iterable[str], values: Mapping[str, Any]) -> list[str]:
    """Every required field that has no value, in a stable order."""
    wanted = list(dict.fromkeys([*ALWAYS_REQUIRED, *required]))
    return [name for name in wanted if values.get(name) in (None, "", [], ())]


def check_signable(required: Iterable[str], values: Mapping[str, Any]) -> None:
    """Refuse signing while any required field is missing, listing them all at once."""
    missing = missing_fields(required, values)
    if missing:
        raise ValidationFailed(
            {name: [N_("Required before the lease can be signed.")] for name in missing},
            message=N_("The lease cannot be signed while required fields are missing."),
        )


def check_term(starts_on: date | None, ends_on: date | None) -> dict[str, list[str]]:
    """Messages for a term that ends before it starts."""
    if starts_on is not None and ends_on is not None and ends_on < starts_on:
        return {"ends_on": [N_("Must not be before the start date.")]}
    return {}


def expiring_from(ends_on: date, notice_period_days: int | None) -> int:
    """Days before the end at which a lease is flagged as expiring."""
    return max(EXPIRING_WINDOW_DAYS, notice_period_days or 0)


def expiry_windows(zones: Iterable[str], now: datetime, days: int) -> list[tuple[str, date, date]]:
    """For each project time zone: the first and last end date of a lease expiring within `days` of its
    project's today (today itself included)."""
    windows = []
    for zone in sorted(set(zones)):
        today = now.astimezone(ZoneInfo(zone)).date()
        windows.append((zone, today, today + timedelta(days=days)))
    return windows


TERM_FIELDS = (
    "starts_on",
    "ends_on",
    "frequency",
    "timing",
    "due_day",
    "due_offset_days",
    "business_day_rule",
    "anchor",
    "prorate",
    "rounding",
)
"""What a lease's schedule is generated from, besides its lines and concessions."""
ESCALATION_FIELDS = (
    "escalation_kind",
    "escalation_every_months",
    "escalation_value",
    "escalation_floor_percent",
    "escalation_cap_percent",
    "escalation_index",
    "escalation_anchor",
)
"""The step-up rule a charge line's first version carries, and where its steps count from."""
LINE_FIELDS = ("series", "version", "charge_type", "monthly_amount", "starts_on", "ends_on", "frequency")
"""A charge line version's own terms (with `ESCALATION_FIELDS`, all schedule generation reads of it)."""


def line_key(series: int, version: int) -> str:
    """The name of a charge line version in schedules: "2" for series 2, then "2.2", "2.3" as it steps up.

    The escalation engine names the versions it opens the same way ("<key>.<n>"), so a schedule
    planned before the versions are stored and one regenerated after them carry the same keys.
    """
    return str(series) if version == 1 else f"{series}.{version}"


def overlaps(a_start: date, a_end: date, b_start: date, b_end: date) -> bool:
    """Whether two inclusive date ranges share at least one day."""
    return a_start <= b_end and b_start <= a_end


@dataclass(frozen=True)
class LeaseSigned:
    """A lease was signed: its schedule exists; hand-over and reminders follow."""

    lease_id: int
    project_id: int
    asset_ids: tuple[int, ...]
    starts_on: date
    ends_on: date

    name = "lease.signed"


@dataclass(frozen=True)
class LeaseEnded:
    """A lease ended, was terminated or renewed: its assets are free after `ended_on`."""

    lease_id: int
    project_id: int
    asset_ids: tuple[int, ...]
    ended_on: date
    status: LeaseStatus

    name = "lease.ended"


# Amendments -----------------------------------------------------------------------------------


class AmendmentKind(enum.StrEnum):
    """What an amendment changes; the first three are major and need a second person."""

    RENT_REDUCTION = "rent_reduction"
    TERM_CHANGE = "term_change"
    WRITE_OFF = "write_off"
    RENT_INCREASE = "rent_increase"
    CONCESSION = "concession"
    DETAILS = "details"


MAJOR_AMENDMENTS = frozenset(
    {AmendmentKind.RENT_REDUCTION, AmendmentKind.TERM_CHANGE, AmendmentKind.WRITE_OFF}
)


class AmendmentStatus(enum.StrEnum):
    """Where an amendment stands."""

    PENDING_APPROVAL = "pending_approval"
    APPLIED = "applied"
    REJECTED = "rejected"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class RentAt:
    """The monthly amount of one charge type in force on a day."""

    charge_type: str
    monthly_amount: Decimal


def classify_amendment(
    *,
    current_end: date,
    new_end: date | None,
    current_rent: Sequence[RentAt],
    new_rent: Sequence[RentAt] | None,
    write_off: Decimal | None,
    adds_concession: bool,
    changes_details: bool,
) -> frozenset[AmendmentKind]:
    """The kinds of change an amendment makes; concessions count as rent reductions.

    `new_rent` lists only the charges the amendment changes; the others run on as they are.
    """
    kinds: set[AmendmentKind] = set()
    if new_end is not None and new_end != current_end:
        kinds.add(AmendmentKind.TERM_CHANGE)
    if new_rent is not None:
        before = {r.charge_type: r.monthly_amount for r in current_rent}
        after = {r.charge_type: r.monthly_amount for r in new_rent}
        for charge_type in after:
            old, new = before.get(charge_type, Decimal(0)), after.get(charge_type, Decimal(0))
            if new < old:
                kinds.add(AmendmentKind.RENT_REDUCTION)
            elif new > old:
                kinds.add(AmendmentKind.RENT_INCREASE)
    if write_off is not None and write_off > 0:
        kinds.add(AmendmentKind.WRITE_OFF)
    if adds_concession:
        kinds.update({AmendmentKind.CONCESSION, AmendmentKind.RENT_REDUCTION})
    if changes_details:
        kinds.add(AmendmentKind.DETAILS)
    return frozenset(kinds)


def needs_approval(kinds: Iterable[AmendmentKind]) -> bool:
    """Whether a second person must approve before the amendment applies."""
    return not MAJOR_AMENDMENTS.isdisjoint(kinds)
