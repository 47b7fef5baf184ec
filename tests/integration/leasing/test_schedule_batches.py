"""Materialising many leases' schedules at once: same items as one by one, failures recorded, audited."""

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from backend.core.db.database import Database
from backend.core.db.models import AuditEntry, JobRun
from backend.core.domain.audit import Origin
from backend.core.services.context import Actor
from backend.demo.leasing import TEMPLATES_BY_TYPE
from backend.leasing.db.models import ScheduleItem
from backend.leasing.domain.leases import ContractType
from backend.leasing.services import leases, schedules

SYSTEM = Actor.system(Origin.CLI, "tests")
NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


@pytest.fixture
def signed_leases(
    run: Callable[..., Any], make_region: Any, make_project: Any, make_asset: Any, make_customer: Any
) -> list[Any]:
    region = make_region()
    project = make_project(region)
    customer = make_customer(region)
    values = TEMPLATES_BY_TYPE[ContractType.OFFICE].values() | {"required_fields": []}
    template = run(leases.create_template, values, SYSTEM)
    created = []
    for number in range(3):
        lines: list[dict[str, Any]] = [{"charge_type": "rent", "monthly_amount": Decimal("30000.00")}]
        if number == 1:
            lines[0]["escalation"] = {"kind": "percent", "every_months": 12, "value": Decimal(5)}
        lines.append({"charge_type": "service_fee", "monthly_amount": Decimal("3600.00")})
        lease = run(
            leases.create_lease,
            {
                "template_id": template.id,
                "asset_ids": [make_asset(project).id],
                "customer_id": customer.id,
                "starts_on": date(2027, 1, 1),
                "ends_on": date(2029, 12, 31),
                "charge_lines": lines,
                "concessions": [{"starts_on": date(2027, 1, 1), "ends_on": date(2027, 2, 28)}]
                if number == 2
                else [],
            },
            SYSTEM,
        )
        created.append(run(leases.sign_lease, lease.id, SYSTEM, now=NOW))
    return created


def _items(db: Database) -> list[tuple[Any, ...]]:
    with db.unit_of_work() as uow:
        session = uow.session
        assert session is not None
        rows = session.execute(
            select(
                ScheduleItem.lease_id,
                ScheduleItem.charge_type,
                ScheduleItem.period_start,
                ScheduleItem.due_date,
                ScheduleItem.amount,
                ScheduleItem.is_concession,
            )
        ).all()
    return sorted(tuple(row) for row in rows)


def test_a_batch_writes_the_same_items_as_signing_one_lease_at_a_time(
    db: Database, run: Callable[..., Any], signed_leases: list[Any]
) -> None:
    before = _items(db)
    assert len(before) > 3 * 12
    result = run(schedules.materialise_many, [lease.id for lease in signed_leases], SYSTEM, now=NOW, chunk=2)
    assert (result.leases, result.failures) == (3, ())
    assert result.items == len(before)
    assert _items(db) == before


def test_every_lease_of_a_batch_gets_an_audit_entry_and_each_chunk_a_job_run(
    db: Database, run: Callable[..., Any], signed_leases: list[Any]
) -> None:
    run(schedules.materialise_many, [lease.id for lease in signed_leases], SYSTEM, now=NOW, chunk=2)
    with db.unit_of_work() as uow:
        session = uow.session
        assert session is not None
        audited = session.scalars(
            select(AuditEntry.entity_id).where(AuditEntry.entity_type == "lease_schedule")
        ).all()
        assert sorted(audited) == sorted(str(lease.id) for lease in signed_leases)
        runs = session.scalars(select(JobRun.details)).all()
        assert sorted(details["leases"] for details in runs if "leases" in details) == [1, 2]


def test_unknown_and_unsigned_leases_are_reported_and_the_rest_of_the_chunk_is_written(
    db: Database, run: Callable[..., Any], signed_leases: list[Any], make_asset: Any
) -> None:
    first = signed_leases[0]
    draft = run(
        leases.create_lease,
        {
            "template_id": first.template_id,
            "asset_ids": [make_asset(first.project).id],
            "starts_on": date(2027, 1, 1),
            "ends_on": date(2027, 12, 31),
            "charge_lines": [{"charge_type": "rent", "monthly_amount": Decimal(1000)}],
        },
        SYSTEM,
    )
    before = _items(db)
    result = run(schedules.materialise_many, [first.id, draft.id, 999_999], SYSTEM, now=NOW)
    assert result.leases == 1
    reasons = {failure.lease_id: failure for failure in result.failures}
    assert set(reasons) == {draft.id, 999_999}
    assert reasons[draft.id].job_run_id is not None
    assert "signed" in reasons[draft.id].reason
    assert reasons[999_999].job_run_id is None
    assert _items(db) == before
    with db.unit_of_work() as uow:
        session = uow.session
        assert session is not None
        assert session.scalar(select(func.count()).where(ScheduleItem.lease_id == draft.id)) == 0
