"""Automatic asset status moves driven by domain events, each audited with origin `system`.

- lease signed: each asset vacant/reserved -> pending_delivery, plus a hand-over work order per asset
  (a renewal whose asset is still leased to the same tenant keeps it leased and needs no hand-over; a
  unit under a blocking repair stays in maintenance and returns to pending_delivery when it closes);
- hand-over work order done: pending_delivery -> leased;
- lease ended or terminated: leased -> the project's lease-end status (renovation or vacant), or
  pending_delivery -> vacant when it ended before the hand-over (whose open work order is cancelled);
- a repair that blocks letting opened: -> maintenance, remembering the status before; done or cancelled:
  back to that status (or, while another blocking repair is still open, the asset stays in maintenance
  and that repair inherits the status to return to).

A move that the current status does not allow never fails the change that triggered it (signing a lease
must not fail because a unit is under repair): it is recorded as a failed `asset.automation` job run and
every manager of the project is notified, to decide by hand.
"""

from __future__ import annotations

from typing import Any

from backend.core.domain.access import Permission as P
from backend.core.domain.audit import AuditAction, Origin
from backend.core.domain.jobs import JobKind, JobStatus
from backend.core.services import events
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.field.domain.requests import (
    WorkOrderClosed,
    WorkOrderKind,
    WorkOrderOpened,
    WorkOrderState,
)
from backend.field.services import work_orders
from backend.leasing.domain.leases import LeaseEnded, LeaseSigned, LeaseStatus
from backend.notify.domain.notifications import NotificationKind
from backend.notify.services import notifications
from backend.org.domain.asset_status import StatusCause
from backend.org.domain.org import AssetStatus, LeaseEndStatus
from backend.org.services.asset_status import stage_status_change

S = AssetStatus
AUTOMATION = Actor.system(Origin.SYSTEM, "automation")


def _skip(asset: Any, target: AssetStatus, why: str, details: dict[str, Any], uow: UnitOfWork) -> None:
    """Record a move that could not happen and tell the project's managers."""
    uow.job_runs.create(
        kind=JobKind.ASSET_AUTOMATION,
        status=JobStatus.FAILED,
        subject_type="asset",
        subject_id=asset.id,
        project_id=asset.project_id,
        reason=f"{asset.code}: not moved to {target.value} ({why}); it is {asset.status.value}",
        details={"asset": asset.code, "target": target.value, "current": asset.status.value, **details},
    )
    managers = uow.approvals.deciders(P.ASSET_WRITE, asset.project_id, asset.project.region_id)
    notifications.notify(
        uow,
        managers,
        NotificationKind.AUTOMATION_SKIPPED,
        {"asset": asset.code, "target": target.value, "current": asset.status.value},
        project_id=asset.project_id,
        subject=("asset", asset.id),
    )


def _move(
    asset: Any,
    target: AssetStatus,
    expected: frozenset[AssetStatus],
    cause: StatusCause,
    why: str,
    uow: UnitOfWork,
    details: dict[str, Any],
) -> bool:
    """Move the asset if it is in one of the expected statuses; otherwise record the skip."""
    if asset.status is target:
        return True
    if asset.status not in expected:
        _skip(asset, target, why, details, uow)
        return False
    stage_status_change(asset, target, why, AUTOMATION, uow, cause)
    return True


@events.subscribe(LeaseSigned.name)
def on_lease_signed(event: LeaseSigned, actor: Actor, uow: UnitOfWork) -> None:
    """Assets of a signed lease wait for hand-over; each gets a hand-over work order."""
    lease = uow.leases.find(event.lease_id)
    renewal = lease is not None and lease.renewed_from_id is not None
    for asset_id in event.asset_ids:
        asset = uow.assets.find(asset_id)
        if asset is None:
            continue
        if renewal and asset.status is S.LEASED:
            continue  # the same tenant stays: no hand-over
        details = {"lease_id": event.lease_id, "event": event.name}
        moved = _move(
            asset,
            S.PENDING_DELIVERY,
            frozenset({S.VACANT, S.RESERVED}),
            StatusCause.LEASE_SIGNED,
            "lease signed",
            uow,
            details,
        )
        if not moved:
            _return_to_hand_over(asset, uow)
        values = {
            "kind": WorkOrderKind.HANDOVER,
            "lease_id": event.lease_id,
            "title": f"Hand-over and cleaning of {asset.code}",
        }
        work_orders.stage_open(asset, values, AUTOMATION, uow)


