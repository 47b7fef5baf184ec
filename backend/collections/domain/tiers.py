"""Dunning tiers: how far a customer's oldest overdue bill puts them, and one step at a time towards it."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from backend.core.domain.errors import N_, Message, ValidationFailed


class DunningTier(enum.IntEnum):
    """Where a customer stands: nothing overdue, a friendly reminder, a formal warning, handed to legal."""

    NONE = 0
    FRIENDLY = 1
    FORMAL = 2
    LEGAL = 3

    @property
    def code(self) -> str:
        """The tier's name in the API and the templates."""
        return self.name.lower()

    @classmethod
    def of(cls, code: str) -> DunningTier:
        """The tier a code names."""
        return cls[code.upper()]


# What a tier's message is called (a tier's first message and its follow-ups differ only for tier 1).
TIER_NAMES = {
    DunningTier.NONE: N_("Nothing overdue"),
    DunningTier.FRIENDLY: N_("Friendly reminder"),
    DunningTier.FORMAL: N_("Formal warning"),
    DunningTier.LEGAL: N_("Handed over to legal"),
}


@dataclass(frozen=True)
class Thresholds:
    """The overdue days that start each tier, the day equipment is locked, and how often a tier repeats.

    Defaults from the field: days 1–15 friendly, 16–30 formal, 31 on legal; locks at day 20; a reminder of
    the same tier again after 7 days without payment.
    """

    formal_from: int = 16
    legal_from: int = 31
    lock_from: int = 20
    repeat_days: int = 7
    # Days after its due date before a bill counts as overdue for dunning (bank transfers take a day or two).
    tolerance_days: int = 0

    def __post_init__(self) -> None:
        problems: dict[str, list[str]] = {}
        if not 2 <= self.formal_from < self.legal_from:
            problems["formal_from"] = [
                Message(
                    N_("Must be at least 2 and less than legal_from (%(legal)s)."),
                    legal=self.legal_from,
                )
            ]
        if self.legal_from > 365:
            problems["legal_from"] = [N_("Must be 365 days or fewer.")]
        if not 1 <= self.lock_from <= 365:
            problems["lock_from"] = [N_("Must be between 1 and 365 days.")]
        if not 1 <= self.repeat_days <= 90:
            problems["repeat_days"] = [N_("Must be between 1 and 90 days.")]
        if not 0 <= self.tolerance_days <= 30:
            problems["tolerance_days"] = [N_("Must be between 0 and 30 days.")]
        if problems:
            raise ValidationFailed(problems)


def overdue_days(due_date: date, today: date, thresholds: Thresholds) -> int:
    """Days a bill is overdue on a day for dunning (zero or less: not overdue)."""
    return (today - due_date).days - thresholds.tolerance_days


def tier_for(days: int, thresholds: Thresholds) -> DunningTier:
    """The tier the oldest overdue bill's days call for."""
    if days <= 0:
        return DunningTier.NONE
    if days < thresholds.formal_from:
        return DunningTier.FRIENDLY
    if days < thresholds.legal_from:
        return DunningTier.FORMAL
    return DunningTier.LEGAL


def next_tier(current: DunningTier, wanted: DunningTier) -> DunningTier:
    """The tier after one run: up by one step at most (never skipping one), down at once when paid down."""
    if wanted > current:
        return DunningTier(current + 1)
    return wanted
