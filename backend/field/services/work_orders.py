"""Work orders on assets: open, start, complete, cancel; opening and closing publish domain events."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from backend.core.domain.access import Permission as P
from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, Forbidden, ValidationFailed
from backend.core.domain.listing import ListQuery
from backend.core.services import audit, events
from backend.core.services.context import Actor
from backend.core.services.crud import for_change
from backend.core.services.unit_of_work import UnitOfWork
from backend.field.domain.requests import (
    WorkOrder,
    WorkOrderKind,
    WorkOrderOpened,
    WorkOrderState,
)

EDITABLE = ("title", "note", "assignee_id", "meter_unit")


def list_work_orders(query: ListQuery, actor: Actor, uow: UnitOfWork) -> tuple[Sequence[Any], int]:
    """Work orders in the actor's projects."""
    return uow.work_orders.page(actor.require(P.ASSET_READ), query)


def get_work_order(work_order_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    """One visible work order."""
    return uow.work_orders.get(work_order_id, actor.require(P.ASSET_READ))


def record_change(uow: UnitOfWork, actor: Actor, action: AuditAction, order: Any, before: Any) -> None:
    """Audit one change of a work order (its project and region named for scoped readers)."""
    audit.record(
        uow,
        actor,
        action,
        "work_order",
        order.id,
        before=before,
        after=order.audit_snapshot(),
        project_id=order.project_id,
        region_id=order.asset.project.region_id,
    )


def _check_references(values: Mapping[str, Any], asset: Any, uow: UnitOfWork) -> None:
    errors: dict[str, list[str]] = {}
    lease_id = values.get("lease_id")
    if lease_id is not None:
        lease = uow.leases.find(lease_id)
        if lease is None or asset.id not in lease.asset_ids:
            errors["lease_id"] = [N_("Not a lease of this asset.")]
    assignee_id = values.get("assignee_id")
    # Checked against whoever may report on the asset's project now: an unknown id and a person of another
    # region get the same answer, so the field tells nothing of who exists elsewhere.
    if assignee_id is not None and assignee_id not in uow.users.holders(P.FIELD_REPORT, asset.project_id):
        errors["assignee_id"] = [N_("Choose someone who reports on this project (field:report over it).")]
    if errors:
        raise ValidationFailed(errors)


def open_work_order(values: Mapping[str, Any], actor: Actor, uow: UnitOfWork, now: datetime) -> Any:
    """Open a work order on an asset you manage; a repair that blocks letting takes it into maintenance."""
    asset = for_change(uow.assets, values["asset_id"], actor, P.ASSET_READ, P.ASSET_WRITE)
    _check_references(values, asset, uow)
    order = stage_open(asset, values, actor, uow)
    uow.commit()
    return order


def stage_open(asset: Any, values: Mapping[str, Any], actor: Actor, uow: UnitOfWork) -> Any:
    """Stage a new work order, audit it and publish its event (the caller commits)."""
    kind = WorkOrderKind(values["kind"])
    order = uow.work_orders.create(
        kind=kind,
        state=WorkOrderState.OPEN,
        asset_id=asset.id,
        lease_id=values.get("lease_id"),
        project_id=asset.project_id,
        title=values["title"],
        note=values.get("note"),
        assignee_id=values.get("assignee_id"),
        opened_by_id=actor.user_id,
        blocks_letting=bool(values.get("blocks_letting")) and kind is WorkOrderKind.REPAIR,
        meter_unit=values.get("meter_unit"),
    )
    uow.flush()
    record_change(uow, actor, AuditAction.CREATE, order, None)
    event = WorkOrderOpened(order.id, asset.id, kind, order.blocks_letting)
    events.publish(event, actor, uow, project_id=asset.project_id)
    return order


def lifecycle(order: Any) -> WorkOrder:
    """The domain lifecycle of a stored work order."""
    return WorkOrder(order.id, order.asset_id, order.kind, order.state, order.blocks_letting)


def _for_work(work_order_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    """A work order its assignee (with field:report) or a manager of the asset may progress."""
    order = uow.work_orders.get(work_order_id, actor.require(P.ASSET_READ))
    region_id = order.asset.project.region_id
    if actor.scope_for(P.ASSET_WRITE).covers_project(order.project_id, region_id):
        return order
    is_assignee = actor.user_id is not None and order.assignee_id == actor.user_id
    if is_assignee and actor.scope_for(P.FIELD_REPORT).covers_project(order.project_id, region_id):
        return order
    raise Forbidden(N_("Only the assignee or a manager of the asset may progress this work order."))


def update_work_order(work_order_id: int, changes: Mapping[str, Any], actor: Actor, uow: UnitOfWork) -> Any:
    """Change a work order's title, note, assignee or meter unit."""
    order = for_change(uow.work_orders, work_order_id, actor, P.ASSET_READ, P.ASSET_WRITE)
    _check_references(changes, order.asset, uow)
    before = order.audit_snapshot()
    for name in EDITABLE:
        if name in changes:
            setattr(order, name, changes[name])
    uow.flush()
    record_change(uow, actor, AuditAction.UPDATE, order, before)
    uow.commit()
    return order


def move_work_order(
    work_order_id: int,
    target: WorkOrderState,
    values: Mapping[str, Any],
    actor: Actor,
    uow: UnitOfWork,
    now: datetime,
) -> Any:
    """Start, complete or cancel a work order; closing one publishes `work_order.closed`."""
    if target is WorkOrderState.CANCELLED:
        order = for_change(uow.work_orders, work_order_id, actor, P.ASSET_READ, P.ASSET_WRITE)
    else:
        order = _for_work(work_order_id, actor, uow)
    moved, closed = lifecycle(order).move(target, now)
    if target is WorkOrderState.DONE and order.kind is WorkOrderKind.METER_READING:
        if values.get("meter_value") is None:
            raise ValidationFailed.single(
                "meter_value", N_("A meter reading is done once its value is given.")
            )
        order.meter_value = values["meter_value"]
        order.meter_unit = values.get("meter_unit") or order.meter_unit
    before = order.audit_snapshot()
    order.state = moved.state
    if values.get("note"):
        order.note = values["note"]
    order.started_at = moved.started_at or order.started_at
    order.closed_at = moved.closed_at or order.closed_at
    uow.flush()
    record_change(uow, actor, AuditAction.UPDATE, order, before)
    if closed is not None:
        events.publish(closed, actor, uow, project_id=order.project_id)
    uow.commit()
    return order


def _meter_order(values: Mapping[str, Any], actor: Actor, uow: UnitOfWork) -> Any:
    """The named meter reading work order, else the asset's oldest open one, else a new one (managers)."""
    if values.get("work_order_id") is not None:
        order = uow.work_orders.get(values["work_order_id"], actor.require(P.ASSET_READ))
        if order.kind is not WorkOrderKind.METER_READING or order.asset_id != values["asset_id"]:
            raise ValidationFailed.single(
                "work_order_id", N_("Not a meter reading work order of this asset.")
            )
        return order
    asset = uow.assets.get(values["asset_id"], actor.require(P.ASSET_READ))
    open_orders = uow.work_orders.open_of(asset.id, WorkOrderKind.METER_READING)
    if open_orders:
        return open_orders[0]
    asset = for_change(uow.assets, asset.id, actor, P.ASSET_READ, P.ASSET_WRITE)
    opened = {
        "kind": WorkOrderKind.METER_READING,
        "title": "Meter reading",
        "meter_unit": values.get("meter_unit"),
    }
    return stage_open(asset, opened | {"assignee_id": actor.user_id}, actor, uow)


def record_meter_reading(values: Mapping[str, Any], actor: Actor, uow: UnitOfWork, now: datetime) -> Any:
    """Record a meter reading of an asset: it completes the asset's meter reading work order."""
    order = _meter_order(values, actor, uow)
    uow.flush()
    reading = {"meter_value": values["meter_value"], "meter_unit": values.get("meter_unit")}
    return move_work_order(order.id, WorkOrderState.DONE, reading, actor, uow, now)