def _return_to_hand_over(asset: Any, uow: UnitOfWork) -> None:
    """A unit under repair when its lease is signed goes to pending_delivery once the repair closes."""
    for order in uow.work_orders.open_of(asset.id, WorkOrderKind.REPAIR):
        if order.blocks_letting and order.status_before in {S.VACANT, S.RESERVED}:
            before = order.audit_snapshot()
            order.status_before = S.PENDING_DELIVERY
            uow.flush()
            work_orders.record_change(uow, AUTOMATION, AuditAction.UPDATE, order, before)


@events.subscribe(LeaseEnded.name)
def on_lease_ended(event: LeaseEnded, actor: Actor, uow: UnitOfWork) -> None:
    """Assets of an ended lease go to renovation or vacant, per project policy."""
    if event.status is LeaseStatus.RENEWED:
        return
    for asset_id in event.asset_ids:
        asset = uow.assets.find(asset_id)
        if asset is None:
            continue
        details = {"lease_id": event.lease_id, "event": event.name}
        if asset.status is S.PENDING_DELIVERY:
            for order in uow.work_orders.open_of(asset.id, WorkOrderKind.HANDOVER, event.lease_id):
                _cancel(order, uow)
            _move(asset, S.VACANT, frozenset({S.PENDING_DELIVERY}), StatusCause.LEASE_ENDED,
                  "lease ended before hand-over", uow, details)  # fmt: skip
            continue
        target = LeaseEndStatus(asset.project.lease_end_status).asset_status
        _move(asset, target, frozenset({S.LEASED}), StatusCause.LEASE_ENDED, "lease ended", uow, details)


def _cancel(order: Any, uow: UnitOfWork) -> None:
    before = order.audit_snapshot()
    order.state = WorkOrderState.CANCELLED
    uow.flush()
    work_orders.record_change(uow, AUTOMATION, AuditAction.UPDATE, order, before)


@events.subscribe(WorkOrderOpened.name)
def on_work_order_opened(event: WorkOrderOpened, actor: Actor, uow: UnitOfWork) -> None:
    """A repair that blocks letting takes the asset into maintenance and remembers where it was."""
    if not (event.kind is WorkOrderKind.REPAIR and event.blocks_letting):
        return
    order = uow.work_orders.find(event.work_order_id)
    asset = uow.assets.find(event.asset_id)
    if order is None or asset is None:
        return
    if asset.status is S.MAINTENANCE:
        return  # another repair holds it; that one remembers where to return
    before = asset.status
    allowed = frozenset({S.VACANT, S.RESERVED, S.PENDING_DELIVERY, S.LEASED, S.RENOVATION})
    details = {"work_order_id": order.id, "event": event.name}
    if _move(asset, S.MAINTENANCE, allowed, StatusCause.MAINTENANCE_OPENED, "repair opened", uow, details):
        order.status_before = before


@events.subscribe(WorkOrderClosed.name)
def on_work_order_closed(event: WorkOrderClosed, actor: Actor, uow: UnitOfWork) -> None:
    """A finished hand-over leases the asset; a closed blocking repair returns it to its status before."""
    order = uow.work_orders.find(event.work_order_id)
    asset = uow.assets.find(event.asset_id)
    if order is None or asset is None:
        return
    details = {"work_order_id": order.id, "event": event.name}
    if event.kind is WorkOrderKind.HANDOVER and event.state is WorkOrderState.DONE:
        _move(asset, S.LEASED, frozenset({S.PENDING_DELIVERY}), StatusCause.HANDOVER_CONFIRMED,
              "hand-over done", uow, details)  # fmt: skip
        return
    if event.kind is not WorkOrderKind.REPAIR or order.status_before is None:
        return
    others = [o for o in uow.work_orders.open_of(asset.id, WorkOrderKind.REPAIR, exclude_id=order.id)
              if o.blocks_letting]  # fmt: skip
    if others and asset.status is S.MAINTENANCE:
        others[0].status_before = order.status_before
        return
    _move(asset, order.status_before, frozenset({S.MAINTENANCE}), StatusCause.MAINTENANCE_CLOSED,
          "repair closed", uow, details)  # fmt: skip
