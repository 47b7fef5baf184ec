"""Regions, projects, assets and customers: their kinds and the rules their data must follow."""

from __future__ import annotations

import enum
import math
import zoneinfo
from collections.abc import Mapping
from decimal import Decimal
from functools import cache
from typing import Any

import holidays
import shapely.geometry
from shapely.errors import GEOSException

from backend.core.domain.errors import N_, ValidationFailed
from backend.core.domain.reasons import says_something


class ProjectCategory(enum.StrEnum):
    """What kind of site a project is."""

    OFFICE = "office"
    RETAIL = "retail"
    APARTMENT = "apartment"
    INDUSTRIAL_PARK = "industrial_park"
    WAREHOUSE = "warehouse"
    EQUIPMENT_DEPOT = "equipment_depot"
    MIXED_USE = "mixed_use"


class AssetKind(enum.StrEnum):
    """A space unit is let by area; an equipment item by serial number."""

    SPACE = "space"
    EQUIPMENT = "equipment"


class AssetType(enum.StrEnum):
    """The asset's use; each type belongs to one kind."""

    OFFICE = "office"
    SHOP = "shop"
    APARTMENT = "apartment"
    WAREHOUSE_UNIT = "warehouse_unit"
    PARKING_SPACE = "parking_space"
    MACHINERY = "machinery"
    VEHICLE = "vehicle"
    MEDICAL_EQUIPMENT = "medical_equipment"
    IT_EQUIPMENT = "it_equipment"


ASSET_TYPE_KIND: dict[AssetType, AssetKind] = {
    AssetType.OFFICE: AssetKind.SPACE,
    AssetType.SHOP: AssetKind.SPACE,
    AssetType.APARTMENT: AssetKind.SPACE,
    AssetType.WAREHOUSE_UNIT: AssetKind.SPACE,
    AssetType.PARKING_SPACE: AssetKind.SPACE,
    AssetType.MACHINERY: AssetKind.EQUIPMENT,
    AssetType.VEHICLE: AssetKind.EQUIPMENT,
    AssetType.MEDICAL_EQUIPMENT: AssetKind.EQUIPMENT,
    AssetType.IT_EQUIPMENT: AssetKind.EQUIPMENT,
}


class AssetStatus(enum.StrEnum):
    """Where an asset stands in its letting life; changes follow the asset state machine."""

    VACANT = "vacant"
    RESERVED = "reserved"
    PENDING_DELIVERY = "pending_delivery"
    LEASED = "leased"
    MAINTENANCE = "maintenance"
    RENOVATION = "renovation"
    RETIRED = "retired"


# Asset statuses as people read them (translated by the catalogue).
ASSET_STATUS_NAMES = {
    "vacant": N_("Vacant"), "reserved": N_("Reserved"), "pending_delivery": N_("Pending delivery"),
    "leased": N_("Leased"), "maintenance": N_("Maintenance"), "renovation": N_("Renovation"),
    "retired": N_("Retired"),
}  # fmt: skip


class LeaseEndStatus(enum.StrEnum):
    """Where a project's assets go when their lease ends."""

    RENOVATION = "renovation"
    VACANT = "vacant"

    @property
    def asset_status(self) -> AssetStatus:
        """The asset status this choice stands for."""
        return AssetStatus(self.value)


class CustomerKind(enum.StrEnum):
    """A tenant is a company or a private person."""

    COMPANY = "company"
    PERSON = "person"


class CustomerTier(enum.StrEnum):
    """Key accounts are handled personally by their account manager."""

    KEY_ACCOUNT = "key_account"
    STANDARD = "standard"


GEOFENCE_TYPES = ("Polygon", "MultiPolygon", "Point")
MAX_GEOFENCE_RADIUS_M = Decimal(10_000)


@cache
def _timezones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


@cache
def holiday_calendars() -> frozenset[str]:
    """Country codes the `holidays` package knows, e.g. CN."""
    return frozenset(holidays.list_supported_countries())


def check_timezone(value: str) -> list[str]:
    """Messages for an unknown IANA time zone name."""
    return [] if value in _timezones() else [N_("Unknown time zone; use an IANA name such as Asia/Shanghai.")]


def check_holiday_calendar(value: str) -> list[str]:
    """Messages for a holiday calendar code the holidays package does not know."""
    if value in holiday_calendars():
        return []
    return [N_("Unknown holiday calendar; use an ISO country code such as CN.")]


# Where presence on site is judged (an asset's or its project's fence) and how (the project's field policy).
# Changing them is itself a four-eyes change: a proposal that another person approves.
FENCE_FIELDS = ("geofence", "geofence_radius_m")
POLICY_FIELDS = (
    "remote_confirmation_allowed",
    "remote_report_allowed",
    "gps_max_accuracy_m",
    "gps_tolerance_m",
)
ASSET_FIELD_SETTINGS = FENCE_FIELDS
PROJECT_FIELD_SETTINGS = FENCE_FIELDS + POLICY_FIELDS
THROUGH_A_PROPOSAL = N_(
    "Changed only through a proposal that a second person approves: POST field-settings on this resource."
)


def field_settings_change(
    current: Mapping[str, Any], proposal: Mapping[str, Any], names: tuple[str, ...]
) -> dict[str, tuple[Any, Any]]:
    """The settings a proposal changes, each as (current, proposed); values it repeats are left out."""
    return {
        name: (current.get(name), proposal[name])
        for name in names
        if name in proposal and proposal[name] != current.get(name)
    }


