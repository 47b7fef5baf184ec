"""When each tier of a date fires, and why one does not: the engine and the "why not?" read the same rules."""

from __future__ import annotations

import enum
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from backend.core.domain.errors import N_
from backend.reminders.domain.dates import RENEWAL_KINDS, CriticalDate, DateKind
from backend.reminders.domain.rules import Tier

# A calendar's holidays never run this long; past it the nominal day is kept rather than search forever.
MAX_ROLL_DAYS = 31


@dataclass(frozen=True)
class Planned:
    """One tier of one critical date: the day its rule names and the business day it fires on."""

    critical: CriticalDate
    tier: Tier
    tier_count: int
    nominal_on: date
    fire_on: date
    due_on: date  # when its task is due: the next tier's day, or the date itself for the last tier

    @property
    def rolled(self) -> bool:
        """Whether the day moved back to a business day."""
        return self.fire_on != self.nominal_on

    def is_due(self, today: date) -> bool:
        """Whether it should have fired by today and the date it is about has not passed."""
        return self.fire_on <= today <= self.critical.on

    def missed(self, today: date) -> bool:
        """Whether its day came and the date passed too (a reminder then would be about the past)."""
        return self.critical.on < today


def previous_business_day(day: date, is_working: Callable[[date], bool]) -> date:
    """The day itself when it is a business day, else the last business day before it (a holiday or a
    weekend moves a reminder earlier, never later; make-up working days count as business days)."""
    for back in range(MAX_ROLL_DAYS + 1):
        candidate = day - timedelta(days=back)
        if is_working(candidate):
            return candidate
    return day


def plan(critical: CriticalDate, tiers: Sequence[Tier], is_working: Callable[[date], bool]) -> list[Planned]:
    """Every tier of a date, earliest first, on its rolled business day."""
    days = [previous_business_day(critical.on - timedelta(days=t.days_before), is_working) for t in tiers]
    found = []
    for index, tier in enumerate(tiers):
        due_on = days[index + 1] if index + 1 < len(tiers) else critical.on
        nominal = critical.on - timedelta(days=tier.days_before)
        found.append(Planned(critical, tier, len(tiers), nominal, days[index], max(due_on, days[index])))
    return found


class Reason(enum.StrEnum):
    """Why a tier is not sent (or, for a flagged tag, why it is sent although a tag says otherwise)."""

    NO_RENEWAL_TAG = "no_renewal_tag"
    LEASE_NOT_LIVE = "lease_not_live"
    RENEWED = "renewed"
    NO_RECIPIENT = "no_recipient"
    DATE_PASSED = "date_passed"
    CHANNEL_FAILED = "channel_failed"
    TAG_FLAGGED = "tag_flagged"


REASONS: dict[Reason, str] = {
    Reason.NO_RENEWAL_TAG: N_(
        'Skipped: the lease carries the tag "%(tag)s", set or confirmed by %(by)s, who may do so.'
    ),
    Reason.LEASE_NOT_LIVE: N_("Skipped: the lease is %(status)s, so its dates no longer call for action."),
    Reason.RENEWED: N_("Skipped: the lease was renewed."),
    Reason.NO_RECIPIENT: N_("Nobody to send it to: no active user holds %(roles)s for this lease's project."),
    Reason.DATE_PASSED: N_("Not sent: the date itself (%(date)s) had passed before it could go."),
    Reason.CHANNEL_FAILED: N_("Sent, but %(channel)s to %(recipient)s failed: %(error)s"),
    Reason.TAG_FLAGGED: N_(
        'The tag "%(tag)s" was set by %(source)s without the authority to stop reminders: it waits for '
        "review, and the renewal reminders keep firing until an authorised person confirms it."
    ),
}


@dataclass(frozen=True)
class LeaseState:
    """What about a lease, beyond its dates, decides whether its reminders go."""

    status: str
    live: bool  # signed, active or expiring
    renewed: bool
    silencing_tag: str | None  # an authorised "no renewal" tag, if any
    silenced_by: str | None = None


def blockers(kind: DateKind, state: LeaseState) -> list[Reason]:
    """What stops every tier of a date of this kind, whoever the recipients.

    A deposit is returned after the lease ended, so an ended or terminated lease still has that date.
    """
    if state.renewed and kind is not DateKind.DEPOSIT_RETURN:
        return [Reason.RENEWED]
    if not state.live and not (kind is DateKind.DEPOSIT_RETURN and state.status in ("ended", "terminated")):
        return [Reason.LEASE_NOT_LIVE]
    if kind in RENEWAL_KINDS and state.silencing_tag is not None:
        return [Reason.NO_RENEWAL_TAG]
    return []
