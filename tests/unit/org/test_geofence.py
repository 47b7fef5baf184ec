"""Geofence checks in metres on real sites, the accuracy rule at its limits, and plausibility flags."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
import pytest

from backend.org.domain.geofence import (
    FencePolicy,
    FenceReason,
    Fix,
    Geofence,
    LocalProjection,
    PlausibilityFlag,
    PlausibilityPolicy,
    fence_for,
    haversine_m,
    implied_speed_kmh,
    is_late_upload,
    plausibility_flags,
    repeats_coordinates,
)

# Shanghai Tower, Lujiazui: its footprint, about 76 m by 78 m, in [lon, lat].
LUJIAZUI_TOWER = {
    "type": "Polygon",
    "coordinates": [
        [
            [121.50495, 31.23305],
            [121.50575, 31.23305],
            [121.50575, 31.23375],
            [121.50495, 31.23375],
            [121.50495, 31.23305],
        ]
    ],
}
# An L-shaped plot in Suzhou Industrial Park: the north-east corner is someone else's.
SUZHOU_PLOT = {
    "type": "Polygon",
    "coordinates": [
        [
            [120.7205, 31.3235],
            [120.7241, 31.3235],
            [120.7241, 31.3248],
            [120.7223, 31.3248],
            [120.7223, 31.3261],
            [120.7205, 31.3261],
            [120.7205, 31.3235],
        ]
    ],
}
# A bonded warehouse at Waigaoqiao, Shanghai: a point with a 150 m radius.
WAREHOUSE = {"type": "Point", "coordinates": [121.5880, 31.3560]}
WAREHOUSE_RADIUS = Decimal(150)

TOWER_CENTRE = (31.23340, 121.50535)


@pytest.fixture
def tower() -> Geofence:
    return Geofence(LUJIAZUI_TOWER)


def test_the_local_projection_measures_distances_as_the_great_circle_does() -> None:
    projection = LocalProjection(31.2334, 121.5053)
    for lat, lon in [(31.2434, 121.5053), (31.2334, 121.5153), (31.3, 121.58), (31.17, 121.43)]:
        east, north = projection.to_metres(lat, lon)
        planar = float(np.hypot(east, north))
        # The sphere and the ellipsoid differ by up to 0.5 %; the plane must match the sphere that closely.
        assert planar == pytest.approx(haversine_m(31.2334, 121.5053, lat, lon), rel=5e-3)


def test_a_fix_inside_the_tower_footprint_passes_at_distance_zero(tower: Geofence) -> None:
    check = tower.check(*TOWER_CENTRE, accuracy_m=8)
    assert (check.inside, check.distance_m, check.passed, check.reason) == (True, 0.0, True, None)


def test_the_distance_outside_the_tower_is_measured_in_metres(tower: Geofence) -> None:
    lat, lon = 31.2334, 121.50680  # due east of the east edge (121.50575)
    expected = haversine_m(lat, 121.50575, lat, lon)
    assert expected == pytest.approx(100, abs=1)
    check = tower.check(lat, lon, accuracy_m=20)
    assert check.distance_m == pytest.approx(expected, rel=5e-3)
    assert not check.passed
    assert check.reason is FenceReason.OUTSIDE
    assert check.outside_by_m == pytest.approx(check.distance_m - 20 - 10)
    message, params = check.message() or ("", {})
    assert "outside the geofence" in message
    assert float(params["outside_by_m"]) == pytest.approx(check.outside_by_m, abs=0.05)


def test_the_accuracy_circle_and_the_tolerance_decide_at_the_edge(tower: Geofence) -> None:
    lat, lon = 31.2334, 121.50610  # about 33 m east of the footprint
    distance = float(tower.distances_m(lat, lon))
    policy = FencePolicy(tolerance_m=10, max_accuracy_m=50)
    just_enough = distance - 10 + 0.01
    just_short = distance - 10 - 0.01
    assert tower.check(lat, lon, just_enough, policy).passed
    short = tower.check(lat, lon, just_short, policy)
    assert not short.passed
    assert short.outside_by_m == pytest.approx(0.01, abs=1e-6)


def test_accuracy_at_the_maximum_passes_and_beyond_it_fails_even_inside(tower: Geofence) -> None:
    assert tower.check(*TOWER_CENTRE, accuracy_m=50).passed
    too_vague = tower.check(*TOWER_CENTRE, accuracy_m=50.01)
    assert (too_vague.inside, too_vague.passed, too_vague.reason) == (True, False, FenceReason.TOO_INACCURATE)
    strict = FencePolicy(max_accuracy_m=15)
    assert tower.check(*TOWER_CENTRE, accuracy_m=15, policy=strict).passed
    assert not tower.check(*TOWER_CENTRE, accuracy_m=16, policy=strict).passed


def test_the_notch_of_the_suzhou_plot_is_outside_and_measured_to_the_nearest_edge() -> None:
    plot = Geofence(SUZHOU_PLOT)
    assert plot.check(31.3240, 120.7230, accuracy_m=5).inside
    assert plot.check(31.3255, 120.7214, accuracy_m=5).inside
    notch = plot.check(31.3255, 120.7232, accuracy_m=5)
    assert not notch.inside
    to_south_edge = haversine_m(31.3255, 120.7232, 31.3248, 120.7232)
    assert notch.distance_m == pytest.approx(to_south_edge, rel=5e-3)


def test_a_multipolygon_fence_accepts_a_fix_in_any_of_its_parts() -> None:
    second_plot = [[[120.7300, 31.3235], [120.7320, 31.3235], [120.7320, 31.3250], [120.7300, 31.3235]]]
    fence = Geofence({"type": "MultiPolygon", "coordinates": [SUZHOU_PLOT["coordinates"], second_plot]})
    assert fence.check(31.3240, 120.7315, accuracy_m=5).inside
    assert fence.check(31.3240, 120.7230, accuracy_m=5).inside
    assert not fence.check(31.3300, 120.7270, accuracy_m=5).passed


def test_a_point_and_radius_warehouse_measures_from_its_circle() -> None:
    warehouse = Geofence(WAREHOUSE, WAREHOUSE_RADIUS)
    assert warehouse.check(31.3560, 121.5880, accuracy_m=5).inside
    near_rim = 31.3560 + 0.0013  # about 144 m north of the centre
    assert haversine_m(31.3560, 121.5880, near_rim, 121.5880) < 150
    assert warehouse.check(near_rim, 121.5880, accuracy_m=5).inside
    far = 31.3560 + 0.0018  # about 200 m north
    to_centre = haversine_m(31.3560, 121.5880, far, 121.5880)
    check = warehouse.check(far, 121.5880, accuracy_m=5)
    # The plane follows the ellipsoid; the haversine sphere differs by up to 0.5 % of the way.
    assert check.distance_m == pytest.approx(to_centre - 150, abs=to_centre * 5e-3)
    assert not check.passed
    assert warehouse.check(far, 121.5880, accuracy_m=45).passed


def test_the_assets_own_fence_wins_over_the_projects_and_none_means_no_fence() -> None:
    own = fence_for(WAREHOUSE, WAREHOUSE_RADIUS, LUJIAZUI_TOWER, None)
    assert own is not None
    assert own.radius_m == 150
    inherited = fence_for(None, None, LUJIAZUI_TOWER, None)
    assert inherited is not None
    assert inherited.check(*TOWER_CENTRE, accuracy_m=5).inside
    assert fence_for(None, None, None, None) is None


@pytest.mark.parametrize(
    ("geometry", "radius"),
    [
        ({"type": "Point", "coordinates": [121.5, 31.2]}, None),
        ({"type": "LineString", "coordinates": [[0, 0], [1, 1]]}, None),
    ],
)
def test_a_fence_that_cannot_be_evaluated_is_refused(geometry: dict[str, object], radius: None) -> None:
    with pytest.raises(ValueError, match="geofence"):
        Geofence(geometry, radius)


def test_the_vectorised_check_agrees_with_one_fix_at_a_time(tower: Geofence) -> None:
    rng = np.random.default_rng(7)
    lats = 31.2334 + rng.uniform(-0.002, 0.002, 500)
    lons = 121.5053 + rng.uniform(-0.002, 0.002, 500)
    accuracies = rng.uniform(0, 80, 500)
    many = tower.check_many(lats, lons, accuracies)
    singles = [tower.check(a, b, c) for a, b, c in zip(lats, lons, accuracies, strict=True)]
    assert list(many.passed) == [s.passed for s in singles]
    assert list(many.inside) == [s.inside for s in singles]
    assert np.allclose(many.distance_m, [s.distance_m for s in singles])
    assert many.passed.any()
    assert not many.passed.all()


# Plausibility ------------------------------------------------------------------------------------

T0 = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def fix(lat: float, lon: float, minutes: float = 0, accuracy: float = 8, **extra: datetime) -> Fix:
    return Fix(lat, lon, accuracy, T0 + timedelta(minutes=minutes), **extra)


def test_an_accuracy_of_exactly_zero_is_flagged() -> None:
    assert plausibility_flags(fix(31.2334, 121.5053, accuracy=0)) == [PlausibilityFlag.ZERO_ACCURACY]
    assert plausibility_flags(fix(31.2334, 121.5053, accuracy=0.1)) == []


def test_lujiazui_to_suzhou_in_ten_minutes_is_implausibly_fast_but_in_an_hour_is_not() -> None:
    shanghai = fix(31.2334, 121.5053)
    assert haversine_m(31.2334, 121.5053, 31.3240, 120.7230) == pytest.approx(75_000, rel=0.05)
    in_ten_minutes = fix(31.3240, 120.7230, minutes=10)
    in_an_hour = fix(31.3240, 120.7230, minutes=60)
    assert implied_speed_kmh(shanghai, in_ten_minutes) > 400
    assert PlausibilityFlag.IMPLAUSIBLE_SPEED in plausibility_flags(in_ten_minutes, [shanghai])
    assert plausibility_flags(in_an_hour, [shanghai]) == []
    slower_limit = PlausibilityPolicy(max_speed_kmh=60)
    assert plausibility_flags(in_an_hour, [shanghai], slower_limit) == [PlausibilityFlag.IMPLAUSIBLE_SPEED]


def test_two_places_at_the_same_instant_is_infinitely_fast_and_one_place_is_not() -> None:
    first = fix(31.2334, 121.5053)
    assert implied_speed_kmh(first, fix(31.2335, 121.5053)) == float("inf")
    assert implied_speed_kmh(first, fix(31.2334, 121.5053)) == 0


def test_exactly_repeated_coordinates_are_flagged_and_a_nearby_fix_is_not() -> None:
    earlier = [fix(31.2334, 121.5053), fix(31.3240, 120.7230, minutes=120)]
    replayed = fix(31.2334, 121.5053, minutes=300)
    assert repeats_coordinates(replayed, earlier)
    assert not repeats_coordinates(fix(31.2334001, 121.5053, minutes=300), earlier)
    assert plausibility_flags(replayed, earlier) == [PlausibilityFlag.REPEATED_COORDINATES]


def test_an_upload_more_than_a_day_after_capture_is_flagged() -> None:
    late = fix(31.2334, 121.5053, uploaded_at=T0 + timedelta(hours=24, seconds=1))
    on_time = fix(31.2334, 121.5053, uploaded_at=T0 + timedelta(hours=24))
    assert is_late_upload(late)
    assert not is_late_upload(on_time)
    assert not is_late_upload(fix(31.2334, 121.5053))
    assert plausibility_flags(late) == [PlausibilityFlag.LATE_UPLOAD]
    assert is_late_upload(on_time, max_gap=timedelta(hours=2))


def test_every_flag_a_fix_raises_is_listed() -> None:
    earlier = [fix(31.3240, 120.7230, minutes=-5)]
    suspicious = fix(31.3240, 120.7230, accuracy=0, uploaded_at=T0 + timedelta(days=3))
    assert plausibility_flags(suspicious, earlier) == [
        PlausibilityFlag.ZERO_ACCURACY,
        PlausibilityFlag.REPEATED_COORDINATES,
        PlausibilityFlag.LATE_UPLOAD,
    ]