def check_field_settings_proposal(
    changes: Mapping[str, tuple[Any, Any]], current: Mapping[str, Any], reason: str | None
) -> None:
    """A proposal must change something, keep the fence valid, and say why."""
    if not changes:
        raise ValidationFailed({}, N_("The proposal changes nothing: every value sent is already in force."))
    errors: dict[str, list[str]] = {}
    if not says_something(reason):
        errors["reason"] = [N_("Say why, in a few words: at least 4 Chinese characters or 8 letters.")]
    fence = {name: changes[name][1] if name in changes else current.get(name) for name in FENCE_FIELDS}
    errors |= check_geofence(fence["geofence"], fence["geofence_radius_m"])
    if errors:
        raise ValidationFailed(errors)


_RADIUS_WITHOUT_POINT = ("geofence_radius_m", N_("A radius needs a Point geofence."))


def check_geofence(geometry: Mapping[str, Any] | None, radius_m: Decimal | None) -> dict[str, list[str]]:
    """Field errors for a GeoJSON geofence: a valid polygon, or a point with a radius in metres."""
    problem = _geofence_problem(geometry, radius_m)
    return {problem[0]: [problem[1]]} if problem else {}


def _geofence_problem(geometry: Mapping[str, Any] | None, radius_m: Decimal | None) -> tuple[str, str] | None:
    if geometry is None:
        return None if radius_m is None else _RADIUS_WITHOUT_POINT
    shape, problem = _parse_geometry(geometry)
    if problem:
        return "geofence", problem
    if geometry["type"] == "Point":
        radius_ok = radius_m is not None and Decimal(0) < radius_m <= MAX_GEOFENCE_RADIUS_M
        return (
            None
            if radius_ok
            else ("geofence_radius_m", N_("A Point geofence needs a radius between 0 and 10000 m."))
        )
    if radius_m is not None:
        return _RADIUS_WITHOUT_POINT
    if not shape.is_valid:
        return "geofence", N_("Geofence polygon is not valid (self-intersecting or unclosed).")
    return None


def _parse_geometry(geometry: Mapping[str, Any]) -> tuple[Any, str | None]:
    """The shapely shape of a GeoJSON geometry of an accepted type, or why it cannot be one."""
    if geometry.get("type") not in GEOFENCE_TYPES:
        return None, N_("Geofence must be a GeoJSON Polygon, MultiPolygon or Point.")
    if not _finite_numbers(geometry.get("coordinates")):
        return None, N_("Geofence coordinates are not valid GeoJSON.")
    try:
        shape = shapely.geometry.shape(geometry)
    except (GEOSException, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None, N_("Geofence coordinates are not valid GeoJSON.")
    if shape.is_empty or not _coordinates_on_earth(shape.bounds):
        return None, N_("Geofence coordinates must be [longitude, latitude] in degrees.")
    return shape, None


def _finite_numbers(coordinates: Any) -> bool:
    """Nested lists of finite numbers only (JSON may carry NaN, which shapely only warns about)."""
    if isinstance(coordinates, list):
        return bool(coordinates) and all(_finite_numbers(item) for item in coordinates)
    is_number = isinstance(coordinates, int | float) and not isinstance(coordinates, bool)
    return is_number and math.isfinite(coordinates)


def _coordinates_on_earth(bounds: tuple[float, float, float, float]) -> bool:
    min_x, min_y, max_x, max_y = bounds
    return -180 <= min_x <= max_x <= 180 and -90 <= min_y <= max_y <= 90


def check_location(latitude: Decimal | None, longitude: Decimal | None) -> dict[str, list[str]]:
    """Field errors for a point given as latitude and longitude: both or neither, on the globe."""
    errors: dict[str, list[str]] = {}
    if (latitude is None) != (longitude is None):
        missing = "latitude" if latitude is None else "longitude"
        errors[missing] = [N_("Give latitude and longitude together.")]
    if latitude is not None and not Decimal(-90) <= latitude <= Decimal(90):
        errors["latitude"] = [N_("Latitude must lie between -90 and 90.")]
    if longitude is not None and not Decimal(-180) <= longitude <= Decimal(180):
        errors["longitude"] = [N_("Longitude must lie between -180 and 180.")]
    return errors


def check_asset(values: Mapping[str, Any]) -> None:
    """Refuse an asset whose fields do not fit its kind (area for spaces, serial for equipment)."""
    errors: dict[str, list[str]] = {}
    asset_type = AssetType(values["asset_type"])
    kind = AssetKind(values["kind"])
    if ASSET_TYPE_KIND[asset_type] is not kind:
        errors["asset_type"] = [N_("This asset type does not belong to the asset's kind.")]
    if kind is AssetKind.SPACE:
        area = values.get("area_m2")
        if area is None or area <= 0:
            errors["area_m2"] = [N_("A space unit needs an area in m² greater than 0.")]
    elif not values.get("serial_number"):
        errors["serial_number"] = [N_("An equipment item needs a serial number.")]
    errors |= check_location(values.get("latitude"), values.get("longitude"))
    errors |= check_geofence(values.get("geofence"), values.get("geofence_radius_m"))
    if errors:
        raise ValidationFailed(errors)


def check_project(values: Mapping[str, Any]) -> None:
    """Refuse a project with an unknown time zone or calendar, or a broken geofence."""
    errors: dict[str, list[str]] = {}
    if messages := check_timezone(values["timezone"]):
        errors["timezone"] = messages
    if messages := check_holiday_calendar(values["holiday_calendar"]):
        errors["holiday_calendar"] = messages
    errors |= check_location(values.get("latitude"), values.get("longitude"))
    errors |= check_geofence(values.get("geofence"), values.get("geofence_radius_m"))
    if errors:
        raise ValidationFailed(errors)
