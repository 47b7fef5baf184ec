"""Geofences: is a GPS fix at the asset? Evaluated in metres, never in degrees.

Coordinates are projected onto the local tangent plane (east, north in metres) of the WGS 84 ellipsoid at
the fence's centre. Within the 10 km a fence may span, distances in that plane differ from distances on
the ellipsoid by well under a centimetre per kilometre, far below any phone's GPS accuracy.

A fix passes when (distance to the fence - accuracy) <= tolerance and accuracy <= the maximum accuracy.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import numpy as np
import numpy.typing as npt
import shapely
import shapely.geometry

from backend.core.domain.errors import N_

FloatArray = npt.NDArray[np.float64]

_WGS84_A = 6_378_137.0
_WGS84_F = 1 / 298.257223563
_WGS84_E2 = _WGS84_F * (2 - _WGS84_F)

DEFAULT_TOLERANCE_M = 10.0
DEFAULT_MAX_ACCURACY_M = 50.0


class FenceReason(enum.StrEnum):
    """Why a fix did not pass."""

    TOO_INACCURATE = "too_inaccurate"
    OUTSIDE = "outside"


REASON_MESSAGES = {
    FenceReason.TOO_INACCURATE: N_("The GPS fix is too inaccurate (%(accuracy_m)s m) to prove presence."),
    FenceReason.OUTSIDE: N_("The GPS fix lies outside the geofence by %(outside_by_m)s m."),
}


@dataclass(frozen=True)
class LocalProjection:
    """The tangent plane of the WGS 84 ellipsoid at an origin: east and north in metres."""

    latitude: float
    longitude: float

    def to_metres(self, latitudes: Any, longitudes: Any) -> tuple[FloatArray, FloatArray]:
        """East and north offsets in metres of points given in degrees (scalars or arrays)."""
        lat = np.radians(np.asarray(latitudes, dtype=np.float64))
        lon = np.radians(np.asarray(longitudes, dtype=np.float64))
        x, y, z = _ecef(lat, lon)
        lat0, lon0 = math.radians(self.latitude), math.radians(self.longitude)
        x0, y0, z0 = _ecef(np.float64(lat0), np.float64(lon0))
        dx, dy, dz = x - x0, y - y0, z - z0
        sin_lat0, cos_lat0 = math.sin(lat0), math.cos(lat0)
        sin_lon0, cos_lon0 = math.sin(lon0), math.cos(lon0)
        east = -sin_lon0 * dx + cos_lon0 * dy
        north = -sin_lat0 * cos_lon0 * dx - sin_lat0 * sin_lon0 * dy + cos_lat0 * dz
        return east, north


def _ecef(lat: Any, lon: Any) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Earth-centred coordinates of points on the ellipsoid's surface (height 0)."""
    sin_lat = np.sin(lat)
    n = _WGS84_A / np.sqrt(1 - _WGS84_E2 * sin_lat * sin_lat)
    return n * np.cos(lat) * np.cos(lon), n * np.cos(lat) * np.sin(lon), n * (1 - _WGS84_E2) * sin_lat


@dataclass(frozen=True)
class FencePolicy:
    """A project's rule for fixes: the tolerance beyond the fence and the worst accuracy accepted."""

    tolerance_m: float = DEFAULT_TOLERANCE_M
    max_accuracy_m: float = DEFAULT_MAX_ACCURACY_M


@dataclass(frozen=True)
class FenceCheck:
    """The result of checking one fix against a fence."""

    inside: bool
    distance_m: float
    accuracy_m: float
    passed: bool
    reason: FenceReason | None = None
    outside_by_m: float = 0.0

    def message(self) -> tuple[str, dict[str, Any]] | None:
        """The translatable message and its parameters for a fix that did not pass."""
        if self.reason is None:
            return None
        return REASON_MESSAGES[self.reason], {
            "accuracy_m": f"{self.accuracy_m:.1f}",
            "outside_by_m": f"{self.outside_by_m:.1f}",
        }


@dataclass(frozen=True)
class FenceChecks:
    """The results of checking many fixes at once, one array entry per fix."""

    inside: npt.NDArray[np.bool_]
    distance_m: FloatArray
    passed: npt.NDArray[np.bool_]


