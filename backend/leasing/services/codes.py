"""The editable alias table (free text → canonical codes) and the price index series."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
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
from backend.leasing.services import schedules

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
    """Teach the system another way people write a code; built-in codes and aliases are never overridden."""
    _configure(actor)
    checked = _checked(values)
    domain, alias, canonical = checked["domain"], checked["alias"], checked["canonical"]
    clash = codes.alias_clash(domain, alias, canonical, DOMAINS[domain], uow.code_aliases.mapping(domain))
    if clash is not None:
        refused = Conflict(clash.template, **clash.params)
        refused.fields = {"alias": [clash]}
        raise refused
    if uow.code_aliases.find_alias(domain, alias) is not None:
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
    series: str, values: Sequence[Mapping[str, Any]], actor: Actor, uow: UnitOfWork, now: datetime
) -> list[Any]:
    """Store (or correct) monthly values of a price index series; months are first days of months.

    Every live lease stepping on the series is regenerated at once: a value that arrived extends its
    schedule, a corrected one rewrites its unbilled periods, and billed periods it changes are settled by
    adjustments. All in one transaction.
    """
    _configure(actor)
    errors: dict[str, list[str]] = {}
    for i, item in enumerate(values):
        if item["month"].day != 1:
            errors[f"values.{i}.month"] = [N_("Use the first day of the month.")]
        if not item["value"].is_finite() or item["value"] <= 0:
            errors[f"values.{i}.value"] = [N_("An index value must be a number above zero.")]
    if errors:
        raise ValidationFailed(errors)
    rows = []
    before = uow.price_indexes.series(series)
    for item in values:
        month: date = item["month"]
        value: Decimal = item["value"]
        rows.append(uow.price_indexes.upsert(series, month, value))
    uow.flush()
    corrected = {
        row.month.isoformat(): {"before": str(before[row.month]), "after": str(row.value)}
        for row in rows
        if row.month in before and before[row.month] != row.value
    }
    changed = schedules.reindex(series, actor, uow, now)
    audit.record(
        uow,
        actor,
        AuditAction.UPDATE,
        "price_index",
        series,
        after={
            "values": {row.month.isoformat(): str(row.value) for row in rows},
            "corrected": corrected,
            "leases_regenerated": changed,
        },
    )
    uow.commit()
    return rows
