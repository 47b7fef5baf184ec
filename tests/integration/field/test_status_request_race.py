"""Two managers confirming the same request at the same moment on PostgreSQL: exactly one confirmation."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest

from backend.core.domain.access import Assignment, Role, principal_from
from backend.core.domain.audit import Origin
from backend.core.domain.errors import Conflict
from backend.core.services.context import Actor
from backend.field.services import status_requests
from backend.field.services.labels import LabelSettings
from backend.org.domain.org import AssetStatus
from qr_tools.payload import build

ROUNDS = 6
FENCE = {"type": "Point", "coordinates": [121.5, 31.23]}
ON_SITE = status_requests.GpsReading(
    Decimal("31.230000"), Decimal("121.500000"), Decimal("5"), datetime.now(UTC)
)


def actor_for(user: Any, role: Role, project_id: int) -> Actor:
    principal = principal_from(user.id, user.username, [Assignment(role, project_id=project_id)])
    return Actor(principal, Origin.DEVICE)


def race(db: Any, request_id: int, evidence: Any, settings: Any, managers: list[Actor]) -> list[str]:
    """Each manager confirms in their own transaction, released together by a barrier."""
    barrier = threading.Barrier(len(managers))
    outcomes: list[str] = []

    def confirm(manager: Actor) -> None:
        with db.unit_of_work() as uow:
            barrier.wait()
            try:
                status_requests.confirm_request(
                    request_id, evidence, settings, manager, uow, datetime.now(UTC)
                )
                outcomes.append("confirmed")
            except Conflict:
                outcomes.append("refused")

    threads = [threading.Thread(target=confirm, args=(manager,)) for manager in managers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.parametrize("backend", ["postgresql"])
def test_two_simultaneous_confirmations_yield_exactly_one(
    backend: str, app: Any, db: Any, make_region: Any, make_project: Any, make_asset: Any, make_user: Any
) -> None:
    project = make_project(make_region(), geofence=FENCE, geofence_radius_m=Decimal("50"))
    asset = make_asset(project)
    applicant = actor_for(make_user("inspector", project_id=project.id), Role.INSPECTOR, project.id)
    managers = [
        actor_for(make_user("project_manager", project_id=project.id), Role.PROJECT_MANAGER, project.id)
        for _ in range(2)
    ]
    settings = LabelSettings.from_config(app.config)
    evidence = status_requests.Confirmation(build(settings.base_url, asset.code, settings.keyring), ON_SITE)
    targets = [AssetStatus.MAINTENANCE, AssetStatus.VACANT]
    for round_number in range(ROUNDS):
        with db.unit_of_work() as uow:
            version = uow.assets.find(asset.id).status_version
            values = {
                "asset_id": asset.id,
                "to_status": targets[round_number % 2],
                "base_version": version,
                "reason": f"round {round_number}",
                "gps": ON_SITE,
            }
            request_id = status_requests.submit_request(values, applicant, uow, datetime.now(UTC)).id
        outcomes = race(db, request_id, evidence, settings, managers)
        assert sorted(outcomes) == ["confirmed", "refused"], f"round {round_number}"
        with db.unit_of_work() as uow:
            current = uow.assets.find(asset.id)
            assert (current.status, current.status_version) == (targets[round_number % 2], version + 1)
            request = uow.status_requests.find(request_id)
            assert request.state.value == "confirmed"
            assert request.confirmer_id in {m.user_id for m in managers}
