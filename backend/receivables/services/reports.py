"""Aging and the customer's statement of account, within the reader's scope."""

from __future__ import annotations

from datetime import date
from typing import Any

from backend.core.domain.access import Permission as P
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.receivables.domain import aging


def aging_report(filters: dict[str, Any], as_of: date, actor: Actor, uow: UnitOfWork) -> dict[str, Any]:
    """Open amounts per customer in the dunning tiers' buckets, with totals per bucket."""
    scope = actor.require(P.RECEIVABLE_READ)
    rows = aging.aging(uow.charges.aging_entries(scope, filters), as_of)
    names = uow.customers.names_of({row.customer_id for row in rows})
    totals: dict[tuple[str, aging.AgingBucket], Any] = {}
    for row in rows:
        for bucket, amount in row.buckets.items():
            totals[(row.currency, bucket)] = totals.get((row.currency, bucket), aging.ZERO) + amount
    currencies = sorted({row.currency for row in rows})
    return {
        "as_of": as_of,
        "buckets": [bucket.value for bucket in aging.AgingBucket],
        "rows": [
            {
                "customer_id": row.customer_id,
                "customer_name": names.get(row.customer_id),
                "currency": row.currency,
                "buckets": {bucket.value: amount for bucket, amount in row.buckets.items()},
                "total": row.total,
                "overdue": row.overdue,
            }
            for row in rows
        ],
        "totals": [
            {
                "currency": currency,
                "buckets": {b.value: totals[(currency, b)] for b in aging.AgingBucket},
                "total": sum((totals[(currency, b)] for b in aging.AgingBucket), aging.ZERO),
            }
            for currency in currencies
        ],
    }


def statement_of_account(
    customer_id: int, start: date, end: date, actor: Actor, uow: UnitOfWork
) -> aging.StatementOfAccount:
    """A customer's documents between two dates with opening and closing balances (scoped)."""
    scope = actor.require(P.RECEIVABLE_READ)
    uow.customers.get(customer_id, actor.require(P.CUSTOMER_READ))
    return aging.statement(uow.charges.entries_of(customer_id, scope), start, end)
