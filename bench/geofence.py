"""Geofence checks per second: one fix at a time versus the vectorised check, on a real footprint.

Run from the repository root: `.venv/bin/python -m bench.geofence --fixes 100000`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time
from pathlib import Path

import numpy as np

from backend.org.domain.geofence import Geofence

# Shanghai Tower, Lujiazui (the same footprint as the unit tests), in [lon, lat].
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
WAREHOUSE = ({"type": "Point", "coordinates": [121.5880, 31.3560]}, 150)
RESULTS = Path(__file__).parent / "results" / "geofence.json"


def fixes(count: int, lat: float, lon: float, seed: int = 1) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Fixes scattered within about 500 m of a point, with accuracies from 0 to 80 m."""
    rng = np.random.default_rng(seed)
    spread = 0.005
    return (
        lat + rng.uniform(-spread, spread, count),
        lon + rng.uniform(-spread, spread, count),
        rng.uniform(0, 80, count),
    )


def measure(fence: Geofence, lats: np.ndarray, lons: np.ndarray, accuracies: np.ndarray) -> dict[str, float]:
    """Checks per second one at a time and vectorised; both must agree on every fix."""
    started = time.perf_counter()
    singles = [fence.check(a, b, c).passed for a, b, c in zip(lats, lons, accuracies, strict=True)]
    scalar_seconds = time.perf_counter() - started
    started = time.perf_counter()
    many = fence.check_many(lats, lons, accuracies)
    vector_seconds = time.perf_counter() - started
    if list(many.passed) != singles:
        raise SystemExit("scalar and vectorised checks disagree")
    count = len(lats)
    return {
        "fixes": count,
        "passed": int(many.passed.sum()),
        "scalar_per_s": count / scalar_seconds,
        "vectorised_per_s": count / vector_seconds,
    }


def main() -> None:
    """Print checks/s for a polygon and a point + radius fence."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fixes", type=int, default=100_000)
    args = parser.parse_args()
    scenarios = {
        "polygon (Lujiazui tower)": (Geofence(LUJIAZUI_TOWER), fixes(args.fixes, 31.2334, 121.5053)),
        "point + 150 m (warehouse)": (Geofence(*WAREHOUSE), fixes(args.fixes, 31.3560, 121.5880)),
    }
    load = os.getloadavg()[0]
    print(f"cores: {os.cpu_count()}  load (1 min): {load:.2f}  python: {platform.python_version()}")
    print(f"{'fence':<28}{'fixes':>9}{'scalar/s':>14}{'vectorised/s':>16}{'speed-up':>10}")
    results = {}
    for name, (fence, (lats, lons, accuracies)) in scenarios.items():
        figures = measure(fence, lats, lons, accuracies)
        results[name] = figures
        speed_up = figures["vectorised_per_s"] / figures["scalar_per_s"]
        print(
            f"{name:<28}{figures['fixes']:>9,}{figures['scalar_per_s']:>14,.0f}"
            f"{figures['vectorised_per_s']:>16,.0f}{speed_up:>9.0f}x"
        )
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
