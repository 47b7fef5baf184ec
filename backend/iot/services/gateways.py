"""Gateways and devices: registering them, their tokens (made, rotated, revoked; only a digest is kept),
and linking a device to the asset it measures. Every change is audited."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from backend.core.domain.access import Permission as P
from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, AuthenticationRequired, Message, ValidationFailed
from backend.core.domain.listing import ListQuery
from backend.core.services import audit
from backend.core.services.context import Actor
from backend.core.services.crud import ensure_unique, for_change
from backend.core.services.unit_of_work import UnitOfWork
from backend.iot.domain.signals import DeviceKind, MeterKind, MeterMode

TOKEN_PREFIX = "lkgw_"  # noqa: S105 - the prefix that tells a gateway token apart, not a secret
MAX_INTERVAL_MINUTES = 1440


def digest(token: str) -> str:
    """What is stored of a token."""
    return hashlib.sha256(token.encode()).hexdigest()


def _new_token() -> tuple[str, str]:
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    return token, digest(token)


def list_gateways(query: ListQuery, actor: Actor, uow: UnitOfWork) -> tuple[Any, int]:
    """Gateways of the projects the actor reads."""
    return uow.iot_gateways.page(actor.require(P.ASSET_READ), query)


def _project(project_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    return for_change(uow.projects, project_id, actor, P.ASSET_READ, P.ASSET_WRITE)


def create_gateway(
    values: Mapping[str, Any], actor: Actor, uow: UnitOfWork, now: datetime
) -> tuple[Any, str]:
    """Register a gateway of a project; its token is returned once and never again."""
    project = _project(values["project_id"], actor, uow)
    token, token_hash = _new_token()
    gateway = uow.iot_gateways.create(
        name=values["name"].strip(), project_id=project.id, token_hash=token_hash,
        created_by_id=actor.user_id, created_at=now,
    )  # fmt: skip
    uow.flush()
    audit.record(
        uow, actor, AuditAction.CREATE, "iot_gateway", gateway.id,
        after={"name": gateway.name, "project_id": project.id},
        project_id=project.id, region_id=project.region_id,
    )  # fmt: skip
    uow.commit()
    return gateway, token


def _gateway_for_change(gateway_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    return for_change(uow.iot_gateways, gateway_id, actor, P.ASSET_READ, P.ASSET_WRITE)


def rotate_gateway(gateway_id: int, actor: Actor, uow: UnitOfWork, now: datetime) -> tuple[Any, str]:
    """A new token for a gateway; the old one stops working at once. A revoked gateway comes back."""
    gateway = _gateway_for_change(gateway_id, actor, uow)
    token, gateway.token_hash = _new_token()
    gateway.revoked_at = None
    audit.record(
        uow, actor, AuditAction.UPDATE, "iot_gateway", gateway.id, after={"token": "rotated"},
        project_id=gateway.project_id,
    )  # fmt: skip
    uow.commit()
    return gateway, token


def revoke_gateway(gateway_id: int, actor: Actor, uow: UnitOfWork, now: datetime) -> Any:
    """Stop a gateway's token working (what it sent before stays)."""
    gateway = _gateway_for_change(gateway_id, actor, uow)
    if gateway.revoked_at is None:
        gateway.revoked_at = now
        audit.record(uow, actor, AuditAction.REVOKE, "iot_gateway", gateway.id, project_id=gateway.project_id)
        uow.commit()
    return gateway


def authenticate(token: str, uow: UnitOfWork) -> Any:
    """The gateway a bearer token belongs to; 401 for an unknown or revoked token (the same answer)."""
    gateway = uow.iot_gateways.by_token_hash(digest(token))
    if gateway is None or gateway.revoked_at is not None:
        raise AuthenticationRequired(N_("Unknown or revoked gateway token."))
    return gateway


# --- devices ---


def list_devices(query: ListQuery, actor: Actor, uow: UnitOfWork) -> tuple[Any, int]:
    """Devices of the projects the actor reads."""
    return uow.iot_devices.page(actor.require(P.ASSET_READ), query)


def _check_asset(asset_id: int | None, project_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    if asset_id is None:
        return None
    asset = for_change(uow.assets, asset_id, actor, P.ASSET_READ, P.ASSET_WRITE)
    if asset.project_id != project_id:
        raise ValidationFailed.single("asset_id", N_("The asset belongs to another project than the device."))
    return asset


def _meter_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    kind = DeviceKind(values["kind"])
    if kind is DeviceKind.DOOR:
        return {"kind": kind, "meter": None, "mode": None, "interval_minutes": None}
    errors: dict[str, list[Any]] = {}
    meter, mode = values.get("meter"), values.get("mode") or MeterMode.CUMULATIVE
    if meter is None:
        accepted = ", ".join(m.value for m in MeterKind)
        errors["meter"] = [Message(N_("A meter needs its kind; accepted: %(accepted)s."), accepted=accepted)]
    interval = values.get("interval_minutes")
    if MeterMode(mode) is MeterMode.INTERVAL:
        if interval is None or not 1 <= interval <= MAX_INTERVAL_MINUTES:
            errors["interval_minutes"] = [
                Message(
                    N_("An interval meter needs its interval, 1 to %(max)s minutes."),
                    max=MAX_INTERVAL_MINUTES,
                )
            ]
    elif interval is not None:
        errors["interval_minutes"] = [N_("Only an interval meter has an interval.")]
    if errors:
        raise ValidationFailed(errors)
    return {
        "kind": kind,
        "meter": MeterKind(str(meter)),
        "mode": MeterMode(mode),
        "interval_minutes": interval,
    }


def create_device(values: Mapping[str, Any], actor: Actor, uow: UnitOfWork, now: datetime) -> Any:
    """Register a meter or door sensor of a project, optionally on a gateway and linked to an asset."""
    project = _project(values["project_id"], actor, uow)
    fields = _meter_fields(values)
    ensure_unique(uow.iot_devices, values, ["code"])
    gateway_id = values.get("gateway_id")
    if gateway_id is not None:
        gateway = _gateway_for_change(gateway_id, actor, uow)
        if gateway.project_id != project.id:
            raise ValidationFailed.single("gateway_id", N_("The gateway belongs to another project."))
    asset = _check_asset(values.get("asset_id"), project.id, actor, uow)
    device = uow.iot_devices.create(
        code=values["code"], project_id=project.id, gateway_id=gateway_id,
        asset_id=asset.id if asset else None, active=True, created_at=now, **fields,
    )  # fmt: skip
    uow.flush()
    audit.record(
        uow, actor, AuditAction.CREATE, "iot_device", device.id, after=device.audit_snapshot(),
        project_id=project.id, region_id=project.region_id,
    )  # fmt: skip
    uow.commit()
    return device


def update_device(device_id: int, changes: Mapping[str, Any], actor: Actor, uow: UnitOfWork) -> Any:
    """Link a device to another asset (or none), or switch it off and on."""
    device = for_change(uow.iot_devices, device_id, actor, P.ASSET_READ, P.ASSET_WRITE)
    before = device.audit_snapshot()
    if "asset_id" in changes:
        asset = _check_asset(changes["asset_id"], device.project_id, actor, uow)
        device.asset_id = asset.id if asset else None
    if "active" in changes:
        device.active = bool(changes["active"])
    audit.record(
        uow, actor, AuditAction.UPDATE, "iot_device", device.id, before=before, after=device.audit_snapshot(),
        project_id=device.project_id,
    )  # fmt: skip
    uow.commit()
    return device
