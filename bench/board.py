"""Asset board and inspection timings, in process on SQLite: what one request costs without HTTP or load.

    .venv/bin/python -m bench.board --scale 1 --inspections 2000 --repeat 100

Seeds demo data, files inspections through the service (a GPS fix on every one), then times the board
endpoints and filing an inspection through the Flask test client as the demo admin's phone.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select

from backend import create_app
from backend.config import TestConfig
from backend.core.db import migrate
from backend.core.domain.audit import Origin
from backend.core.domain.login import LoginPolicy
from backend.core.services import auth
from backend.core.services.context import Actor
from backend.demo.generator import DEMO_PASSWORD
from backend.demo.seed import seed_demo
from backend.field.domain.checklists import DEFAULT_CHECKLISTS
from backend.field.domain.inspections import ItemKind
from backend.field.services import inspections
from backend.org.db.models import Asset

RESULTS_PATH = Path(__file__).resolve().parent / "results" / "board.json"
ACTOR = Actor.system(Origin.CLI, "bench")
PHOTO = "ab" * 32


def answers_for(asset_type: Any) -> dict[str, dict[str, Any]]:
    """An all-clear answer to every item of the asset type's default checklist."""
    default = next(d for d in DEFAULT_CHECKLISTS if d.asset_type == asset_type)
    values: dict[ItemKind, dict[str, Any]] = {
        ItemKind.PASS_FAIL: {"value": True},
        ItemKind.NUMBER: {"value": "1234.5"},
        ItemKind.TEXT: {"value": "ok"},
        ItemKind.PHOTO: {"photos": [PHOTO]},
    }
    return {item.key: values[item.kind] for item in default.items}


def timed(label: str, repeat: int, request: Callable[[int], Any]) -> dict[str, Any]:
    """Call `request(i)` `repeat` times; every answer must be 2xx."""
    durations = []
    for i in range(repeat):
        started = time.perf_counter()
        response = request(i)
        durations.append((time.perf_counter() - started) * 1000)
        if not 200 <= response.status_code < 300:
            raise RuntimeError(f"{label}: {response.status_code} {response.get_data(as_text=True)[:300]}")
    durations.sort()
    return {
        "scenario": label,
        "requests": repeat,
        "mean_ms": round(statistics.fmean(durations), 2),
        "p50_ms": round(durations[len(durations) // 2], 2),
        "p95_ms": round(durations[int(len(durations) * 0.95) - 1], 2),
    }


def main() -> None:
    """Seed, file inspections, time the endpoints, print a table and write the JSON results."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--inspections", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=100)
    options = parser.parse_args()
    rng = random.Random(20261123)
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/bench.sqlite3"
        migrate.upgrade(url)
        app = create_app(TestConfig, DATABASE_URL=url, STORAGE_LOCAL_ROOT=f"{folder}/files")
        database = app.extensions["leasekeeper.db"]
        with database.unit_of_work() as uow:
            seed_demo(options.scale, ACTOR, uow)
        with database.unit_of_work() as uow:
            assert uow.session is not None
            assets = uow.session.execute(select(Asset.id, Asset.project_id, Asset.asset_type)).all()
        print(f"{len(assets):,} assets; filing {options.inspections:,} inspections …", file=sys.stderr)
        start = time.perf_counter()
        captured = datetime(2026, 11, 1, tzinfo=UTC)
        for n in range(options.inspections):
            asset = rng.choice(assets)
            values = {
                "asset_id": asset.id,
                "captured_at": captured + timedelta(minutes=n),
                "latitude": 31.2341,
                "longitude": 121.5012,
                "accuracy_m": 8.0,
                "answers": answers_for(asset.asset_type),
            }
            with database.unit_of_work() as uow:
                inspections.submit_inspection(values, ACTOR, uow, datetime.now(UTC))
        seeding_rate = options.inspections / (time.perf_counter() - start)
        with database.unit_of_work() as uow:
            token = auth.register_device(
                {"username": "admin", "password": DEMO_PASSWORD, "device_name": "bench"},
                ACTOR,
                LoginPolicy(),
                datetime.now(UTC),
                uow,
            ).token
        client = app.test_client()
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
        projects = sorted({a.project_id for a in assets})
        picks = [rng.choice(assets) for _ in range(options.repeat)]
        repeat = options.repeat
        results = [
            timed(
                "project board counts",
                repeat,
                lambda i: client.get(f"/api/board/projects/{projects[i % len(projects)]}"),
            ),
            timed(
                "board assets, project page of 50",
                repeat,
                lambda i: client.get(
                    f"/api/board/assets?project_id={projects[i % len(projects)]}&page_size=50"
                ),
            ),
            timed("asset card", repeat, lambda i: client.get(f"/api/board/assets/{picks[i].id}")),
            timed(
                "file an inspection (GPS check)",
                repeat,
                lambda i: client.post(
                    "/api/inspections",
                    json={
                        "asset_id": picks[i].id,
                        "captured_at": (captured + timedelta(days=30, minutes=i)).isoformat(),
                        "gps": {"latitude": "31.234100", "longitude": "121.501200", "accuracy_m": "8.0"},
                        "answers": answers_for(picks[i].asset_type),
                    },
                ),
            ),
            timed(
                "list inspections, page of 50", repeat, lambda i: client.get("/api/inspections?page_size=50")
            ),
        ]
        database.dispose()
    header = (
        f"SQLite, in process, {len(assets):,} assets, {options.inspections:,} inspections "
        f"(seeded through the service at {seeding_rate:,.0f}/s)"
    )
    print(header)
    print(f"{'scenario':<36}{'mean ms':>10}{'p50 ms':>10}{'p95 ms':>10}")
    for row in results:
        print(f"{row['scenario']:<36}{row['mean_ms']:>10}{row['p50_ms']:>10}{row['p95_ms']:>10}")
    RESULTS_PATH.parent.mkdir(exist_ok=True)
    RESULTS_PATH.write_text(
        json.dumps({"assets": len(assets), "inspections": options.inspections, "results": results}, indent=2)
    )


if __name__ == "__main__":
    main()
