"""Deterministic demo leasing: contract templates and leases over a project's units, with asset statuses."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from backend.leasing.domain.leases import BINDING, ContractType, LeaseStatus, expiring_from
from backend.leasing.domain.schedule import (
    BusinessDayRule,
    ChargeType,
    Frequency,
    PeriodAnchor,
    RoundingMode,
    Timing,
)
from backend.leasing.domain.schedule.periods import add_months
from backend.org.domain.org import AssetStatus, AssetType

ONE_DAY = timedelta(days=1)
# Assets whose drawn status is one of these may be let; the others stay as drawn, with no lease.
LETTABLE = frozenset({AssetStatus.LEASED, AssetStatus.VACANT, AssetStatus.PENDING_DELIVERY})
# Chances that a lettable unit carries a lease, so that about 75 % of space and 60 % of equipment do.
SPACE_LEASE_CHANCE = 0.87
EQUIPMENT_LEASE_CHANCE = 0.71
ADJACENT_CHANCE = 0.08
ESCALATION_CHANCE = 0.45
FREE_RENT_CHANCE = 0.35
PARKING_CHANCE = 0.3
DAYS_PER_MONTH = Decimal(365) / Decimal(12)  # how a daily rate per m² becomes a monthly rent in China
CENT = Decimal("0.01")


# Templates ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoTemplate:
    """A contract template to create."""

    code: str
    name: str
    contract_type: ContractType
    frequency: Frequency
    timing: Timing
    due_day: int | None
    due_offset_days: int
    business_day_rule: BusinessDayRule
    deposit_months: Decimal
    notice_period_days: int
    reminder_days: tuple[int, ...]
    required_fields: tuple[str, ...]
    anchor: PeriodAnchor = PeriodAnchor.LEASE_START
    prorate: bool = True
    rounding: RoundingMode = RoundingMode.HALF_UP

    def values(self) -> dict[str, Any]:
        """Column values."""
        return {
            "code": self.code,
            "name": self.name,
            "contract_type": self.contract_type,
            "required_fields": list(self.required_fields),
            "frequency": self.frequency,
            "timing": self.timing,
            "due_day": self.due_day,
            "due_offset_days": self.due_offset_days,
            "business_day_rule": self.business_day_rule,
            "anchor": self.anchor,
            "prorate": self.prorate,
            "rounding": self.rounding,
            "deposit_months": self.deposit_months,
            "notice_period_days": self.notice_period_days,
            "reminder_days": list(self.reminder_days),
            "is_active": True,
        }

    def lease_terms(self) -> dict[str, Any]:
        """The billing terms a lease drafted from this template copies."""
        return {
            "frequency": self.frequency,
            "timing": self.timing,
            "due_day": self.due_day,
            "due_offset_days": self.due_offset_days,
            "business_day_rule": self.business_day_rule,
            "anchor": self.anchor,
            "prorate": self.prorate,
            "rounding": self.rounding,
        }


CT, F, BDR = ContractType, Frequency, BusinessDayRule
_COMPANY_FIELDS = ("deposit_amount", "account_manager_id", "notice_period_days", "purpose")
TEMPLATES = (
    # Offices: a quarter in advance, due 15 days before it starts, moved to the next CN working day.
    DemoTemplate("OFFICE-STD", "写字楼标准租赁合同", CT.OFFICE, F.QUARTERLY, Timing.PREPAID, None, -15,
                 BDR.FOLLOWING, Decimal(3), 90, (90, 60, 30), _COMPANY_FIELDS),
    DemoTemplate("RETAIL-STD", "商铺租赁合同", CT.RETAIL, F.MONTHLY, Timing.PREPAID, None, -10,
                 BDR.FOLLOWING, Decimal(3), 90, (90, 60, 30), _COMPANY_FIELDS),
    DemoTemplate("APT-STD", "公寓租赁合同", CT.APARTMENT, F.MONTHLY, Timing.PREPAID, 5, 0,
                 BDR.NONE, Decimal(1), 30, (60, 30), ("deposit_amount",)),
    DemoTemplate("WH-STD", "仓储租赁合同", CT.WAREHOUSE, F.BIMONTHLY, Timing.PREPAID, None, -10,
                 BDR.FOLLOWING, Decimal(2), 60, (90, 60, 30), _COMPANY_FIELDS),
    DemoTemplate("EQ-STD", "设备租赁合同", CT.EQUIPMENT, F.MONTHLY, Timing.ARREARS, None, 10,
                 BDR.FOLLOWING, Decimal(1), 30, (30, 15), ("deposit_amount", "account_manager_id")),
)  # fmt: skip
TEMPLATES_BY_TYPE = {template.contract_type: template for template in TEMPLATES}

AT = AssetType
_CONTRACT_TYPE = {
    AT.OFFICE: CT.OFFICE,
    AT.SHOP: CT.RETAIL,
    AT.APARTMENT: CT.APARTMENT,
    AT.PARKING_SPACE: CT.APARTMENT,  # a parking space is let month by month, paid on the 5th
    AT.WAREHOUSE_UNIT: CT.WAREHOUSE,
    AT.MACHINERY: CT.EQUIPMENT,
    AT.VEHICLE: CT.EQUIPMENT,
    AT.MEDICAL_EQUIPMENT: CT.EQUIPMENT,
    AT.IT_EQUIPMENT: CT.EQUIPMENT,
}
_SPACE = frozenset({AT.OFFICE, AT.SHOP, AT.APARTMENT, AT.PARKING_SPACE, AT.WAREHOUSE_UNIT})
_ADJACENT_TYPES = frozenset({AT.OFFICE, AT.SHOP, AT.WAREHOUSE_UNIT})
_PURPOSE = {
    CT.OFFICE: ("办公", "研发办公", "公司总部办公"),
    CT.RETAIL: ("零售", "餐饮", "咖啡店", "品牌专卖店"),
    CT.APARTMENT: ("居住",),
    CT.WAREHOUSE: ("仓储", "电商仓储配送", "冷链仓储"),
    CT.EQUIPMENT: ("设备租赁", "工程项目使用"),
}
_TERM_MONTHS = {
    CT.OFFICE: ((24, 2), (36, 4), (48, 1), (60, 2)),
    CT.RETAIL: ((24, 2), (36, 3), (60, 2)),
    CT.APARTMENT: ((12, 6), (24, 3)),
    CT.WAREHOUSE: ((24, 2), (36, 3), (60, 1)),
    CT.EQUIPMENT: ((12, 4), (24, 3), (36, 2)),
}

# Rents: city level against Shanghai, and Shanghai's rent in yuan per m² per day (space).
_CITY_LEVEL = {
    "上海": 1.0, "北京": 0.95, "深圳": 0.9, "广州": 0.65, "杭州": 0.6,
    "苏州": 0.45, "天津": 0.45, "珠海": 0.45, "宁波": 0.4, "东莞": 0.4,
}  # fmt: skip
_DAILY_RATE = {
    AT.OFFICE: 9.5,
    AT.SHOP: 14.0,
    AT.APARTMENT: 3.2,
    AT.PARKING_SPACE: 2.4,
    AT.WAREHOUSE_UNIT: 1.8,
}
_SERVICE_FEE_PER_M2 = {AT.OFFICE: 32.0, AT.SHOP: 40.0}  # yuan per m² per month in Shanghai
_PARKING_FEE = 1_000.0  # one reserved space per month in Shanghai
# Monthly rent ranges of equipment, the same everywhere.
_EQUIPMENT_RENT = {
    AT.MACHINERY: (8_000, 32_000),
    AT.VEHICLE: (3_000, 9_000),
    AT.MEDICAL_EQUIPMENT: (5_000, 40_000),
    AT.IT_EQUIPMENT: (800, 6_000),
}
# What happens to a lease relative to the seeding day.
_FATES = (LeaseStatus.ACTIVE, LeaseStatus.EXPIRING, LeaseStatus.SIGNED, LeaseStatus.DRAFT, LeaseStatus.ENDED)
_FATE_WEIGHTS = (64, 10, 10, 6, 10)
_STARTED = frozenset({LeaseStatus.ACTIVE, LeaseStatus.EXPIRING})


# Records --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoChargeLine:
    """A charge of a lease; rent may step up by a percentage every 12 months."""

    charge_type: ChargeType
    monthly_amount: Decimal
    escalation_percent: Decimal | None = None
    escalation_every_months: int | None = None


@dataclass(frozen=True)
class DemoConcession:
    """Free rent (100 % off) for the first months of a lease."""

    starts_on: date
    ends_on: date
    note: str
    percent: Decimal = Decimal(100)
    charge_type: ChargeType = ChargeType.RENT


@dataclass(frozen=True)
class DemoLease:
    """A lease to create, with its units, charges and concessions; people are named by code."""

    number: str
    project_code: str
    contract_type: ContractType
    asset_codes: tuple[str, ...]
    status: LeaseStatus
    starts_on: date
    ends_on: date
    customer_code: str | None
    account_manager: str
    deposit_amount: Decimal
    purpose: str
    lines: tuple[DemoChargeLine, ...]
    concessions: tuple[DemoConcession, ...]
    signed_at: datetime | None
    closed_on: date | None

    @property
    def template(self) -> DemoTemplate:
        """The template the lease was drafted from."""
        return TEMPLATES_BY_TYPE[self.contract_type]

    @property
    def has_schedule(self) -> bool:
        """Whether the lease is signed, so its schedule exists."""
        return self.status in BINDING

    def values(self) -> dict[str, Any]:
        """Column values, without ids (project, template, customer, people: the caller knows them)."""
        return {
            "number": self.number,
            "status": self.status,
            "starts_on": self.starts_on,
            "ends_on": self.ends_on,
            **self.template.lease_terms(),
            "deposit_amount": self.deposit_amount,
            "notice_period_days": self.template.notice_period_days,
            "auto_renew": False,
            "purpose": self.purpose,
            "tags": [],
            "version": 1,
            "signed_at": self.signed_at,
            "closed_on": self.closed_on,
            **LATE_FEE_CLAUSES[self.contract_type],
        }


# The late-fee clause each kind of contract carries in the demo (rate, basis, grace days, cap, article).
LATE_FEE_CLAUSES: dict[ContractType, dict[str, Any]] = {
    kind: {
        "late_fee_rate": rate,
        "late_fee_basis": basis,
        "late_fee_grace_days": grace,
        "late_fee_cap_rate": cap,
        "late_fee_article": article,
    }
    for kind, (rate, basis, grace, cap, article) in {
        ContractType.OFFICE: (Decimal("0.0005"), "per_day", 5, Decimal("0.1"), "第十二条"),
        ContractType.RETAIL: (Decimal("0.0005"), "per_day", 5, Decimal("0.1"), "第十二条"),
        ContractType.WAREHOUSE: (Decimal("0.0005"), "per_day", 5, Decimal("0.1"), "第十一条"),
        ContractType.APARTMENT: (Decimal("0.0003"), "per_day", 3, Decimal("0.05"), "第九条"),
        ContractType.EQUIPMENT: (Decimal("0.015"), "per_month", 3, Decimal("0.2"), "第八条"),
    }.items()
}


class Unit(NamedTuple):
    """What leasing needs to know of an asset."""

    code: str
    asset_type: AssetType
    area_m2: Decimal | None
    drawn_status: AssetStatus


@dataclass(frozen=True)
class ProjectLeasing:
    """The leases of one project and the status each of its assets ends up with."""

    leases: tuple[DemoLease, ...]
    statuses: dict[str, AssetStatus]


# Planning -------------------------------------------------------------------------------------


def plan_project(
    project_code: str,
    city: str,
    units: Sequence[Unit],
    managers: Sequence[str],
    today: date,
    rng: random.Random,
) -> ProjectLeasing:
    """Leases over most lettable units of a project, and asset statuses that agree with them."""
    statuses = {unit.code: unit.drawn_status for unit in units}
    by_type: dict[AssetType, list[Unit]] = {}
    for unit in units:
        by_type.setdefault(unit.asset_type, []).append(unit)
    taken: set[str] = set()
    numbers: dict[int, int] = {}
    leases = []
    for unit in units:
        if unit.drawn_status not in LETTABLE or unit.code in taken:
            continue
        statuses[unit.code] = AssetStatus.VACANT
        chance = SPACE_LEASE_CHANCE if unit.asset_type in _SPACE else EQUIPMENT_LEASE_CHANCE
        if rng.random() >= chance:
            continue
        let = [unit]
        if unit.asset_type in _ADJACENT_TYPES and rng.random() < ADJACENT_CHANCE:
            neighbour = _next_unit(by_type[unit.asset_type], unit)
            if neighbour is not None and neighbour.drawn_status in LETTABLE and neighbour.code not in taken:
                let.append(neighbour)
        taken.update(u.code for u in let)
        lease = _lease(project_code, city, let, managers, today, rng, numbers)
        leases.append(lease)
        for code in lease.asset_codes:
            statuses[code] = asset_status(lease.status)
    return ProjectLeasing(tuple(leases), statuses)


def asset_status(status: LeaseStatus) -> AssetStatus:
    """The status of an asset let by a lease in this status (the lease is the only one on the asset)."""
    if status in _STARTED:
        return AssetStatus.LEASED
    if status is LeaseStatus.SIGNED:
        return AssetStatus.PENDING_DELIVERY
    return AssetStatus.VACANT


def _next_unit(units: list[Unit], unit: Unit) -> Unit | None:
    position = units.index(unit)
    return units[position + 1] if position + 1 < len(units) else None


def _lease(
    project_code: str,
    city: str,
    units: list[Unit],
    managers: Sequence[str],
    today: date,
    rng: random.Random,
    numbers: dict[int, int],
) -> DemoLease:
    asset_type = units[0].asset_type
    contract_type = _CONTRACT_TYPE[asset_type]
    template = TEMPLATES_BY_TYPE[contract_type]
    terms, term_weights = zip(*_TERM_MONTHS[contract_type], strict=True)
    term = rng.choices(terms, term_weights)[0]
    status = rng.choices(_FATES, _FATE_WEIGHTS)[0]
    starts_on, ends_on = _term(status, term, expiring_from(today, template.notice_period_days), today, rng)
    lines = _lines(asset_type, city, units, term, rng)
    concessions = _free_rent(contract_type, starts_on, ends_on, rng)
    numbers[starts_on.year] = numbers.get(starts_on.year, 0) + 1
    signed_at = None
    if status is not LeaseStatus.DRAFT:
        signed_on = starts_on - timedelta(days=rng.randint(7, 40))
        signed_at = datetime.combine(signed_on, time(2, 0), UTC)  # 10:00 in China
    rent = lines[0].monthly_amount
    return DemoLease(
        number=f"{project_code}-{starts_on.year}-{numbers[starts_on.year]:04d}",
        project_code=project_code,
        contract_type=contract_type,
        asset_codes=tuple(unit.code for unit in units),
        status=status,
        starts_on=starts_on,
        ends_on=ends_on,
        customer_code=None,
        account_manager=rng.choice(managers),
        deposit_amount=(rent * template.deposit_months).quantize(CENT),
        purpose=rng.choice(_PURPOSE[contract_type]),
        lines=lines,
        concessions=concessions,
        signed_at=signed_at,
        closed_on=ends_on if status is LeaseStatus.ENDED else None,
    )


def _term(
    status: LeaseStatus, months: int, window_days: int, today: date, rng: random.Random
) -> tuple[date, date]:
    """Start and end of a `months`-long term that puts the lease in `status` on `today`."""

    def ending(start: date) -> date:
        return add_months(start, months) - ONE_DAY

    this_month = today.replace(day=1)
    if status is LeaseStatus.SIGNED:
        start = add_months(this_month, 1)
    elif status is LeaseStatus.DRAFT:
        start = add_months(this_month, rng.randint(1, 3))
    elif status is LeaseStatus.ENDED:
        end = add_months(this_month, -rng.randint(0, 11)) - ONE_DAY
        start = add_months(end + ONE_DAY, -months)
    elif status is LeaseStatus.EXPIRING:
        month_ends = [
            end
            for end in (add_months(this_month, n) - ONE_DAY for n in (1, 2, 3))
            if today < end < today + timedelta(days=60)
        ]
        end = rng.choice(month_ends)
        start = add_months(end + ONE_DAY, -months)
    else:
        # Active: begun, and ending after the expiring window.
        latest = max(
            n for n in range(months) if ending(add_months(this_month, -n)) > today + timedelta(window_days)
        )
        start = add_months(this_month, -rng.randint(0, latest))
    return start, ending(start)


def _lines(
    asset_type: AssetType, city: str, units: list[Unit], term: int, rng: random.Random
) -> tuple[DemoChargeLine, ...]:
    level = _CITY_LEVEL[city]
    if asset_type in _EQUIPMENT_RENT:
        low, high = _EQUIPMENT_RENT[asset_type]
        return (DemoChargeLine(ChargeType.RENT, Decimal(round(rng.uniform(low, high), -1)).quantize(CENT)),)
    area = sum((unit.area_m2 or Decimal(0) for unit in units), Decimal(0))
    city_factor = max(level, 0.6) if asset_type is AT.WAREHOUSE_UNIT else level
    daily = Decimal(f"{_DAILY_RATE[asset_type] * city_factor * rng.uniform(0.85, 1.15):.2f}")
    rent = (daily * area * DAYS_PER_MONTH).quantize(Decimal(1)).quantize(CENT)
    escalation_percent = None
    if term >= 24 and asset_type in _ADJACENT_TYPES and rng.random() < ESCALATION_CHANCE:
        escalation_percent = Decimal(rng.choice((3, 4, 5)))
    lines = [DemoChargeLine(ChargeType.RENT, rent, escalation_percent, 12 if escalation_percent else None)]
    if asset_type in _SERVICE_FEE_PER_M2:
        per_m2 = Decimal(f"{max(_SERVICE_FEE_PER_M2[asset_type] * level, 12.0):.1f}")
        lines.append(DemoChargeLine(ChargeType.SERVICE_FEE, (per_m2 * area).quantize(CENT)))
        if rng.random() < PARKING_CHANCE:
            spaces = rng.randint(1, 4)
            fee = Decimal(round(_PARKING_FEE * max(level, 0.5), -1))
            lines.append(DemoChargeLine(ChargeType.PARKING, (fee * spaces).quantize(CENT)))
    return tuple(lines)


def _free_rent(
    contract_type: ContractType, starts_on: date, ends_on: date, rng: random.Random
) -> tuple[DemoConcession, ...]:
    if contract_type not in (CT.OFFICE, CT.RETAIL, CT.WAREHOUSE) or rng.random() >= FREE_RENT_CHANCE:
        return ()
    months = rng.randint(1, 3 if contract_type is CT.OFFICE else 2)
    ends = min(add_months(starts_on, months) - ONE_DAY, ends_on)
    return (DemoConcession(starts_on, ends, f"免租期{months}个月（装修期）"),)
