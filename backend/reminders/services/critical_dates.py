"""Critical dates: those a lease's terms imply and those entered by hand, listed in scope; entering and
removing the manual ones (audited); a private calendar feed of them per user."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from backend.core.domain.access import Permission as P
from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, AuthenticationRequired, Message, NotFound, ValidationFailed
from backend.core.services import audit
from backend.core.services.context import Actor
from backend.core.services.crud import for_change
from backend.core.services.unit_of_work import UnitOfWork
from backend.reminders.domain.dates import (
    KIND_NAMES,
    MANUAL_KINDS,
    CriticalDate,
    DateKind,
    LeaseTerms,
    Step,
    derived_dates,
    manual_date,
)
from backend.reminders.services.engine import LIVE

LABEL_LENGTH = 200
MAX_SPAN_DAYS = 3 * 366
FEED_DAYS_BEHIND = 30
FEED_DAYS_AHEAD = 400


@dataclass(frozen=True)
class DatedLease:
    """A critical date with the lease it belongs to."""

    date: CriticalDate
    lease_number: str
    project_id: int
    project_name: str


def _dates_in(
    uow: UnitOfWork, actor_scope: Any, first: date, last: date, lease_id: int | None, kind: DateKind | None
) -> list[DatedLease]:
    rows = uow.reminders.dated_leases(actor_scope, first, LIVE)
    if lease_id is not None:
        rows = [row for row in rows if row.id == lease_id]
    ids = [row.id for row in rows]
    steps: dict[int, list[Step]] = {}
    for lid, anchor, every, until in uow.reminders.escalation_steps(None, ids) if ids else []:
        if anchor is not None:
            steps.setdefault(lid, []).append(Step(anchor, int(every), until))
    manual: dict[int, list[CriticalDate]] = {}
    for entry in uow.reminders.manual_dates(None, ids) if ids else []:
        manual.setdefault(entry.lease_id, []).append(
            manual_date(entry.lease_id, entry.kind, entry.on, entry.label, entry.id)
        )
    found = []
    for row in rows:
        terms = LeaseTerms(
            row.id,
            row.starts_on,
            row.ends_on,
            row.notice_period_days,
            row.deposit_amount,
            tuple(steps.get(row.id, ())),
        )
        for critical in derived_dates(terms) + manual.get(row.id, []):
            if first <= critical.on <= last and (kind is None or critical.kind is kind):
                found.append(DatedLease(critical, row.number, row.project_id, row.project_name))
    return sorted(found, key=lambda d: (d.date.on, d.lease_number, d.date.kind.value))


def list_dates(
    first: date | None,
    last: date | None,
    lease_id: int | None,
    kind: str | None,
    actor: Actor,
    uow: UnitOfWork,
    now: datetime,
) -> list[DatedLease]:
    """Critical dates of live leases in the actor's scope between two days (default: the next 90)."""
    scope = actor.require(P.LEASE_READ)
    first = first or now.date()
    last = last or first + timedelta(days=90)
    if last < first:
        raise ValidationFailed.single("to", N_("The end of the range comes before its start."))
    if (last - first).days > MAX_SPAN_DAYS:
        raise ValidationFailed.single("to", Message(N_("At most %(days)s days at once."), days=MAX_SPAN_DAYS))
    wanted = _date_kind(kind, "date_kind") if kind else None
    if lease_id is not None:
        uow.leases.get(lease_id, scope)
    return _dates_in(uow, scope, first, last, lease_id, wanted)


def _date_kind(raw: str, field: str, manual_only: bool = False) -> DateKind:
    accepted = MANUAL_KINDS if manual_only else tuple(DateKind)
    try:
        kind = DateKind(raw)
    except ValueError:
        kind = None
    if kind is None or kind not in accepted:
        raise ValidationFailed.single(
            field,
            Message(
                N_("Not a date kind; accepted: %(accepted)s."), accepted=", ".join(k.value for k in accepted)
            ),
        )
    return kind


