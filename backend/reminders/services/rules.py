"""Reminder rules per contract template: read (stored or default), replaced and reset by head office."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from backend.core.domain.access import Permission as P
from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, Message, NotFound, ValidationFailed
from backend.core.services import audit
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.reminders.domain.dates import REMINDED_KINDS, DateKind
from backend.reminders.domain.rules import DEFAULT_TIERS, Tier, numbered, parse_tiers


@dataclass(frozen=True)
class RuleSet:
    """A template's tiers for one date kind, and whether they are the defaults."""

    template_id: int
    date_kind: DateKind
    tiers: tuple[Tier, ...]
    is_default: bool


def tiers_of(row: Any) -> tuple[Tier, ...]:
    """A stored rule's tiers."""
    return numbered(
        [
            Tier(
                0,
                int(t["days_before"]),
                tuple(t["roles"]),
                tuple(t.get("channels") or ()),
                bool(t["ack_required"]),
            )
            for t in row.tiers
        ]
    )


def _stored(tiers: Sequence[Tier]) -> list[dict[str, Any]]:
    return [
        {
            "days_before": t.days_before,
            "roles": list(t.roles),
            "channels": list(t.channels),
            "ack_required": t.ack_required,
        }
        for t in tiers
    ]


class Book:
    """Every rule the engine may need, read once: a template's own tiers, else the defaults."""

    def __init__(self, rows: Sequence[Any]) -> None:
        self._stored = {(row.template_id, row.date_kind): tiers_of(row) for row in rows}

    def tiers(self, template_id: int, kind: DateKind) -> tuple[Tier, ...]:
        """The tiers a lease of this template gets for a kind of date."""
        return self._stored.get((template_id, kind)) or DEFAULT_TIERS.get(kind, ())

    def horizon_days(self) -> int:
        """The most days before a date any tier fires: dates further off cannot be due."""
        every = [t.days_before for tiers in (*self._stored.values(), *DEFAULT_TIERS.values()) for t in tiers]
        return max(every, default=0)

    def is_default(self, template_id: int, kind: DateKind) -> bool:
        """Whether the template keeps the default tiers for the kind."""
        return (template_id, kind) not in self._stored


def book(uow: UnitOfWork, template_ids: Collection[int] | None = None) -> Book:
    """The rules of the templates (all of them)."""
    return Book(uow.reminders.rules(template_ids))


def list_rules(template_id: int, actor: Actor, uow: UnitOfWork) -> list[RuleSet]:
    """A template's rules for every date kind, stored or default (anyone who works with leases)."""
    template = uow.templates.get(template_id, actor.require(P.LEASE_READ))
    rules = book(uow, [template.id])
    return [
        RuleSet(template.id, k, rules.tiers(template.id, k), rules.is_default(template.id, k))
        for k in REMINDED_KINDS
    ]


def _head_office(actor: Actor) -> Any:
    """The scope of lease:configure, which must reach every project: rules are head office's."""
    scope = actor.require(P.LEASE_CONFIGURE)
    if not scope.everything:
        raise ValidationFailed.single(
            "template_id", Message(N_("Reminder rules are set by head office for every project."))
        )
    return scope


def _kind(raw: str) -> DateKind:
    try:
        kind = DateKind(raw)
    except ValueError:
        kind = None
    if kind is None or kind not in REMINDED_KINDS:
        raise NotFound("Reminder rule")
    return kind


def replace_rule(
    template_id: int,
    kind_name: str,
    raw_tiers: Sequence[Mapping[str, Any]],
    actor: Actor,
    uow: UnitOfWork,
    now: datetime,
) -> RuleSet:
    """Replace a template's tiers for a date kind (head office: lease:configure); audited."""
    scope = _head_office(actor)
    template = uow.templates.get(template_id, scope)
    kind = _kind(kind_name)
    tiers = parse_tiers(raw_tiers)
    row = uow.reminders.rule(template.id, kind)
    before = row.tiers if row is not None else None
    if row is None:
        row = uow.reminders.add_rule(template_id=template.id, date_kind=kind, tiers=_stored(tiers))
    else:
        row.tiers = _stored(tiers)
    row.updated_by_id = actor.user_id
    row.updated_at = now
    uow.flush()
    audit.record(
        uow,
        actor,
        AuditAction.UPDATE if before is not None else AuditAction.CREATE,
        "reminder_rule",
        row.id,
        before={"template_id": template.id, "date_kind": kind.value, "tiers": before} if before else None,
        after={"template_id": template.id, "date_kind": kind.value, "tiers": _stored(tiers)},
    )
    uow.commit()
    return RuleSet(template.id, kind, tiers, False)


def reset_rule(template_id: int, kind_name: str, actor: Actor, uow: UnitOfWork) -> None:
    """Drop a template's own tiers for a kind: the defaults apply again; audited."""
    scope = _head_office(actor)
    template = uow.templates.get(template_id, scope)
    kind = _kind(kind_name)
    row = uow.reminders.rule(template.id, kind)
    if row is None:
        raise NotFound("Reminder rule")
    audit.record(
        uow,
        actor,
        AuditAction.DELETE,
        "reminder_rule",
        row.id,
        before={"template_id": template.id, "date_kind": kind.value, "tiers": row.tiers},
    )
    uow.reminders.delete_rule(row)
    uow.commit()
