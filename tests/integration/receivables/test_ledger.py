"""The billing run and the ledger on a real database: bills numbered without gaps, payments, credits."""

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from backend.core.db.database import Database
from backend.core.domain.errors import ValidationFailed
from backend.core.domain.listing import ListQuery
from backend.demo.leasing import TEMPLATES_BY_TYPE
from backend.leasing.domain.leases import ContractType
from backend.leasing.services import leases
from backend.receivables.services import billing, ledger, reports
from tests.conftest import SYSTEM

# 2026-03-20 08:00 in Shanghai.
MARCH_20 = datetime(2026, 3, 20, 0, 0, tzinfo=UTC)
MARCH_21 = datetime(2026, 3, 21, 0, 0, tzinfo=UTC)


@pytest.fixture
def lease(
    run: Callable[..., Any], make_region: Any, make_project: Any, make_asset: Any, make_customer: Any
) -> Any:
    """A monthly prepaid lease for 2026 due on the 5th: rent 10,000.00 with January free, service 1,200.00."""
    region = make_region()
    project = make_project(region, code="SH-LJZ")
    customer = make_customer(region, name="上海星河科技有限公司")
    values = TEMPLATES_BY_TYPE[ContractType.OFFICE].values() | {
        "code": "MONTHLY-5",
        "required_fields": [],
        "frequency": "monthly",
        "timing": "prepaid",
        "due_day": 5,
        "due_offset_days": 0,
        "business_day_rule": "none",
        "billing_lead_days": 15,
    }
    template = run(leases.create_template, values, SYSTEM)
    draft = run(
        leases.create_lease,
        {
            "template_id": template.id,
            "asset_ids": [make_asset(project).id],
            "customer_id": customer.id,
            "starts_on": date(2026, 1, 1),
            "ends_on": date(2026, 12, 31),
            "deposit_amount": Decimal("20000.00"),
            "charge_lines": [
                {"charge_type": "rent", "monthly_amount": Decimal("10000.00")},
                {"charge_type": "service_fee", "monthly_amount": Decimal("1200.00")},
            ],
            "concessions": [{"starts_on": date(2026, 1, 1), "ends_on": date(2026, 1, 31)}],
        },
        SYSTEM,
    )
    return run(leases.sign_lease, draft.id, SYSTEM, now=datetime(2025, 12, 20, tzinfo=UTC))


def test_the_billing_run_issues_what_falls_due_within_the_lead_days_numbered_without_gaps(
    run: Callable[..., Any], lease: Any
) -> None:
    report = run(billing.run_billing, lease.project_id, SYSTEM, now=MARCH_20)

    # Due 5 Jan, 5 Feb, 5 Mar are billable on 20 March; 5 April only from 21 March (15 days before).
    # January's rent is free: a period of amount zero is billed without a bill.
    assert report.numbers == tuple(f"SH-LJZ-202603-000{n}" for n in range(1, 6))
    assert report.amount == Decimal("23600.00")  # 3 × 1,200.00 + 2 × 10,000.00
    assert report.free_periods == 1
    assert report.deposits_requested == 1

    again = run(billing.run_billing, lease.project_id, SYSTEM, now=MARCH_20)
    assert (again.charges, again.numbers, again.deposits_requested) == (0, (), 0)

    next_day = run(billing.run_billing, lease.project_id, SYSTEM, now=MARCH_21)
    assert next_day.numbers == ("SH-LJZ-202603-0006", "SH-LJZ-202603-0007")
    assert next_day.amount == Decimal("11200.00")


def test_payments_settle_oldest_first_credits_never_overshoot_and_aging_buckets_by_days_late(
    run: Callable[..., Any], db: Database, lease: Any
) -> None:
    run(billing.run_billing, lease.project_id, SYSTEM, now=MARCH_20)
    with db.unit_of_work() as uow:
        payment = ledger.record_payment(
            {
                "customer_id": lease.customer_id,
                "project_id": lease.project_id,
                "received_on": date(2026, 3, 20),
                "amount": Decimal("11200.00"),
                "reference": "现金",
            },
            SYSTEM,
            uow,
            MARCH_20,
        )
        # Oldest first: January's service fee (1,200.00), then February's rent (10,000.00).
        assert [a.amount for a in payment.allocations] == [Decimal("1200.00"), Decimal("10000.00")]
        assert payment.unapplied == Decimal("0.00")

    with db.unit_of_work() as uow:

        def call(service: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
            return service(*args, uow=uow, **kwargs)

        charges, _ = call(ledger.list_charges, _query({"customer_id": lease.customer_id}), True, SYSTEM)
        by_number = {c.number: c for c in charges}
        assert sorted(by_number) == ["SH-LJZ-202603-0003", "SH-LJZ-202603-0004", "SH-LJZ-202603-0005"]

        note = call(
            ledger.issue_credit_note,
            {
                "charge_id": by_number["SH-LJZ-202603-0003"].id,
                "amount": Decimal("200.00"),
                "reason": "空调故障减免",
            },
            SYSTEM,
            now=MARCH_20,
        )
        assert note.number == "CN-SH-LJZ-202603-0001"
        with pytest.raises(ValidationFailed) as refused:
            call(
                ledger.issue_credit_note,
                {
                    "charge_id": by_number["SH-LJZ-202603-0005"].id,
                    "amount": Decimal("2000.00"),
                    "reason": "x",
                },
                SYSTEM,
                now=MARCH_20,
            )
        assert "1,200.00" in refused.value.fields["amount"][0]

        aging = call(reports.aging_report, {}, date(2026, 3, 20), SYSTEM)
        (row,) = aging["rows"]
        # February's service fee (due 5 Feb, 43 days late): 1,000.00 after the credit; March's: 15 days late.
        assert row["buckets"]["31-60"] == Decimal("1000.00")
        assert row["buckets"]["1-15"] == Decimal("11200.00")
        assert row["total"] == Decimal("12200.00")

        account = call(
            reports.statement_of_account, lease.customer_id, date(2026, 3, 1), date(2026, 3, 31), SYSTEM
        )
        assert account.opening == Decimal("0.00")
        assert [line.balance for line in account.lines][-1] == account.closing == Decimal("12200.00")


def _query(filters: dict[str, Any]) -> ListQuery:
    return ListQuery(filters, (), 1, 100)
