"""The consistency audit on hand-built facts: one test per kind of disagreement, an asset that agrees with
everything, and the rates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from backend.iot.domain.audit import (
    AssetFacts,
    FindingKind,
    LeaseFact,
    RequestFact,
    Tally,
    disagreements,
    previous_period,
    tally,
    total,
)
from backend.org.domain.org import AssetStatus as S

TODAY = date(2026, 11, 30)
NOW = datetime(2026, 11, 30, 2, tzinfo=UTC)
IN_FORCE = LeaseFact(7, "SH-01-2026-0007", "active", date(2026, 1, 1), date(2026, 12, 31))


def facts(status: S, **values: Any) -> AssetFacts:
    base: dict[str, Any] = {"asset_id": 1, "project_id": 1, "status": status, "today": TODAY, "now": NOW,
                            "created_on": TODAY - timedelta(days=30)}  # fmt: skip
    return AssetFacts(**(base | values))


def kinds(found: AssetFacts) -> list[FindingKind]:
    return [item.kind for item in disagreements(found)]


def test_an_asset_in_agreement_has_no_finding() -> None:
    assert kinds(facts(S.LEASED, active_leases=(IN_FORCE,))) == []
    assert kinds(facts(S.VACANT)) == []


def test_leased_without_an_active_lease() -> None:
    """Leased, but its only lease ended in October: named with the lease."""
    ended = LeaseFact(3, "SH-01-2025-0003", "active", date(2025, 11, 1), date(2026, 10, 31))
    [found] = disagreements(facts(S.LEASED, active_leases=(ended,)))
    assert found.kind is FindingKind.LEASED_WITHOUT_LEASE
    assert [row.label for row in found.rows] == ["SH-01-2025-0003"]


def test_vacant_with_an_active_lease() -> None:
    [found] = disagreements(facts(S.VACANT, active_leases=(IN_FORCE,)))
    assert found.kind is FindingKind.VACANT_WITH_LEASE
    assert [(row.type, row.id) for row in found.rows] == [("lease", 7)]


def test_pending_delivery_long_after_the_start() -> None:
    """Started 1 November, still pending delivery on the 30th: 29 days."""
    late = LeaseFact(8, "SH-01-2026-0008", "signed", date(2026, 11, 1), date(2027, 10, 31))
    [found] = disagreements(facts(S.PENDING_DELIVERY, active_leases=(late,)))
    assert (found.kind, found.params["days"]) == (FindingKind.DELIVERY_OVERDUE, 29)
    recent = LeaseFact(9, "SH-01-2026-0009", "signed", TODAY - timedelta(days=10), date(2027, 10, 31))
    assert kinds(facts(S.PENDING_DELIVERY, active_leases=(recent,))) == []


def test_maintenance_without_an_open_work_order() -> None:
    assert kinds(facts(S.MAINTENANCE)) == [FindingKind.MAINTENANCE_WITHOUT_WORK_ORDER]
    assert kinds(facts(S.MAINTENANCE, open_work_orders=((4, "漏水维修"),))) == []


def test_an_open_work_order_on_a_retired_asset() -> None:
    [found] = disagreements(facts(S.RETIRED, open_work_orders=((4, "漏水维修"),)))
    assert found.kind is FindingKind.WORK_ORDER_ON_RETIRED
    assert [(row.type, row.label) for row in found.rows] == [("work_order", "漏水维修")]


def test_a_field_request_based_on_another_status() -> None:
    """A pending vacant → reserved request on a unit that is leased by now."""
    request = RequestFact(12, S.VACANT, S.RESERVED, NOW - timedelta(hours=5), NOW + timedelta(hours=60))
    found = disagreements(facts(S.LEASED, active_leases=(IN_FORCE,), pending_requests=(request,)))
    assert [item.kind for item in found] == [FindingKind.REQUEST_STALE]


def test_a_field_request_waiting_too_long() -> None:
    """Past its expiry (the expiry job has not caught it) or pending for more than a week."""
    expired = RequestFact(13, S.VACANT, S.RESERVED, NOW - timedelta(days=4), NOW - timedelta(hours=1))
    [found] = disagreements(facts(S.VACANT, pending_requests=(expired,)))
    assert (found.kind, found.params["days"]) == (FindingKind.REQUEST_OVERDUE, 4)
    week = RequestFact(14, S.VACANT, S.RESERVED, NOW - timedelta(days=8), NOW + timedelta(days=1))
    assert kinds(facts(S.VACANT, pending_requests=(week,))) == [FindingKind.REQUEST_OVERDUE]


def test_an_open_iot_flag() -> None:
    [found] = disagreements(facts(S.VACANT, open_flags=((21, "vacant_consumption"),)))
    assert found.kind is FindingKind.IOT_FLAG_OPEN
    assert [(row.type, row.id, row.label) for row in found.rows] == [("iot_flag", 21, "vacant_consumption")]


def test_no_on_site_confirmation_for_too_long() -> None:
    """Confirmed on site 200 days ago: stale; never confirmed since it was created 181 days ago: stale too.
    A retired asset needs no visit."""
    [found] = disagreements(facts(S.VACANT, last_confirmed_on=TODAY - timedelta(days=200)))
    assert (found.kind, found.params) == (FindingKind.CONFIRMATION_STALE, {"days": 200, "never": False})
    [never] = disagreements(facts(S.VACANT, created_on=TODAY - timedelta(days=181)))
    assert never.params == {"days": 181, "never": True}
    assert kinds(facts(S.RETIRED, created_on=TODAY - timedelta(days=400))) == []


def test_rates_count_assets_not_findings() -> None:
    """Three assets, one with two findings: a third disagree; two groups add up."""
    east = tally([disagreements(facts(S.VACANT, active_leases=(IN_FORCE,), open_flags=((1, "x"),))), [], []])
    assert (east.assets, east.disagreeing, east.rate) == (3, 1, Decimal("0.3333"))
    assert east.kinds == {"vacant_with_lease": 1, "iot_flag_open": 1}
    both = total([east, Tally(1, 1, {"iot_flag_open": 1})])
    assert (both.assets, both.disagreeing, both.rate, both.kinds["iot_flag_open"]) == (
        4,
        2,
        Decimal("0.5"),
        2,
    )
    assert Tally().rate is None
    assert Tally.of_json(east.as_json()) == east


def test_the_month_before() -> None:
    assert previous_period("2026-01") == "2025-12"
    assert previous_period("2026-11") == "2026-10"