def add_date(values: Mapping[str, Any], actor: Actor, uow: UnitOfWork, now: datetime) -> DatedLease:
    """Enter a date for a lease (insurance expiry, a break option, a termination notice received…)."""
    lease = for_change(uow.leases, values["lease_id"], actor, P.LEASE_READ, P.LEASE_WRITE)
    kind = _date_kind(str(values.get("date_kind") or ""), "date_kind", manual_only=True)
    label = (values.get("label") or "").strip() or None
    if label is not None and len(label) > LABEL_LENGTH:
        raise ValidationFailed.single("label", Message(N_("At most %(max)s characters."), max=LABEL_LENGTH))
    on = values["date"]
    entry = uow.reminders.add_manual_date(
        lease_id=lease.id, kind=kind, on=on, label=label, created_by_id=actor.user_id, created_at=now
    )
    uow.flush()
    audit.record(
        uow,
        actor,
        AuditAction.CREATE,
        "critical_date",
        entry.id,
        after={"lease_id": lease.id, "kind": kind.value, "on": on.isoformat(), "label": label},
        project_id=lease.project_id,
        region_id=lease.project.region_id,
    )
    uow.commit()
    return DatedLease(
        manual_date(lease.id, kind, on, label, entry.id), lease.number, lease.project_id, lease.project.name
    )


def delete_date(entry_id: int, actor: Actor, uow: UnitOfWork) -> None:
    """Remove an entered date (a derived one changes only with the lease's terms)."""
    entry = uow.reminders.manual_date(entry_id)
    if entry is None:
        raise NotFound("Critical date")
    lease = for_change(uow.leases, entry.lease_id, actor, P.LEASE_READ, P.LEASE_WRITE)
    audit.record(
        uow,
        actor,
        AuditAction.DELETE,
        "critical_date",
        entry.id,
        before={
            "lease_id": lease.id,
            "kind": entry.kind.value,
            "on": entry.on.isoformat(),
            "label": entry.label,
        },
        project_id=lease.project_id,
        region_id=lease.project.region_id,
    )
    uow.reminders.delete_manual_date(entry)
    uow.commit()


# --- the calendar feed ---


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _own(actor: Actor) -> int:
    if actor.user_id is None:
        raise AuthenticationRequired(N_("Sign in to manage your calendar feed."))
    return actor.user_id


def feed_state(actor: Actor, uow: UnitOfWork) -> Any | None:
    """The actor's feed, if any (its address was shown once, when made)."""
    return uow.reminders.feed_of(_own(actor))


def new_feed(actor: Actor, uow: UnitOfWork, now: datetime) -> tuple[str, Any]:
    """A fresh private feed token for the actor; the previous one stops working. Audited."""
    user_id = _own(actor)
    actor.require(P.LEASE_READ)
    token = secrets.token_urlsafe(32)
    feed = uow.reminders.replace_feed(user_id, _digest(token), now)
    uow.flush()
    audit.record(uow, actor, AuditAction.CREATE, "calendar_feed", feed.id, after={"user_id": user_id})
    uow.commit()
    return token, feed


def revoke_feed(actor: Actor, uow: UnitOfWork) -> None:
    """Revoke the actor's feed: its address answers 404 from now on."""
    user_id = _own(actor)
    if not uow.reminders.drop_feed(user_id):
        raise NotFound("Calendar feed")
    audit.record(uow, actor, AuditAction.REVOKE, "calendar_feed", user_id, before={"user_id": user_id})
    uow.commit()


def feed_dates(token: str, uow: UnitOfWork, now: datetime, principal_of: Any) -> tuple[Any, list[DatedLease]]:
    """The dates a feed token shows: its owner's scope, from a month ago to a year ahead; 404 for a token
    revoked, replaced or never made, or whose owner was deactivated."""
    feed = uow.reminders.feed_by_digest(_digest(token or ""))
    user = uow.users.active_by_id(feed.user_id) if feed is not None else None
    if feed is None or user is None:
        raise NotFound("Calendar feed")
    principal = principal_of(user)
    scope = principal.scope_for(P.LEASE_READ)
    first = now.date() - timedelta(days=FEED_DAYS_BEHIND)
    return user, _dates_in(uow, scope, first, first + timedelta(days=FEED_DAYS_AHEAD), None, None)


def kind_name(kind: DateKind) -> str:
    """A date kind's name, to translate."""
    return KIND_NAMES[kind]
