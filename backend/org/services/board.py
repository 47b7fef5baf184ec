"""The asset board: assets by status per project with counts, lease and last inspection, the asset card.

Everything is read within the caller's ASSET_READ scope, so counts never include other regions. The current
lease (number, customer, end date) is shown only to callers who may read the project's leases; others see
null, as they would on the lease list.

Each board row and card carries the asset's open status-change request with its evidence, if any.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from backend.core.domain.access import Permission as P
from backend.core.domain.listing import ListQuery, SortKey
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.field.domain.requests import RequestState
from backend.field.services import status_requests
from backend.field.services.inspections import with_pending_evidence
from backend.org.domain.asset_status import allowed_targets
from backend.org.domain.org import AssetStatus

RECENT_INSPECTIONS = 5


@dataclass(frozen=True)
class ProjectBoard:
    """A project's asset counts by status (every status listed, zeros included) and their total."""

    project: Any
    counts: dict[str, int]
    total: int


@dataclass(frozen=True)
class CurrentLease:
    """The binding lease an asset is let under."""

    lease_id: int
    number: str
    customer_name: str | None
    starts_on: Any
    ends_on: Any


@dataclass(frozen=True)
class BoardRow:
    """One asset on the board with its lease, last inspection and open request."""

    asset: Any
    lease: CurrentLease | None
    last_inspection: Any | None
    open_request: Any | None = None


@dataclass(frozen=True)
class AssetCard:
    """One asset in full: status, lease, latest inspections, a page of its history, its open request."""

    asset: Any
    lease: CurrentLease | None
    inspections: Sequence[Any]
    history: Sequence[Any]
    history_total: int
    history_page: int
    history_page_size: int
    open_request: Any | None = None
    allowed_statuses: list[AssetStatus] = field(default_factory=list)


def project_board(project_id: int, actor: Actor, uow: UnitOfWork) -> ProjectBoard:
    """Counts of a visible project's assets by status."""
    scope = actor.require(P.ASSET_READ)
    project = uow.projects.get(project_id, scope)
    found = uow.board.status_counts(project.id, scope)
    counts = {status.value: found.get(status.value, 0) for status in AssetStatus}
    return ProjectBoard(project, counts, sum(counts.values()))


def _leases(assets: Sequence[Any], actor: Actor, uow: UnitOfWork) -> dict[int, CurrentLease]:
    """Current leases of the assets whose project's leases the actor may read."""
    lease_scope = actor.scope_for(P.LEASE_READ)
    readable = [a.id for a in assets if lease_scope.covers_project(a.project_id, a.project.region_id)]
    if not readable:
        return {}
    return {
        asset_id: CurrentLease(
            lease.id,
            lease.number,
            lease.customer.name if lease.customer else None,
            lease.starts_on,
            lease.ends_on,
        )
        for asset_id, lease in uow.board.current_leases(readable).items()
    }


def _open_requests(assets: Sequence[Any], uow: UnitOfWork, now: datetime) -> dict[int, Any]:
    """The open status-change request of each asset as of `now`, with its evidence (photos still to come)."""
    found = uow.status_requests.open_for_assets([asset.id for asset in assets])
    shown = status_requests.with_evidence_all(list(found.values()), uow, now)
    return {request.asset_id: request for request in shown if request.state_now is RequestState.PENDING}


def list_board_assets(
    query: ListQuery, actor: Actor, uow: UnitOfWork, now: datetime
) -> tuple[list[BoardRow], int]:
    """A page of visible assets (filter by project, status, text, type, floor), by code by default."""
    scope = actor.require(P.ASSET_READ)
    if not query.sort:
        query = ListQuery(query.filters, (SortKey("code"),), query.page, query.page_size)
    assets, total = uow.assets.page(scope, query)
    ids = [asset.id for asset in assets]
    leases = _leases(assets, actor, uow)
    inspections = uow.inspections.latest_of_assets(ids) if ids else {}
    requests = _open_requests(assets, uow, now)
    rows = [
        BoardRow(asset, leases.get(asset.id), inspections.get(asset.id), requests.get(asset.id))
        for asset in assets
    ]
    return rows, total


def asset_card(
    asset_id: int, page: int, page_size: int, actor: Actor, uow: UnitOfWork, now: datetime
) -> AssetCard:
    """One visible asset's card; its history (the asset's audit entries) newest first, paged."""
    asset = uow.assets.get(asset_id, actor.require(P.ASSET_READ))
    history, total = uow.board.asset_history(asset.id, page, page_size)
    inspections = with_pending_evidence(uow.inspections.recent_of_asset(asset.id, RECENT_INSPECTIONS), uow)
    return AssetCard(
        asset=asset,
        lease=_leases([asset], actor, uow).get(asset.id),
        inspections=inspections,
        history=history,
        history_total=total,
        history_page=page,
        history_page_size=page_size,
        open_request=_open_requests([asset], uow, now).get(asset.id),
        allowed_statuses=allowed_targets(asset.status),
    )
