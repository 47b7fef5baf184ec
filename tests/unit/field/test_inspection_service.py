"""Filing inspections on an in-memory unit of work: answers checked, result and evidence kept, one commit."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from backend.core.domain.access import Role
from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import Forbidden, ValidationFailed
from backend.core.services.context import Actor
from backend.field.domain.inspections import InspectionResult, ItemKind
from backend.field.services import inspections
from backend.org.domain.org import AssetKind, AssetType
from tests.support.fake_uow import FakeUnitOfWork, Given

NOW = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
CENTRE = (31.2341, 121.5012)  # lat, lon
FENCE = {"type": "Point", "coordinates": [CENTRE[1], CENTRE[0]]}
NAMEPLATE = "a" * 64
ITEMS = [
    {"key": "hour_meter", "label_zh": "小时表读数", "label_en": "Hour meter", "kind": ItemKind.NUMBER,
     "number_min": Decimal(0), "number_max": Decimal(20000), "number_unit": "h"},
    {"key": "hydraulic_leaks", "label_zh": "液压系统无泄漏", "label_en": "No hydraulic leaks",
     "kind": ItemKind.PASS_FAIL},
    {"key": "nameplate", "label_zh": "铭牌照片", "label_en": "Nameplate photo", "kind": ItemKind.PHOTO},
    {"key": "remarks", "label_zh": "备注", "label_en": "Remarks", "kind": ItemKind.TEXT, "required": False},
]  # fmt: skip


@dataclass
class Depot:
    """An equipment depot with a fence and one machine under its checklist; an inspector and an agent."""

    machine: Any
    checklist: Any
    inspector: Actor
    agent: Actor


@pytest.fixture
def depot(given: Given) -> Depot:
    project = given.project(given.region(), geofence=FENCE, geofence_radius_m=Decimal(50))
    machine = given.asset(project, kind=AssetKind.EQUIPMENT, asset_type=AssetType.MACHINERY, area_m2=None)
    return Depot(
        machine=machine,
        checklist=given.checklist(AssetType.MACHINERY, ITEMS),
        inspector=given.actor(given.user(Role.INSPECTOR, project=project), device_id=3),
        agent=given.actor(given.user(Role.LEASING_AGENT, project=project)),
    )


def answers(hours: str = "1234.5", leaks: bool = True) -> dict[str, Any]:
    return {
        "hour_meter": {"value": hours},
        "hydraulic_leaks": {"value": leaks},
        "nameplate": {"photos": [NAMEPLATE]},
    }


def file(uow: FakeUnitOfWork, depot: Depot, by: Actor | None = None, **changes: Any) -> Any:
    values = {
        "asset_id": depot.machine.id,
        "captured_at": NOW - timedelta(minutes=30),
        "latitude": Decimal(str(CENTRE[0])),
        "longitude": Decimal(str(CENTRE[1])),
        "accuracy_m": Decimal("6.0"),
        "answers": answers(),
    } | changes
    return inspections.submit_inspection(values, by or depot.inspector, uow, NOW)


def test_a_valid_inspection_is_stored_with_its_result_and_committed_once(
    uow: FakeUnitOfWork, depot: Depot
) -> None:
    inspection = file(uow, depot)

    assert uow.commits == 1
    assert uow.uncommitted() == []
    assert uow.written("inspections") == [inspection]
    assert (inspection.result, inspection.checklist_id, inspection.checklist_version) == (
        InspectionResult.PASS,
        depot.checklist.id,
        1,
    )
    assert (inspection.inspector_id, inspection.device_id) == (depot.inspector.user_id, 3)
    assert (inspection.fence_passed, inspection.fence_distance_m) == (True, Decimal("0.0"))
    stored = {a.item_key: a for a in uow.written("inspection_answers")}
    assert [a.item_key for a in inspection.answers] == ["hour_meter", "hydraulic_leaks", "nameplate"]
    assert set(stored) == {"hour_meter", "hydraulic_leaks", "nameplate"}
    assert all(a.inspection_id == inspection.id for a in stored.values())
    assert (stored["hour_meter"].number_value, stored["hour_meter"].passed) == (Decimal("1234.5"), True)
    assert stored["nameplate"].photo_hashes == [NAMEPLATE]
    [entry] = uow.written("audit_log")
    assert (entry.action, entry.entity_type, entry.entity_id) == (
        AuditAction.CREATE,
        "inspection",
        str(inspection.id),
    )
    assert [a["item_key"] for a in entry.after["answers"]] == ["hour_meter", "hydraulic_leaks", "nameplate"]


def test_a_reading_outside_its_range_or_a_failed_check_fails_the_inspection(
    uow: FakeUnitOfWork, depot: Depot
) -> None:
    inspection = file(uow, depot, answers=answers(hours="25000"))
    assert inspection.result is InspectionResult.FAIL
    assert [a.passed for a in inspection.answers] == [False, True, None]
    leaking = file(uow, depot, answers=answers(leaks=False))
    assert leaking.result is InspectionResult.FAIL
    assert uow.commits == 2


def test_an_inspection_missing_a_required_answer_is_refused_naming_the_item(
    uow: FakeUnitOfWork, depot: Depot
) -> None:
    incomplete = answers()
    del incomplete["hydraulic_leaks"]
    with pytest.raises(ValidationFailed) as refused:
        file(uow, depot, answers=incomplete)
    assert set(refused.value.fields) == {"answers.hydraulic_leaks"}
    assert uow.commits == 0
    assert uow.uncommitted() == []


def test_photos_cited_but_not_uploaded_yet_show_as_pending(
    uow: FakeUnitOfWork, depot: Depot, given: Given
) -> None:
    given.photo(depot.machine, NAMEPLATE)
    later = "b" * 64
    inspection = file(uow, depot, answers=answers() | {"nameplate": {"photos": [NAMEPLATE, later]}})
    assert inspection.evidence_pending == [later]
    assert uow.uncommitted() == []


def test_only_people_who_report_in_the_field_file_inspections(uow: FakeUnitOfWork, depot: Depot) -> None:
    with pytest.raises(Forbidden):
        file(uow, depot, by=depot.agent)
    assert uow.commits == 0
    assert uow.uncommitted() == []
