"""A small portfolio with hand-computable KPIs: two regions, three leases, March 2026 bills and payments."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import update

from backend.core.db.database import Database
from backend.core.domain.audit import Origin
from backend.core.domain.listing import ListQuery
from backend.core.services import auth
from backend.core.services.context import Actor
from backend.demo.leasing import TEMPLATES_BY_TYPE
from backend.leasing.domain.leases import ContractType
from backend.leasing.services import leases
from backend.org.db.models import Asset
from backend.org.domain.org import AssetType, CustomerTier, ProjectCategory
from backend.receivables.services import billing, ledger
from tests.conftest import SYSTEM

MARCH_20 = datetime(2026, 3, 20, 0, 0, tzinfo=UTC)
APRIL_10 = date(2026, 4, 10)  # the day the tests look from: March is closed


@dataclass(frozen=True)
class Bill:
    """A charge the billing run issued, as plain values."""

    id: int
    number: str
    lease_id: int
    kind: str
    due_date: date
    amount: Decimal


@dataclass
class Portfolio:
    """What the fixture made, by the names the tests use."""

    east: Any
    west: Any
    lujiazui: Any
    chengdu: Any
    assets: dict[str, Any]
    leases: dict[str, Any]
    charges: dict[str, Any]

    def actor_of(self, run: Callable[..., Any], user: Any) -> Actor:
        return Actor(run(lambda uow: auth.principal_of(uow.users.find(user.id))), Origin.WEB)


@pytest.fixture
def portfolio(
    run: Callable[..., Any],
    db: Database,
    make_region: Any,
    make_project: Any,
    make_asset: Any,
    make_customer: Any,
) -> Portfolio:
    """East: SH-A (office) with A1 100 m² (L1, key account), A2 50 m² (L2, ends 31 March), A3 150 m² vacant,
    A4 80 m² in maintenance. West: CD-B (warehouse) with B1 200 m² (L3) and B2 100 m² vacant.

    Rent is billed monthly, prepaid, due on the 5th: L1 10,000.00 + service 1,000.00 from March; L2 6,000.00
    from January; L3 8,000.00 from March. Paid: L1's March bills on 25 March; L2's January rent on 28 March.
    """
    east = make_region(code="EAST", name="华东区域")
    west = make_region(code="WEST", name="西南区域")
    lujiazui = make_project(east, code="SH-A", name="陆家嘴中心", city="上海")
    chengdu = make_project(
        west, code="CD-B", name="成都物流园", city="成都", category=ProjectCategory.WAREHOUSE
    )
    assets = {
        "A1": make_asset(lujiazui, code="SH-A-A1", area_m2=Decimal("100.00")),
        "A2": make_asset(lujiazui, code="SH-A-A2", area_m2=Decimal("50.00")),
        "A3": make_asset(lujiazui, code="SH-A-A3", area_m2=Decimal("150.00")),
        "A4": make_asset(lujiazui, code="SH-A-A4", area_m2=Decimal("80.00"), status="maintenance"),
        "B1": make_asset(
            chengdu, code="CD-B-B1", asset_type=AssetType.WAREHOUSE_UNIT, area_m2=Decimal("200.00")
        ),
        "B2": make_asset(
            chengdu, code="CD-B-B2", asset_type=AssetType.WAREHOUSE_UNIT, area_m2=Decimal("100.00")
        ),
    }
    with db.unit_of_work() as uow:  # registered on 1 June 2025: an unconfirmed status counts from then
        uow.session.execute(update(Asset).values(created_at=datetime(2025, 6, 1, tzinfo=UTC)))
        uow.session.commit()
    key = make_customer(east, code="C1", name="上海星河科技有限公司", tier=CustomerTier.KEY_ACCOUNT)
    standard = make_customer(east, code="C2", name="上海晨光贸易有限公司")
    western = make_customer(west, code="C3", name="成都顺达物流有限公司")
    template = run(
        leases.create_template,
        TEMPLATES_BY_TYPE[ContractType.OFFICE].values()
        | {
            "code": "MONTHLY-5",
            "required_fields": [],
            "frequency": "monthly",
            "timing": "prepaid",
            "due_day": 5,
            "due_offset_days": 0,
            "business_day_rule": "none",
            "billing_lead_days": 15,
        },
        SYSTEM,
    )

    def lease(asset: str, customer: Any, starts: date, ends: date, lines: list[tuple[str, str]]) -> Any:
        draft = run(
            leases.create_lease,
            {
                "template_id": template.id,
                "asset_ids": [assets[asset].id],
                "customer_id": customer.id,
                "starts_on": starts,
                "ends_on": ends,
                "charge_lines": [
                    {"charge_type": kind, "monthly_amount": Decimal(amount)} for kind, amount in lines
                ],
            },
            SYSTEM,
        )
        return run(leases.sign_lease, draft.id, SYSTEM, now=datetime(2025, 12, 20, tzinfo=UTC))

    made = {
        "L1": lease(
            "A1", key, date(2026, 3, 1), date(2027, 2, 28), [("rent", "10000.00"), ("service_fee", "1000.00")]
        ),
        "L2": lease("A2", standard, date(2026, 1, 1), date(2026, 3, 31), [("rent", "6000.00")]),
        "L3": lease("B1", western, date(2026, 3, 1), date(2027, 2, 28), [("rent", "8000.00")]),
    }
    for project in (lujiazui, chengdu):
        run(billing.run_billing, project.id, SYSTEM, now=MARCH_20)
    with db.unit_of_work() as uow:
        found = [
            Bill(c.id, c.number, c.lease_id, c.kind.value, c.due_date, c.amount)
            for c in ledger.list_charges(_everything(), False, SYSTEM, uow)[0]
        ]
    by_lease_and_due = {
        (next(k for k, v in made.items() if v.id == c.lease_id), c.kind, c.due_date.month): c for c in found
    }

    def pay(customer: Any, project: Any, on: date, charges: list[Any]) -> None:
        run(
            ledger.record_payment,
            {
                "customer_id": customer.id,
                "project_id": project.id,
                "received_on": on,
                "amount": sum((c.amount for c in charges), Decimal(0)),
                "allocations": [{"charge_id": c.id, "amount": c.amount} for c in charges],
            },
            SYSTEM,
            now=datetime.combine(on, datetime.min.time(), UTC),
        )

    pay(
        key,
        lujiazui,
        date(2026, 3, 25),
        [by_lease_and_due[("L1", "rent", 3)], by_lease_and_due[("L1", "service_fee", 3)]],
    )
    pay(standard, lujiazui, date(2026, 3, 28), [by_lease_and_due[("L2", "rent", 1)]])
    return Portfolio(
        east,
        west,
        lujiazui,
        chengdu,
        assets,
        made,
        {f"{k[0]}-{k[1]}-{k[2]}": c for k, c in by_lease_and_due.items()},
    )


def _everything() -> ListQuery:
    return ListQuery(page=1, page_size=500)
