"""The demo year of bills and statements: billed, paid, imported, reconciled; this month's files import."""

from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from backend.banking.domain.statements import StatementRejected
from backend.banking.services import imports, reconciliation
from backend.core.db.database import Database
from backend.core.domain.listing import ListQuery
from backend.demo.leasing import TEMPLATES_BY_TYPE
from backend.demo.receivables import seed_receivables
from backend.leasing.domain.leases import ContractType
from backend.leasing.services import leases
from tests.conftest import SYSTEM

TODAY = date(2026, 11, 22)


def test_a_newcomer_imports_this_months_demo_statement_and_watches_it_reconcile(
    db: Database,
    run: Callable[..., Any],
    tmp_path: Path,
    make_region: Any,
    make_project: Any,
    make_asset: Any,
    make_customer: Any,
) -> None:
    region = make_region("EAST", name="华东区域")
    project = make_project(region, "SH-LJZ")
    template = run(
        leases.create_template,
        TEMPLATES_BY_TYPE[ContractType.OFFICE].values()
        | {
            "code": "M5",
            "required_fields": [],
            "frequency": "monthly",
            "timing": "prepaid",
            "due_day": 5,
            "due_offset_days": 0,
            "business_day_rule": "none",
        },
        SYSTEM,
    )
    for index in range(6):
        customer = make_customer(
            region,
            f"C-{index}",
            name=f"上海第{index}科技有限公司",
            bank_accounts=[
                {
                    "bank_name": "招商银行",
                    "account_number": f"621483000{index:04d}",
                    "account_name": f"上海第{index}科技有限公司",
                }
            ],
        )
        draft = run(
            leases.create_lease,
            {
                "template_id": template.id,
                "asset_ids": [make_asset(project).id],
                "customer_id": customer.id,
                "starts_on": date(2026, 1, 1),
                "ends_on": date(2026, 12, 31),
                "charge_lines": [{"charge_type": "rent", "monthly_amount": Decimal(8000 + 1000 * index)}],
            },
            SYSTEM,
        )
        run(leases.sign_lease, draft.id, SYSTEM, now=datetime(2025, 12, 1, tzinfo=UTC))

    summary = seed_receivables(db.unit_of_work, SYSTEM, TODAY, tmp_path, seed=7)

    # Bills due 5 January to 5 December (billable from 20 November): 12 per lease.
    assert summary.charges == 72
    assert summary.billed == sum(Decimal(12 * (8000 + 1000 * i)) for i in range(6))
    # November 2025 to October 2026 imported; this November's statement left as files, one per format.
    assert summary.statements == 12
    assert sorted(path.name for path in summary.files) == [
        "ICBC-202611.csv",
        "ICBC-202611.sta",
        "ICBC-202611.xlsx",
        "ICBC-202611.xml",
    ]
    assert summary.matched > 0

    with db.unit_of_work() as uow:
        account_id = uow.bank_accounts.page(SYSTEM.scope_for(reconciliation.P.BANK_READ), _all())[0][0].id
    chosen = tmp_path / "ICBC-202611.xlsx"
    with db.unit_of_work() as uow:
        result = imports.import_statement(
            account_id, chosen.read_bytes(), chosen.name, None, True, SYSTEM, uow, datetime.now(UTC)
        )
        imported = len(result.statement.lines)
    # The same month as CSV is the same lines: refused as already imported.
    other = tmp_path / "ICBC-202611.csv"
    with db.unit_of_work() as uow, pytest.raises(StatementRejected) as refused:
        imports.import_statement(
            account_id, other.read_bytes(), other.name, None, True, SYSTEM, uow, datetime.now(UTC)
        )
    assert "imported already" in refused.value.fields["file"][0]
    with db.unit_of_work() as uow:
        report = reconciliation.run(SYSTEM, uow, datetime.now(UTC))
    assert imported > 0
    assert report.lines > 0


def _all() -> ListQuery:
    return ListQuery({}, (), 1, 100)
