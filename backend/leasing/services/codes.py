"""The editable alias table (free text → canonical codes) and the price index series."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from backend.core.domain.access import Permission as P
from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, Conflict, Forbidden, Message, ValidationFailed
from backend.core.domain.listing import ListQuery
from backend.core.services import audit
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.leasing.domain import codes
from backend.leasing.domain import schedule as engine

DOMAINS: dict[str, type[Any]] = {
    "frequency": engine.Frequency,
    "timing": engine.Timing,
    "business_day_rule": engine.BusinessDayRule,
    "charge_type": engine.ChargeType,
}


def _configure(actor: Actor) -> None:
    if not actor.require(P.LEASE_CONFIGURE).everything:
        raise Forbidden(N_("Only head office may change templates, aliases and index series."))


def list_aliases(query: ListQuery, actor: Actor, uow: UnitOfWork) -> tuple[Sequence[Any], int]:
    """The editable aliases (the built-in ones are listed by `builtin_aliases`)."""
    return uow.code_aliases.page(actor.require(P.LEASE_READ), query)


def builtin_aliases(actor: Actor) -> list[dict[str, str]]:
    """Aliases shipped with the product, per code domain."""
    actor.require(P.LEASE_READ)
    return [
        {"domain": domain, "alias": alias, "canonical": canonical}
        for domain, mapping in sorted(codes.DEFAULT_ALIASES.items())
        for alias, canonical in sorted(mapping.items())
    ]


def _checked(values: Mapping[str, Any]) -> dict[str, Any]:
    domain, canonical = values["domain"], values["canonical"]
    accepted = DOMAINS.get(domain)
    if accepted is None:
        raise ValidationFailed.single(
            "domain",
            Message(N_("Unknown code domain; accepted: %(accepted)s."), accepted=", ".join(sorted(DOMAINS))),
        )
    if canonical not in {member.value for member in accepted}:
        raise ValidationFailed.single(
            "canonical",
            Message(
                N_("Not a %(domain)s code; accepted: %(accepted)s."),
                domain=domain,
                accepted=", ".join(member.value for member in accepted),
            ),
        )
    alias = codes.normalise(values["alias"])
    if not alias:
        raise ValidationFailed.single("alias", N_("Must contain a letter or a digit."))
    return {"domain": domain, "alias": alias, "canonical": canonical}


def create_alias(values: Mapping[str, Any], actor: Actor, uow: UnitOfWork) -> Any:
    """Teach the system another way people write a code."""
    _configure(actor)
    checked = _checked(values)
    if uow.code_aliases.find_alias(checked["domain"], checked["alias"]) is not None:
        raise Conflict.on_fields({"alias": [N_("Already in use.")]})
    row = uow.code_aliases.create(**checked)
    uow.flush()
    audit.record(uow, actor, AuditAction.CREATE, "code_alias", row.id, after=row.audit_snapshot())
    uow.commit()
    return row


def delete_alias(alias_id: int, actor: Actor, uow: UnitOfWork) -> None:
    """Remove an alias; text written that way is rejected again from now on."""
    _configure(actor)
    row = uow.code_aliases.get(alias_id, actor.require(P.LEASE_CONFIGURE))
    before = row.audit_snapshot()
    uow.code_aliases.delete(row)
    audit.record(uow, actor, AuditAction.DELETE, "code_alias", alias_id, before=before)
    uow.commit()


def list_index_values(series: str | None, actor: Actor, uow: UnitOfWork) -> list[Any]:
    """Stored monthly index values."""
    actor.require(P.LEASE_READ)
    return uow.price_indexes.list(series)


def set_index_values(
    series: str, values: Sequence[Mapping[str, Any]], actor: Actor, uow: UnitOfWork
) -> list[Any]:
    """Store (or correct) monthly values of a price index series; months are first days of months."""
    _configure(actor)
    errors = {
        f"values.{i}.month": [N_("Use the first day of the month.")]
        for i, item in enumerate(values)
        if item["month"].day != 1
    }
    if errors:
        raise ValidationFailed(errors)
    rows = []
    for item in values:
        month: date = item["month"]
        value: Decimal = item["value"]
        rows.append(uow.price_indexes.upsert(series, month, value))
    uow.flush()
    audit.record(
        uow,
        actor,
        AuditAction.UPDATE,
        "price_index",
        series,
        after={"values": {row.month.isoformat(): str(row.value) for row in rows}},
    )
    uow.commit()
    return rows
