"""Organisation rules: geofences, locations, time zones, calendars and asset kinds."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from backend.core.domain.errors import ValidationFailed
from backend.org.domain.org import (
    AssetStatus,
    LeaseEndStatus,
    check_asset,
    check_geofence,
    check_location,
    check_project,
)

# Suzhou Industrial Park, a warehouse block: a real footprint in [lon, lat].
SUZHOU_BLOCK = {
    "type": "Polygon",
    "coordinates": [
        [
            [120.7205, 31.3235],
            [120.7241, 31.3235],
            [120.7241, 31.3261],
            [120.7205, 31.3261],
            [120.7205, 31.3235],
        ]
    ],
}


def test_a_real_polygon_and_a_point_with_radius_are_valid_fences() -> None:
    assert check_geofence(SUZHOU_BLOCK, None) == {}
    assert check_geofence({"type": "Point", "coordinates": [121.47, 31.23]}, Decimal(150)) == {}
    assert check_geofence(None, None) == {}


@pytest.mark.parametrize(
    ("geometry", "radius", "field"),
    [
        (None, Decimal(100), "geofence_radius_m"),
        (SUZHOU_BLOCK, Decimal(100), "geofence_radius_m"),
        ({"type": "Point", "coordinates": [121.47, 31.23]}, None, "geofence_radius_m"),
        ({"type": "Point", "coordinates": [121.47, 31.23]}, Decimal(20_000), "geofence_radius_m"),
        ({"type": "Point", "coordinates": [31.23, 121.47]}, Decimal(100), "geofence"),  # lat/lon swapped
        ({"type": "Polygon", "coordinates": [[[0, 0], [2, 2], [2, 0], [0, 2], [0, 0]]]}, None, "geofence"),
        ({"type": "Polygon", "coordinates": [[1, 2]]}, None, "geofence"),
        ({"type": "Polygon", "coordinates": [[[0, 0], [float("nan"), 1], [1, 1], [0, 0]]]}, None, "geofence"),
        ({"type": "Feature"}, None, "geofence"),
        ({"coordinates": []}, None, "geofence"),
    ],
)
def test_broken_fences_name_the_field_at_fault(geometry: Any, radius: Decimal | None, field: str) -> None:
    assert field in check_geofence(geometry, radius)


def test_latitude_and_longitude_come_together_and_on_the_globe() -> None:
    assert check_location(Decimal("31.2"), Decimal("121.5")) == {}
    assert "longitude" in check_location(Decimal("31.2"), None)
    assert "latitude" in check_location(Decimal("-91"), Decimal("0"))


def test_projects_need_a_known_time_zone_and_holiday_calendar() -> None:
    check_project({"timezone": "Asia/Shanghai", "holiday_calendar": "CN"})
    with pytest.raises(ValidationFailed) as refused:
        check_project({"timezone": "China/Beijing", "holiday_calendar": "ZZ"})
    assert set(refused.value.fields) == {"timezone", "holiday_calendar"}


def test_spaces_need_an_area_and_equipment_a_serial_number() -> None:
    check_asset({"kind": "space", "asset_type": "office", "area_m2": Decimal("88.5")})
    check_asset({"kind": "equipment", "asset_type": "vehicle", "serial_number": "LFV2A21K"})
    with pytest.raises(ValidationFailed) as space:
        check_asset({"kind": "space", "asset_type": "apartment", "area_m2": Decimal(0)})
    assert set(space.value.fields) == {"area_m2"}
    with pytest.raises(ValidationFailed) as mixed:
        check_asset({"kind": "equipment", "asset_type": "shop"})
    assert set(mixed.value.fields) == {"asset_type", "serial_number"}


def test_the_lease_end_choice_names_an_asset_status() -> None:
    assert LeaseEndStatus.RENOVATION.asset_status is AssetStatus.RENOVATION
    assert LeaseEndStatus.VACANT.asset_status is AssetStatus.VACANT
