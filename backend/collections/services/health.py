"""A lease's health per quarter and the renewal advice, read from its bills, amendments and work orders."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from backend.collections.domain.credit import DEFAULT_MODEL, CreditModel, profile_at
from backend.collections.domain.health import (
    DEFAULT_POLICY,
    DEFAULT_SETTINGS,
    HealthSettings,
    LeaseFacts,
    LeaseHealth,
    RenewalAdvice,
    RenewalPolicy,
    first_day_shown,
    recommend_renewal,
)
from backend.collections.domain.health import lease_health as judge
from backend.collections.services.conduct import RecordedConduct
from backend.collections.services.credit import DunningRecords, bills_from
from backend.core.domain.access import Permission as P
from backend.core.domain.errors import N_, Conflict
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.field.domain.requests import WorkOrderKind
from backend.leasing.services.calendars import calendar_of

# Repairs and meter work point at units that do not suit the tenant; hand-overs, cleaning and inspections
# are the landlord's routine.
SIGNALLING_WORK = frozenset({WorkOrderKind.REPAIR, WorkOrderKind.METER_READING})


def lease_health(
    lease_id: int,
    actor: Actor,
    uow: UnitOfWork,
    now: datetime,
    periods: int = DEFAULT_SETTINGS.quarters,
    settings: HealthSettings = DEFAULT_SETTINGS,
    dunning: DunningRecords | None = None,
) -> LeaseHealth:
    """A lease's colour in each of the last `periods` quarters up to today in its project, with the reasons.

    Bills are those the reader's receivables scope reaches; work orders count on the lease or its units
    while it runs; `dunning` answers for the contacts.
    """
    scope = actor.require(P.RECEIVABLE_READ)
    lease = uow.leases.get(lease_id, scope)
    zone = ZoneInfo(lease.project.timezone)
    today = now.astimezone(zone).date()
    chosen = replace(settings, quarters=periods)
    since = first_day_shown(today, chosen)

    def moment(day: date) -> datetime:
        return datetime.combine(day, time(), tzinfo=zone)

    until = moment(today + timedelta(days=1))
    bills = []
    if lease.customer_id is not None:
        rows = uow.charges.settlement_history([lease.customer_id], scope, today)
        bills = bills_from(row for row in rows if row[2] == lease.id)
    changes = uow.amendments.requested_between(lease.id, moment(since), until)
    running_since = max(since, lease.starts_on) if lease.starts_on else since
    work = uow.work_orders.opened_for_lease(
        lease.id, [asset.id for asset in lease.assets], SIGNALLING_WORK, moment(running_since), until
    )
    records = dunning if dunning is not None else RecordedConduct(uow)
    facts = LeaseFacts(
        bills=bills,
        change_requests=[at.astimezone(zone).date() for at in changes],
        work_orders=[at.astimezone(zone).date() for at in work],
        contacts=list(records.contacts_of(lease.id, scope, since, today)),
    )
    return judge(facts, today, calendar_of(lease.project.holiday_calendar).is_working_day, chosen)


def renewal_advice(
    lease_id: int,
    actor: Actor,
    uow: UnitOfWork,
    now: datetime,
    policy: RenewalPolicy = DEFAULT_POLICY,
    model: CreditModel = DEFAULT_MODEL,
    dunning: DunningRecords | None = None,
) -> RenewalAdvice:
    """Retain, follow up as usual or prepare to release: the customer's credit beside the lease's health."""
    scope = actor.require(P.RECEIVABLE_READ)
    lease = uow.leases.get(lease_id, scope)
    if lease.customer_id is None:
        raise Conflict(N_("The lease has no customer to advise on."))
    health = lease_health(lease_id, actor, uow, now, dunning=dunning)
    today = health.as_of
    rows = uow.charges.settlement_history([lease.customer_id], scope, today)
    records = dunning if dunning is not None else RecordedConduct(uow)
    conduct = records.conduct_of(lease.customer_id, scope, today)
    credit = profile_at(bills_from(rows), today, conduct, model)
    return recommend_renewal(credit, health, policy)