class Geofence:
    """A polygon or a point with a radius, held in local metres around its centre."""

    def __init__(self, geometry: Mapping[str, Any], radius_m: float | Decimal | None = None) -> None:
        shape = shapely.geometry.shape(geometry)
        if shape.geom_type not in {"Polygon", "MultiPolygon", "Point"}:
            raise ValueError(f"unsupported geofence type {shape.geom_type}")
        if shape.geom_type == "Point" and (radius_m is None or float(radius_m) <= 0):
            raise ValueError("a Point geofence needs a positive radius")
        centre = shape.centroid
        self.projection = LocalProjection(latitude=centre.y, longitude=centre.x)
        self.radius_m = float(radius_m) if shape.geom_type == "Point" and radius_m is not None else None
        self.shape_m = shapely.transform(shape, self._project_xy)
        shapely.prepare(self.shape_m)

    def _project_xy(self, lon_lat: FloatArray) -> FloatArray:
        east, north = self.projection.to_metres(lon_lat[:, 1], lon_lat[:, 0])
        return np.column_stack([east, north])

    def distances_m(self, latitudes: Any, longitudes: Any) -> FloatArray:
        """Distances in metres from points to the fence (0 inside), vectorised."""
        east, north = self.projection.to_metres(latitudes, longitudes)
        points = shapely.points(east, north)
        distances: FloatArray = np.asarray(shapely.distance(points, self.shape_m), dtype=np.float64)
        if self.radius_m is not None:
            distances = np.maximum(distances - self.radius_m, 0.0)
        return distances

    def check(
        self, latitude: float, longitude: float, accuracy_m: float, policy: FencePolicy = FencePolicy()
    ) -> FenceCheck:
        """Check one fix."""
        distance = float(self.distances_m(latitude, longitude))
        accuracy = float(accuracy_m)
        passed_distance = distance - accuracy <= policy.tolerance_m
        if accuracy > policy.max_accuracy_m:
            return FenceCheck(distance == 0.0, distance, accuracy, False, FenceReason.TOO_INACCURATE)
        if not passed_distance:
            outside_by = distance - accuracy - policy.tolerance_m
            return FenceCheck(False, distance, accuracy, False, FenceReason.OUTSIDE, outside_by)
        return FenceCheck(distance == 0.0, distance, accuracy, True)

    def check_many(
        self, latitudes: Any, longitudes: Any, accuracies_m: Any, policy: FencePolicy = FencePolicy()
    ) -> FenceChecks:
        """Check many fixes at once (arrays of equal length)."""
        distances = self.distances_m(latitudes, longitudes)
        accuracies = np.asarray(accuracies_m, dtype=np.float64)
        passed = (accuracies <= policy.max_accuracy_m) & (distances - accuracies <= policy.tolerance_m)
        return FenceChecks(inside=distances == 0.0, distance_m=distances, passed=passed)


def fence_for(
    asset_geofence: Mapping[str, Any] | None,
    asset_radius_m: float | Decimal | None,
    project_geofence: Mapping[str, Any] | None,
    project_radius_m: float | Decimal | None,
) -> Geofence | None:
    """The asset's own fence, else its project's, else None (no fence to check against)."""
    if asset_geofence is not None:
        return Geofence(asset_geofence, asset_radius_m)
    if project_geofence is not None:
        return Geofence(project_geofence, project_radius_m)
    return None


# Plausibility ------------------------------------------------------------------------------------

_EARTH_MEAN_RADIUS_M = 6_371_008.8
DEFAULT_MAX_SPEED_KMH = 200.0
DEFAULT_MAX_UPLOAD_GAP = timedelta(hours=24)


class PlausibilityFlag(enum.StrEnum):
    """A sign that a fix may not be genuine, shown to the manager as evidence (never a refusal)."""

    ZERO_ACCURACY = "zero_accuracy"
    IMPLAUSIBLE_SPEED = "implausible_speed"
    REPEATED_COORDINATES = "repeated_coordinates"
    LATE_UPLOAD = "late_upload"


@dataclass(frozen=True)
class Fix:
    """One GPS fix as a device captured it."""

    latitude: float
    longitude: float
    accuracy_m: float
    captured_at: datetime
    uploaded_at: datetime | None = None


@dataclass(frozen=True)
class PlausibilityPolicy:
    """Thresholds for the plausibility flags."""

    max_speed_kmh: float = DEFAULT_MAX_SPEED_KMH
    max_upload_gap: timedelta = DEFAULT_MAX_UPLOAD_GAP


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres on the mean Earth sphere."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi, d_lambda = phi2 - phi1, math.radians(lon2 - lon1)
    h = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * _EARTH_MEAN_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def has_zero_accuracy(fix: Fix) -> bool:
    """Real receivers never report an accuracy of exactly 0; mock-location apps often do."""
    return fix.accuracy_m == 0


def implied_speed_kmh(previous: Fix, fix: Fix) -> float:
    """The speed in km/h needed to travel between two fixes of one device (infinite for no time)."""
    distance = haversine_m(previous.latitude, previous.longitude, fix.latitude, fix.longitude)
    seconds = abs((fix.captured_at - previous.captured_at).total_seconds())
    if seconds == 0:
        return 0.0 if distance == 0 else math.inf
    return distance / seconds * 3.6


def is_too_fast(previous: Fix, fix: Fix, max_speed_kmh: float = DEFAULT_MAX_SPEED_KMH) -> bool:
    """Whether the device would have moved faster than `max_speed_kmh` between two fixes."""
    return implied_speed_kmh(previous, fix) > max_speed_kmh


def repeats_coordinates(fix: Fix, earlier: Iterable[Fix]) -> bool:
    """Whether an earlier fix had exactly the same latitude and longitude (a replayed position)."""
    return any(e.latitude == fix.latitude and e.longitude == fix.longitude for e in earlier)


def is_late_upload(fix: Fix, max_gap: timedelta = DEFAULT_MAX_UPLOAD_GAP) -> bool:
    """Whether the fix reached the server more than `max_gap` after it was captured."""
    return fix.uploaded_at is not None and fix.uploaded_at - fix.captured_at > max_gap


def plausibility_flags(
    fix: Fix, earlier: Sequence[Fix] = (), policy: PlausibilityPolicy = PlausibilityPolicy()
) -> list[PlausibilityFlag]:
    """Every flag a fix raises, given the same device's earlier fixes in capture order."""
    flags = []
    if has_zero_accuracy(fix):
        flags.append(PlausibilityFlag.ZERO_ACCURACY)
    if earlier and is_too_fast(earlier[-1], fix, policy.max_speed_kmh):
        flags.append(PlausibilityFlag.IMPLAUSIBLE_SPEED)
    if repeats_coordinates(fix, earlier):
        flags.append(PlausibilityFlag.REPEATED_COORDINATES)
    if is_late_upload(fix, policy.max_upload_gap):
        flags.append(PlausibilityFlag.LATE_UPLOAD)
    return flags
