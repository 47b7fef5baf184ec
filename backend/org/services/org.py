"""Use cases for regions, projects and assets."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from backend.core.domain.access import Permission as P
from backend.core.domain.access import Scope
from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, Conflict, Forbidden, ValidationFailed
from backend.core.domain.listing import ListQuery
from backend.core.services import audit
from backend.core.services.context import Actor
from backend.core.services.crud import apply_changes, ensure_unique, for_change, merged
from backend.core.services.unit_of_work import UnitOfWork
from backend.org.domain.org import (
    ASSET_FIELD_SETTINGS,
    ASSET_TYPE_KIND,
    PROJECT_FIELD_SETTINGS,
    THROUGH_A_PROPOSAL,
    AssetType,
    check_asset,
    check_project,
    field_settings_change,
)

PROJECT_FIELDS = (
    "region_id",
    "code",
    "name",
    "city",
    "category",
    "timezone",
    "holiday_calendar",
    "address",
    "latitude",
    "longitude",
    "geofence",
    "geofence_radius_m",
)
ASSET_FIELDS = (
    "project_id",
    "code",
    "name",
    "kind",
    "asset_type",
    "floor",
    "area_m2",
    "serial_number",
    "model",
    "latitude",
    "longitude",
    "geofence",
    "geofence_radius_m",
)


def _settings_through_proposals(
    row: Any, changes: Mapping[str, Any], names: tuple[str, ...], actor: Actor
) -> None:
    """People change a fence or a field policy only through a proposal another person approves; the system
    (demo seeding, set-up scripts) sets them directly."""
    current = {name: getattr(row, name) for name in names}
    moved = field_settings_change(current, changes, names)
    if moved and actor.user_id is not None:
        raise ValidationFailed({name: [THROUGH_A_PROPOSAL] for name in moved})


# Regions ------------------------------------------------------------------------------------


def list_regions(query: ListQuery, actor: Actor, uow: UnitOfWork) -> tuple[Sequence[Any], int]:
    """Regions the actor can see."""
    return uow.regions.page(actor.require(P.REGION_READ), query)


def get_region(region_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    """One visible region."""
    return uow.regions.get(region_id, actor.require(P.REGION_READ))


def create_region(values: Mapping[str, Any], actor: Actor, uow: UnitOfWork) -> Any:
    """Open a new region."""
    if not actor.require(P.REGION_WRITE).everything:
        raise Forbidden(N_("Only head office may create regions."))
    ensure_unique(uow.regions, values, ["code"])
    region = uow.regions.create(**values)
    uow.flush()
    audit.record(
        uow,
        actor,
        AuditAction.CREATE,
        "region",
        region.id,
        after=region.audit_snapshot(),
        region_id=region.id,
    )
    uow.commit()
    return region


def update_region(region_id: int, changes: Mapping[str, Any], actor: Actor, uow: UnitOfWork) -> Any:
    """Rename a region or change its code."""
    region = for_change(uow.regions, region_id, actor, P.REGION_READ, P.REGION_WRITE)
    ensure_unique(uow.regions, changes, ["code"], exclude_id=region.id)
    before = region.audit_snapshot()
    apply_changes(region, changes)
    uow.flush()
    audit.record(
        uow,
        actor,
        AuditAction.UPDATE,
        "region",
        region.id,
        before=before,
        after=region.audit_snapshot(),
        region_id=region.id,
    )
    uow.commit()
    return region


def delete_region(region_id: int, actor: Actor, uow: UnitOfWork) -> None:
    """Delete an empty region; a region with projects or customers is refused."""
    region = for_change(uow.regions, region_id, actor, P.REGION_READ, P.REGION_WRITE)
    if uow.regions.has_dependents(region.id):
        raise Conflict(N_("The region still has projects, customers or role assignments."))
    before = region.audit_snapshot()
    uow.regions.delete(region)
    audit.record(uow, actor, AuditAction.DELETE, "region", region_id, before=before, region_id=region_id)
    uow.commit()


# Projects -----------------------------------------------------------------------------------


def list_projects(query: ListQuery, actor: Actor, uow: UnitOfWork) -> tuple[Sequence[Any], int]:
    """Projects the actor can see."""
    return uow.projects.page(actor.require(P.PROJECT_READ), query)


def get_project(project_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    """One visible project."""
    return uow.projects.get(project_id, actor.require(P.PROJECT_READ))


def _writable_region(region_id: int, actor: Actor, uow: UnitOfWork) -> None:
    """Refuse a region outside the actor's project-writing reach, as if it did not exist."""
    scope = actor.require(P.PROJECT_WRITE)
    if not scope.covers_region(region_id) or uow.regions.find(region_id) is None:
        raise ValidationFailed.single("region_id", N_("Unknown region, or one you may not add projects to."))


def create_project(values: Mapping[str, Any], actor: Actor, uow: UnitOfWork) -> Any:
    """Open a new project (site) in a region."""
    _writable_region(values["region_id"], actor, uow)
    check_project(values)
    ensure_unique(uow.projects, values, ["code"])
    project = uow.projects.create(**values)
    uow.flush()
    audit.record(
        uow,
        actor,
        AuditAction.CREATE,
        "project",
        project.id,
        after=project.audit_snapshot(),
        region_id=project.region_id,
        project_id=project.id,
    )
    uow.commit()
    return project


