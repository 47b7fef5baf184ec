"""Reminder rules: per date kind, tiers of days before the date, each with its recipients, channels and
whether the recipient must acknowledge it. A contract template may store its own, or keep the defaults."""

from __future__ import annotations

import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from backend.core.domain.access import Role
from backend.core.domain.errors import N_, Message, ValidationFailed
from backend.reminders.domain.dates import REMINDED_KINDS, DateKind

ACCOUNT_MANAGER = "account_manager"  # the lease's own account manager, not a role
RECIPIENTS = (
    ACCOUNT_MANAGER,
    Role.DIRECTOR.value,
    Role.REGIONAL_MANAGER.value,
    Role.PROJECT_MANAGER.value,
    Role.LEASING_AGENT.value,
    Role.FINANCE.value,
    Role.LEGAL.value,
)
# Channels a tier may ask for beyond the in-app inbox, which every reminder reaches.
CHANNELS = ("email", "web_push", "sms", "wecom", "dingtalk", "webhook")
MAX_DAYS_BEFORE = 730
MAX_TIERS = 6


class TaskState(enum.StrEnum):
    """Where a reminder's task stands."""

    OPEN = "open"
    ACKNOWLEDGED = "acknowledged"
    ESCALATED = "escalated"  # the next tier fired while it was still open
    CANCELLED = "cancelled"  # the lease stopped being live, or the date went away


class TaskKind(enum.StrEnum):
    """What a task asks for."""

    REMINDER = "reminder"
    AUTO_RENEWAL = "auto_renewal"  # approve and sign the renewal drafted at the notice date


@dataclass(frozen=True)
class Tier:
    """One step of a rule: `days_before` the date, to these recipients, on these channels."""

    number: int
    days_before: int
    roles: tuple[str, ...]
    channels: tuple[str, ...]
    ack_required: bool


def _tier(number: int, days: int, roles: Sequence[str], channels: Sequence[str], ack: bool) -> Tier:
    return Tier(number, days, tuple(roles), tuple(channels), ack)


AM, DIR, PM, FIN, LEG = ACCOUNT_MANAGER, Role.DIRECTOR.value, Role.PROJECT_MANAGER.value, "finance", "legal"
MAIL, PUSH = "email", "web_push"

DEFAULT_TIERS: dict[DateKind, tuple[Tier, ...]] = {
    # The seed's table: 30 days the account manager starts the renewal talk; 15 days legal and finance check
    # payments and clauses; 7 days the operations director decides whether to look for another tenant.
    DateKind.LEASE_END: (
        _tier(1, 30, [AM], [MAIL, PUSH], True),
        _tier(2, 15, [LEG, FIN], [MAIL], True),
        _tier(3, 7, [DIR], [MAIL, PUSH], True),
    ),
    DateKind.RENEWAL_NOTICE: (
        _tier(1, 30, [AM], [MAIL, PUSH], False),
        _tier(2, 7, [AM, PM], [MAIL, PUSH], True),
    ),
    DateKind.RENT_REVIEW: (_tier(1, 30, [AM, FIN], [MAIL], False),),
    DateKind.DEPOSIT_RETURN: (_tier(1, 7, [FIN], [MAIL], False),),
    DateKind.INSURANCE_EXPIRY: (
        _tier(1, 30, [AM], [MAIL], False),
        _tier(2, 7, [PM], [MAIL, PUSH], True),
    ),
    DateKind.BREAK_OPTION: (
        _tier(1, 60, [AM], [MAIL], False),
        _tier(2, 30, [AM, LEG], [MAIL], True),
    ),
    DateKind.OTHER: (_tier(1, 7, [AM], [MAIL], False),),
}


def numbered(tiers: Sequence[Tier]) -> tuple[Tier, ...]:
    """Tiers ordered from the earliest reminder (most days before) to the last, numbered from 1."""
    ordered = sorted(tiers, key=lambda t: -t.days_before)
    return tuple(
        Tier(index, t.days_before, t.roles, t.channels, t.ack_required) for index, t in enumerate(ordered, 1)
    )


def parse_tiers(raw: Sequence[Mapping[str, Any]]) -> tuple[Tier, ...]:
    """Tiers as entered (days before, roles, channels, acknowledgement), checked field by field and numbered.

    Refused, naming the field: no tier or more than six; days outside 0–730 or twice the same; no recipient
    or one not known; a channel not known.
    """
    errors: dict[str, list[str]] = {}
    if not raw:
        raise ValidationFailed.single("tiers", N_("Give at least one tier."))
    if len(raw) > MAX_TIERS:
        raise ValidationFailed.single("tiers", Message(N_("At most %(count)s tiers."), count=MAX_TIERS))
    tiers = []
    seen: set[int] = set()
    for index, entry in enumerate(raw):
        days = entry.get("days_before")
        roles = tuple(dict.fromkeys(entry.get("roles") or ()))
        channels = tuple(dict.fromkeys(entry.get("channels") or ()))
        if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= MAX_DAYS_BEFORE:
            errors[f"tiers.{index}.days_before"] = [
                Message(N_("Give whole days from 0 to %(max)s."), max=MAX_DAYS_BEFORE)
            ]
        elif days in seen:
            errors[f"tiers.{index}.days_before"] = [
                Message(N_("Another tier already fires %(days)s days before."), days=days)
            ]
        else:
            seen.add(days)
        if not roles:
            errors[f"tiers.{index}.roles"] = [Message(N_("Name at least one recipient."))]
        elif unknown := [r for r in roles if r not in RECIPIENTS]:
            errors[f"tiers.{index}.roles"] = [
                Message(
                    N_("Unknown recipient %(value)s; accepted: %(accepted)s."),
                    value=unknown[0],
                    accepted=", ".join(RECIPIENTS),
                )
            ]
        if unknown_channels := [c for c in channels if c not in CHANNELS]:
            errors[f"tiers.{index}.channels"] = [
                Message(
                    N_("Unknown channel %(value)s; accepted: %(accepted)s."),
                    value=unknown_channels[0],
                    accepted=", ".join(CHANNELS),
                )
            ]
        tiers.append(
            _tier(0, days if isinstance(days, int) else 0, roles, channels, bool(entry.get("ack_required")))
        )
    if errors:
        raise ValidationFailed(errors, N_("Some tiers are not valid."))
    return numbered(tiers)


def reminded(kind: DateKind) -> bool:
    """Whether reminders are sent for a kind of date (a termination notice is a record, not a deadline)."""
    return kind in REMINDED_KINDS
