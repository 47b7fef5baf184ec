"""The customer's credit profile, read from their own bills within the reader's scope."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from backend.collections.domain.credit import (
    DEFAULT_MODEL,
    NO_CONDUCT,
    Bill,
    Conduct,
    CreditModel,
    CreditProfile,
    profile_at,
)
from backend.collections.services.conduct import RecordedConduct
from backend.core.domain.access import Permission as P
from backend.core.domain.access import Scope
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork


class DunningRecords(Protocol):
    """What the dunning records say of a customer and a lease; the dunning context provides it."""

    def conduct_of(self, customer_id: int, scope: Scope, until: date) -> Conduct:
        """Promises the customer broke, disputes they raised and days they took to answer, by `until`."""

    def contacts_of(self, lease_id: int, scope: Scope, since: date, until: date) -> Sequence[date]:
        """The days the customer of a lease was contacted about it in [since, until], one entry a contact."""


class NoDunningRecords:
    """A history without dunning records (the bench's, measuring the bills alone)."""

    def conduct_of(self, customer_id: int, scope: Scope, until: date) -> Conduct:
        """Nothing known."""
        return NO_CONDUCT

    def contacts_of(self, lease_id: int, scope: Scope, since: date, until: date) -> Sequence[date]:
        """Nothing known."""
        return ()


NO_DUNNING_RECORDS = NoDunningRecords()


def bills_from(rows: Iterable[tuple[Any, ...]]) -> list[Bill]:
    """The domain's bills from the rows of `Charges.settlement_history`."""
    return [
        Bill(due_date=due, amount=amount, settled_on=settled_on, currency=currency)
        for _id, _customer, _lease, _project, due, amount, currency, settled_on in rows
    ]


def local_today(now: datetime, zones: Iterable[str]) -> date:
    """The earliest date it is in any of these zones (UTC's without one): no bill is late before its day."""
    return min(
        (now.astimezone(ZoneInfo(zone)).date() for zone in set(zones)), default=now.astimezone(UTC).date()
    )


def history_until(now: datetime) -> date:
    """The last day any zone may have reached; the domain ignores what lies after the reader's today."""
    return now.astimezone(UTC).date() + timedelta(days=1)


def credit_profile(
    customer_id: int,
    actor: Actor,
    uow: UnitOfWork,
    now: datetime,
    model: CreditModel = DEFAULT_MODEL,
    dunning: DunningRecords | None = None,
) -> CreditProfile:
    """A customer's credit profile from the bills the reader's scope reaches; outside it, NotFound.

    Today is the customer's projects' date; `dunning` answers for promises, disputes and answer times (the
    dunning records by default).
    """
    scope = actor.require(P.RECEIVABLE_READ)
    uow.customers.get(customer_id, scope)
    rows = uow.charges.settlement_history([customer_id], scope, history_until(now))
    zones = uow.projects.time_zones()
    today = local_today(now, (zones[row[3]] for row in rows))
    records = dunning if dunning is not None else RecordedConduct(uow)
    # As dunning sees it this morning: what was booked through yesterday, days overdue counted to today.
    return profile_at(bills_from(rows), today, records.conduct_of(customer_id, scope, today), model)