def update_project(project_id: int, changes: Mapping[str, Any], actor: Actor, uow: UnitOfWork) -> Any:
    """Change a project's details; moving it to another region needs reach over both."""
    project = for_change(uow.projects, project_id, actor, P.PROJECT_READ, P.PROJECT_WRITE)
    if changes.get("region_id", project.region_id) != project.region_id:
        _writable_region(changes["region_id"], actor, uow)
    check_project(merged(project, changes, PROJECT_FIELDS))
    _settings_through_proposals(project, changes, PROJECT_FIELD_SETTINGS, actor)
    ensure_unique(uow.projects, changes, ["code"], exclude_id=project.id)
    before = project.audit_snapshot()
    apply_changes(project, changes)
    uow.flush()
    audit.record(
        uow,
        actor,
        AuditAction.UPDATE,
        "project",
        project.id,
        before=before,
        after=project.audit_snapshot(),
        region_id=project.region_id,
        project_id=project.id,
    )
    uow.commit()
    return project


def delete_project(project_id: int, actor: Actor, uow: UnitOfWork) -> None:
    """Delete a project without assets."""
    project = for_change(uow.projects, project_id, actor, P.PROJECT_READ, P.PROJECT_DELETE)
    if uow.assets.count_in_project(project.id) or uow.projects.has_dependents(project.id):
        raise Conflict(N_("The project still has assets or role assignments."))
    before = project.audit_snapshot()
    uow.projects.delete(project)
    audit.record(
        uow,
        actor,
        AuditAction.DELETE,
        "project",
        project_id,
        before=before,
        region_id=project.region_id,
        project_id=project_id,
    )
    uow.commit()


# Assets -------------------------------------------------------------------------------------


def list_assets(query: ListQuery, actor: Actor, uow: UnitOfWork) -> tuple[Sequence[Any], int]:
    """Assets the actor can see."""
    return uow.assets.page(actor.require(P.ASSET_READ), query)


def get_asset(asset_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    """One visible asset."""
    return uow.assets.get(asset_id, actor.require(P.ASSET_READ))


def _writable_project(project_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    project = uow.projects.find(project_id)
    scope = actor.require(P.ASSET_WRITE)
    if project is None or not scope.covers_project(project.id, project.region_id):
        raise ValidationFailed.single("project_id", N_("Unknown project, or one you may not add assets to."))
    return project


def _with_kind(values: Mapping[str, Any]) -> dict[str, Any]:
    """The kind follows from the asset type when the caller leaves it out."""
    result = dict(values)
    if "asset_type" in result and "kind" not in result:
        result["kind"] = ASSET_TYPE_KIND[AssetType(result["asset_type"])]
    return result


def create_asset(values: Mapping[str, Any], actor: Actor, uow: UnitOfWork) -> Any:
    """Register a space unit or an equipment item in a project (status vacant, version 1)."""
    values = _with_kind(values)
    project = _writable_project(values["project_id"], actor, uow)
    check_asset(values)
    ensure_unique(uow.assets, values, ["code"])
    asset = uow.assets.create(**values)
    uow.flush()
    audit.record(
        uow,
        actor,
        AuditAction.CREATE,
        "asset",
        asset.id,
        after=asset.audit_snapshot(),
        region_id=project.region_id,
        project_id=project.id,
    )
    uow.commit()
    return asset


def update_asset(asset_id: int, changes: Mapping[str, Any], actor: Actor, uow: UnitOfWork) -> Any:
    """Change an asset's master data (its status changes through the asset state machine)."""
    asset = for_change(uow.assets, asset_id, actor, P.ASSET_READ, P.ASSET_WRITE)
    changes = _with_kind(changes)
    if changes.get("project_id", asset.project_id) != asset.project_id:
        _writable_project(changes["project_id"], actor, uow)
    check_asset(merged(asset, changes, ASSET_FIELDS))
    _settings_through_proposals(asset, changes, ASSET_FIELD_SETTINGS, actor)
    ensure_unique(uow.assets, changes, ["code"], exclude_id=asset.id)
    before = asset.audit_snapshot()
    apply_changes(asset, changes)
    uow.flush()
    project = uow.projects.get(asset.project_id, Scope(everything=True))
    audit.record(
        uow,
        actor,
        AuditAction.UPDATE,
        "asset",
        asset.id,
        before=before,
        after=asset.audit_snapshot(),
        region_id=project.region_id,
        project_id=project.id,
    )
    uow.commit()
    return asset


def delete_asset(asset_id: int, actor: Actor, uow: UnitOfWork) -> None:
    """Delete an asset registered by mistake."""
    asset = for_change(uow.assets, asset_id, actor, P.ASSET_READ, P.ASSET_DELETE)
    if uow.photos.any_of_asset(asset.id):
        raise Conflict(
            N_("The asset has photo evidence; evidence is never deleted, so neither is the asset.")
        )
    before = asset.audit_snapshot()
    region_id, project_id = asset.project.region_id, asset.project_id
    uow.assets.delete(asset)
    audit.record(
        uow,
        actor,
        AuditAction.DELETE,
        "asset",
        asset_id,
        before=before,
        region_id=region_id,
        project_id=project_id,
    )
    uow.commit()
