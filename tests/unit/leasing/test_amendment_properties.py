"""Properties of amendments over time: billed money never moves, and nothing is lost or counted twice.

Any sequence of amendments (rent changes from any month, with or without step-ups, term changes,
concessions), each applied on a later day after some periods were billed: every billed item stays as it
was, the unbilled items are exactly the engine's fresh generation of the amended terms for the dates not
billed, and billed + adjustments + unbilled = the fresh generation of the whole term, to the cent.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.core.domain.access import Role
from backend.core.domain.approvals import Decision
from backend.core.domain.errors import ValidationFailed
from backend.core.services import approvals
from backend.leasing.domain import schedule as engine
from backend.leasing.domain.leases import LeaseStatus
from backend.leasing.domain.schedule import ChargeType, EscalationKind, Frequency, Timing
from backend.leasing.services import amendments, schedules
from tests.support.fake_uow import FakeUnitOfWork, Given

START, END = date(2026, 1, 1), date(2027, 12, 31)

change = st.fixed_dictionaries(
    {
        "month": st.integers(0, 23),  # the amendment takes effect on the first of this month of the term
        "day": st.integers(0, 20),  # … plus these days
        "amount": st.integers(5_000, 50_000),
        "keep": st.booleans(),
        "extend": st.sampled_from([None, 3, 12, -4]),  # months added to (or taken off) the term
        "free": st.booleans(),  # also grant the effective month rent-free
        "later": st.integers(1, 120),  # days after the previous step that this one is applied
        "bill": st.integers(0, 3),  # periods the billing run issues before it
    }
)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.sampled_from([Frequency.MONTHLY, Frequency.QUARTERLY]),
    st.booleans(),
    st.lists(change, min_size=1, max_size=4),
)
def test_billed_money_never_moves_and_the_rest_is_the_fresh_schedule(
    frequency: Frequency, stepped: bool, changes: list[dict[str, Any]]
) -> None:
    uow = FakeUnitOfWork()
    seed = Given(uow)
    region = seed.region()
    project = seed.project(region)
    line: dict[str, Any] = {"charge_type": ChargeType.RENT, "monthly_amount": Decimal("30000.00")}
    if stepped:
        line |= {"escalation_kind": EscalationKind.PERCENT, "escalation_every_months": 12}
        line |= {"escalation_value": Decimal(5)}
    lease = seed.lease(
        project,
        [seed.asset(project)],
        [line],
        status=LeaseStatus.SIGNED,
        starts_on=START,
        ends_on=END,
        frequency=frequency,
        timing=Timing.PREPAID,
    )
    manager = seed.actor(seed.user(Role.PROJECT_MANAGER, project=project))
    finance = seed.actor(seed.user(Role.FINANCE, region=region))
    now = datetime(2025, 12, 1, 2, tzinfo=UTC)
    schedules.regenerate(lease.id, manager, uow, now)
    uow.commit()
    uow.settle()
    billed: dict[int, Decimal] = {}

    for step in changes:
        now += timedelta(days=step["later"])
        _bill(uow, lease.id, step["bill"])
        today = now.date()
        billed |= {
            row.id: row.amount
            for row in uow.schedules.of_lease(lease.id)
            if engine.counts_as_billed(row.status, row.due_date, today)
        }
        effective = START + relativedelta(months=step["month"]) + timedelta(days=step["day"])
        if effective > lease.ends_on:
            continue
        values: dict[str, Any] = {
            "effective_on": effective,
            "reason": "调整",
            "charge_lines": [
                {
                    "charge_type": "rent",
                    "monthly_amount": Decimal(step["amount"]),
                    "keep_escalation": step["keep"],
                }
            ],
        }
        if step["extend"] is not None:
            new_end = lease.ends_on + relativedelta(months=step["extend"])
            if new_end >= effective:
                values["ends_on"] = new_end
        if step["free"]:
            values["concessions"] = [{"starts_on": effective, "ends_on": effective + timedelta(days=27)}]
        stored = [(row.id, row.amount, row.status) for row in uow.schedules.of_lease(lease.id)]
        refused: ValidationFailed | None = None
        try:
            amendment = amendments.request_amendment(lease.id, values, manager, uow, now)
        except ValidationFailed as exc:
            refused = exc
        if refused is not None:
            # Only terms the engine cannot schedule are refused (a concession overlapping an earlier
            # one); the refusal names the field and leaves everything as it was.
            assert set(refused.fields) <= {f"concessions[{n}].starts" for n in (1, 2, 3)}
            assert [(row.id, row.amount, row.status) for row in uow.schedules.of_lease(lease.id)] == stored
            continue
        uow.settle()
        if amendment.approval_id is not None:
            approvals.decide(amendment.approval_id, Decision.APPROVE, None, finance, uow, now)
            uow.settle()

        rows = uow.schedules.of_lease(lease.id)
        by_id = {row.id: row for row in rows}
        assert {row_id: by_id[row_id].amount for row_id in billed if row_id in by_id} == billed
        assert set(billed) <= set(by_id)  # no billed item is ever deleted
        fresh = schedules.plan(lease, uow).items
        kept = [row for row in rows if engine.is_kept(row.status, row.due_date, now.date())]
        expected = schedules.settlement_of(kept, fresh, now.date()).items
        unbilled = sorted(
            (schedules._as_engine_item(row) for row in rows if row.status == "scheduled" and row not in kept),
            key=engine.sort_key,
        )
        assert unbilled == expected
        settled = [row for row in rows if row.status != "written_off"]
        assert sum((row.amount for row in settled), Decimal(0)) == sum((i.amount for i in fresh), Decimal(0))


def _bill(uow: FakeUnitOfWork, lease_id: int, periods: int) -> None:
    """Issue the next `periods` unbilled due dates, as the billing run does."""
    waiting = [row for row in uow.schedules.of_lease(lease_id) if row.status == "scheduled"]
    dues = sorted({row.due_date for row in waiting})[:periods]
    for row in waiting:
        if row.due_date in dues:
            row.status = "issued"
    uow.commit()
    uow.settle()
