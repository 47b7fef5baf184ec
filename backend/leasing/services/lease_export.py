"""Exporting the lease list: every lease a list query finds, as one flat row each."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from backend.core.domain.access import Permission as P
from backend.core.domain.listing import ListQuery
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.leasing.domain.lease_export import (
    CURRENCY,
    EXPORT_LIMIT,
    monthly_rent_on,
    rent_day,
    too_large,
)
from backend.leasing.domain.leases import LeaseStatus
from backend.leasing.services.leases import lease_query


@dataclass(frozen=True)
class ExportRow:
    """One lease as the export shows it; the monthly rent is that of the rent lines in force today."""

    number: str
    customer: str | None
    project: str
    asset_codes: tuple[str, ...]
    template: str
    status: LeaseStatus
    starts_on: date | None
    ends_on: date | None
    monthly_rent: Decimal
    currency: str
    account_manager: str | None


def export_leases(query: ListQuery, actor: Actor, uow: UnitOfWork, now: datetime) -> list[ExportRow]:
    """The leases the actor can see that pass the list's filters, in the list's order, all of them (up to
    EXPORT_LIMIT; a wider filter is refused)."""
    scope = actor.require(P.LEASE_READ)
    query = lease_query(query, now, uow)
    count = uow.leases.count(scope, query)
    if count > EXPORT_LIMIT:
        raise too_large(count, EXPORT_LIMIT)
    rows = uow.leases.export_rows(scope, query, EXPORT_LIMIT)
    lease_ids = [row.id for row in rows]
    codes = uow.leases.asset_codes_of(lease_ids)
    lines = uow.charge_lines.current_of(lease_ids)
    todays: dict[str, date] = {}
    result = []
    for row in rows:
        if row.zone not in todays:
            todays[row.zone] = now.astimezone(ZoneInfo(row.zone)).date()
        day = rent_day(todays[row.zone], row.starts_on, row.closed_on or row.ends_on)
        result.append(
            ExportRow(
                number=row.number,
                customer=row.customer,
                project=row.project,
                asset_codes=tuple(codes.get(row.id, ())),
                template=row.template,
                status=row.status,
                starts_on=row.starts_on,
                ends_on=row.ends_on,
                monthly_rent=monthly_rent_on(lines.get(row.id, ()), day, row.starts_on, row.ends_on),
                currency=CURRENCY,
                account_manager=row.account_manager,
            )
        )
    return result
