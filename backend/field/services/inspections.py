"""Inspection checklists and inspections: manage versions, file an inspection on site, read them back.

Checklists are shared by every project (one active checklist per asset type), so managing them takes
ASSET_WRITE: the permission over an asset's master data, held by head office and by regional and project
managers, whose teams fill the checklists in. Lease configuration would leave project managers out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from backend.core.domain.access import Permission as P
from backend.core.domain.audit import AuditAction, json_safe
from backend.core.domain.errors import N_, Conflict, Forbidden, NotFound, ValidationFailed
from backend.core.domain.listing import ListQuery, SortKey
from backend.core.services import audit
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from backend.field.domain.checklists import DEFAULT_CHECKLISTS
from backend.field.domain.inspections import ChecklistItemSpec, ItemKind, check_items, evaluate
from backend.field.domain.requests import ReportFlag, presence_flags
from backend.field.services.photos import pending_photos
from backend.field.services.status_requests import policy_of
from backend.iot.services import flags
from backend.org.domain.geofence import Fix, fence_for, plausibility_flags

ITEM_FIELDS = ("key", "label_zh", "label_en", "kind", "required", "number_min", "number_max", "number_unit")


@dataclass(frozen=True)
class ChecklistSeedReport:
    """Which default checklists were installed, and which were there already."""

    installed: tuple[str, ...]
    skipped: tuple[str, ...]


# Checklists ---------------------------------------------------------------------------------


def list_checklists(query: ListQuery, actor: Actor, uow: UnitOfWork) -> tuple[Sequence[Any], int]:
    """Checklists, by code and version unless asked otherwise."""
    scope = actor.require(P.ASSET_READ)
    if not query.sort:
        query = ListQuery(query.filters, (SortKey("code"), SortKey("version")), query.page, query.page_size)
    return uow.checklists.page(scope, query)


def get_checklist(checklist_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    """One checklist version with its items."""
    return uow.checklists.get(checklist_id, actor.require(P.ASSET_READ))


def checklist_for(asset_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    """The active checklist of the asset's type (404 when the asset is unseen or no checklist is active)."""
    asset = uow.assets.get(asset_id, actor.require(P.ASSET_READ))
    checklist = uow.checklists.active_for(asset.asset_type)
    if checklist is None:
        raise NotFound("Checklist")
    return checklist


def _specs(items: Iterable[Mapping[str, Any]]) -> list[ChecklistItemSpec]:
    return [
        ChecklistItemSpec(
            key=item["key"],
            kind=ItemKind(item["kind"]),
            label_zh=item["label_zh"],
            label_en=item["label_en"],
            required=item.get("required", True),
            number_min=item.get("number_min"),
            number_max=item.get("number_max"),
            number_unit=item.get("number_unit"),
        )
        for item in items
    ]


def _item_rows(specs: Sequence[ChecklistItemSpec]) -> list[dict[str, Any]]:
    return [{"position": n, **{f: getattr(spec, f) for f in ITEM_FIELDS}} for n, spec in enumerate(specs, 1)]


def _snapshot(checklist: Any) -> dict[str, Any]:
    snapshot: dict[str, Any] = checklist.audit_snapshot()
    snapshot["items"] = [json_safe({f: getattr(item, f) for f in ITEM_FIELDS}) for item in checklist.items]
    return snapshot


def _ensure_only_active(asset_type: Any, code: str, uow: UnitOfWork) -> None:
    """Refuse activating a checklist while another checklist is active for the same asset type."""
    uow.checklists.lock_asset_type(asset_type)
    if uow.checklists.active_for(asset_type, exclude_code=code) is not None:
        raise Conflict.on_fields(
            {"asset_type": [N_("Another checklist is active for this asset type; deactivate it first.")]}
        )


def _stage_checklist(values: Mapping[str, Any], version: int, uow: UnitOfWork) -> Any:
    specs = _specs(values["items"])
    check_items(specs)
    active = values.get("active", True)
    if active:
        _ensure_only_active(values["asset_type"], values["code"], uow)
        uow.checklists.deactivate_code(values["code"])
    header = {key: values[key] for key in ("code", "name", "asset_type")} | {"name_en": values.get("name_en")}
    checklist = uow.checklists.create_with_items(
        header | {"version": version, "active": active}, _item_rows(specs)
    )
    uow.flush()
    return checklist


def _writer(actor: Actor) -> None:
    # A checklist is shared by every region: a change in one region would change (or stop) the
    # inspections of all the others, so only head office may make it.
    if not actor.require(P.ASSET_WRITE).everything:
        raise Forbidden(N_("Checklists are shared by every region; only head office may change them."))


def create_checklist(values: Mapping[str, Any], actor: Actor, uow: UnitOfWork) -> Any:
    """Add a checklist for an asset type (version 1 of a new code)."""
    _writer(actor)
    if uow.checklists.latest_version(values["code"]):
        raise Conflict.on_fields({"code": [N_("Already in use.")]})
    checklist = _stage_checklist(values, 1, uow)
    audit.record(uow, actor, AuditAction.CREATE, "checklist", checklist.id, after=_snapshot(checklist))
    uow.commit()
    return checklist


def update_checklist(checklist_id: int, changes: Mapping[str, Any], actor: Actor, uow: UnitOfWork) -> Any:
    """Change a checklist: in place while unused, else as a new version that replaces it.

    Switching a version on or off is not an edit and is done in place either way.
    """
    _writer(actor)
    checklist = uow.checklists.get(checklist_id, actor.require(P.ASSET_READ))
    content_changed = bool({"name", "name_en", "items"} & set(changes))
    if content_changed and uow.checklists.is_used(checklist.id):
        return _new_version(checklist, changes, actor, uow)
    before = _snapshot(checklist)
    if "items" in changes:
        specs = _specs(changes["items"])
        check_items(specs)
        uow.checklists.replace_items(checklist, _item_rows(specs))
    if "name" in changes:
        checklist.name = changes["name"]
    if "name_en" in changes:
        checklist.name_en = changes["name_en"]
    if changes.get("active") is True and not checklist.active:
        _ensure_only_active(checklist.asset_type, checklist.code, uow)
        uow.checklists.deactivate_code(checklist.code)
    if "active" in changes:
        checklist.active = changes["active"]
    uow.flush()
    audit.record(
        uow, actor, AuditAction.UPDATE, "checklist", checklist.id, before=before, after=_snapshot(checklist)
    )
    uow.commit()
    return checklist


def _new_version(checklist: Any, changes: Mapping[str, Any], actor: Actor, uow: UnitOfWork) -> Any:
    current = {
        "code": checklist.code,
        "name": checklist.name,
        "name_en": checklist.name_en,
        "asset_type": checklist.asset_type,
        "active": checklist.active,
        "items": [{f: getattr(item, f) for f in ITEM_FIELDS} for item in checklist.items],
    }
    version = uow.checklists.latest_version(checklist.code) + 1
    replacement = _stage_checklist(current | dict(changes), version, uow)
    audit.record(
        uow,
        actor,
        AuditAction.CREATE,
        "checklist",
        replacement.id,
        after=_snapshot(replacement) | {"replaces_id": checklist.id},
    )
    uow.commit()
    return replacement


def install_default_checklists(actor: Actor, uow: UnitOfWork) -> ChecklistSeedReport:
    """Stage the default checklists whose codes are not taken yet (no commit: callers commit)."""
    taken = uow.checklists.existing_codes([default.code for default in DEFAULT_CHECKLISTS])
    installed = []
    for default in DEFAULT_CHECKLISTS:
        if default.code in taken or uow.checklists.active_for(default.asset_type) is not None:
            continue
        values = {
            "code": default.code,
            "name": default.name,
            "name_en": default.name_en,
            "asset_type": default.asset_type,
            "items": [{f: getattr(spec, f) for f in ITEM_FIELDS} for spec in default.items],
        }
        checklist = _stage_checklist(values, 1, uow)
        audit.record(uow, actor, AuditAction.CREATE, "checklist", checklist.id, after=_snapshot(checklist))
        installed.append(default.code)
    skipped = tuple(d.code for d in DEFAULT_CHECKLISTS if d.code not in installed)
    return ChecklistSeedReport(tuple(installed), skipped)


def seed_checklists(actor: Actor, uow: UnitOfWork) -> ChecklistSeedReport:
    """Install the default checklists, one per asset type; running it again changes nothing."""
    _writer(actor)
    report = install_default_checklists(actor, uow)
    uow.commit()
    return report


# Inspections --------------------------------------------------------------------------------


def _reportable_asset(asset_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    """The asset, if the actor may file field evidence on it: 404 unseen, 403 seen but not theirs."""
    report_scope = actor.require(P.FIELD_REPORT)
    asset = uow.assets.get(asset_id, actor.scope_for(P.ASSET_READ))
    if not report_scope.covers_project(asset.project_id, asset.project.region_id):
        raise Forbidden(N_("You may not file field evidence on this asset."))
    return asset


def _checklist_of(asset: Any, checklist_id: int | None, uow: UnitOfWork) -> Any:
    """The version filled in (an older one is fine: phones work offline), else the active one."""
    if checklist_id is None:
        checklist = uow.checklists.active_for(asset.asset_type)
        if checklist is None:
            raise ValidationFailed.single("checklist_id", N_("No checklist is active for this asset type."))
        return checklist
    checklist = uow.checklists.find(checklist_id)
    if checklist is None or checklist.asset_type != asset.asset_type:
        raise ValidationFailed.single("checklist_id", N_("Unknown checklist, or one for another asset type."))
    return checklist


def _check_fix(values: Mapping[str, Any]) -> tuple[float, float, float] | None:
    fix = [values.get(name) for name in ("latitude", "longitude", "accuracy_m")]
    if all(part is None for part in fix):
        return None
    if any(part is None for part in fix):
        missing = [
            name
            for name, part in zip(("latitude", "longitude", "accuracy_m"), fix, strict=True)
            if part is None
        ]
        raise ValidationFailed(
            {name: [N_("Give latitude, longitude and accuracy_m together.")] for name in missing}
        )
    latitude, longitude, accuracy = (float(part) for part in fix)  # type: ignore[arg-type]
    return latitude, longitude, accuracy


def _gps_evidence(
    asset: Any,
    fix: tuple[float, float, float] | None,
    captured_at: datetime,
    actor: Actor,
    uow: UnitOfWork,
    now: datetime,
) -> dict[str, Any]:
    """The fix re-checked against the asset's (else the project's) fence, with plausibility flags."""
    if fix is None:
        return {"plausibility_flags": []}
    latitude, longitude, accuracy = fix
    evidence: dict[str, Any] = {
        "latitude": Decimal(str(latitude)),
        "longitude": Decimal(str(longitude)),
        "accuracy_m": Decimal(str(accuracy)),
    }
    project = asset.project
    fence = fence_for(asset.geofence, asset.geofence_radius_m, project.geofence, project.geofence_radius_m)
    if fence is not None:
        check = fence.check(latitude, longitude, accuracy)
        evidence |= {
            "fence_passed": check.passed,
            "fence_distance_m": Decimal(f"{check.distance_m:.1f}"),
            "fence_reason": check.reason.value if check.reason else None,
        }
    earlier: list[Fix] = []
    if actor.device_id is not None:
        earlier = [
            Fix(float(e.latitude or 0), float(e.longitude or 0), float(e.accuracy_m or 0), e.captured_at)
            for e in uow.inspections.earlier_fixes_of_device(actor.device_id, captured_at)
        ]
    current = Fix(latitude, longitude, accuracy, captured_at, uploaded_at=now)
    evidence["plausibility_flags"] = [flag.value for flag in plausibility_flags(current, earlier)]
    return evidence


def submit_inspection(values: Mapping[str, Any], actor: Actor, uow: UnitOfWork, now: datetime) -> Any:
    """File an inspection of an asset: answers checked against the checklist, GPS re-checked and stored."""
    asset = _reportable_asset(values["asset_id"], actor, uow)
    checklist = _checklist_of(asset, values.get("checklist_id"), uow)
    fix = _check_fix(values)
    specs = _specs({f: getattr(item, f) for f in ITEM_FIELDS} for item in checklist.items)
    evaluation = evaluate(specs, values.get("answers") or {})
    header = {
        "asset_id": asset.id,
        "project_id": asset.project_id,
        "checklist_id": checklist.id,
        "checklist_version": checklist.version,
        "inspector_id": actor.user_id,
        "device_id": actor.device_id,
        "captured_at": values["captured_at"],
        "submitted_at": now,
        "result": evaluation.result,
        "note": values.get("note"),
    }
    answers = [
        {
            "item_key": answer.key,
            "kind": answer.kind,
            "passed": answer.passed,
            "number_value": answer.number_value,
            "text_value": answer.text_value,
            "photo_hashes": list(answer.photo_hashes),
        }
        for answer in evaluation.answers
    ]
    gps = _gps_evidence(asset, fix, values["captured_at"], actor, uow, now)
    remote_reason = values.get("remote_reason")
    project = asset.project
    fence = fence_for(asset.geofence, asset.geofence_radius_m, project.geofence, project.geofence_radius_m)
    policy = policy_of(project)
    has_fix, passed, why = fix is not None, gps.get("fence_passed"), gps.get("fence_reason")
    presence = presence_flags(policy, fence is not None, has_fix, passed, remote_reason, why)
    gps["plausibility_flags"] = [*gps["plausibility_flags"], *presence]
    if ReportFlag.REMOTE_REPORT.value in presence:
        gps["remote_reason"] = (remote_reason or "").strip()
    inspection = uow.inspections.create_with_answers(header | gps, answers)
    uow.flush()
    audit.record(
        uow,
        actor,
        AuditAction.CREATE,
        "inspection",
        inspection.id,
        after=inspection.audit_snapshot()
        | {"answers": [json_safe(a.audit_snapshot()) for a in inspection.answers]},
        region_id=asset.project.region_id,
        project_id=asset.project_id,
    )
    if values.get("flag_id") is not None:
        flags.answer_with_inspection(values["flag_id"], inspection, actor, uow, now)
    with_pending_evidence([inspection], uow)
    uow.commit()
    return inspection


def with_pending_evidence(inspections: Sequence[Any], uow: UnitOfWork) -> Sequence[Any]:
    """Mark on each inspection the cited photos not uploaded yet (worked out on reading, never stored)."""
    cited = {(h, inspection.asset_id) for inspection in inspections for h in inspection.photo_hashes}
    pending = pending_photos(cited, uow) if cited else set()
    for inspection in inspections:
        inspection.evidence_pending = [
            h for h in inspection.photo_hashes if (h, inspection.asset_id) in pending
        ]
    return inspections


def list_inspections(query: ListQuery, actor: Actor, uow: UnitOfWork) -> tuple[Sequence[Any], int]:
    """Inspections of the projects the actor can see, newest first unless asked otherwise."""
    scope = actor.require(P.ASSET_READ)
    if not query.sort:
        query = ListQuery(
            query.filters, (SortKey("submitted_at", descending=True),), query.page, query.page_size
        )
    items, total = uow.inspections.page(scope, query)
    return with_pending_evidence(items, uow), total


def get_inspection(inspection_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    """One inspection with its answers and the evidence still pending."""
    inspection = uow.inspections.get(inspection_id, actor.require(P.ASSET_READ))
    return with_pending_evidence([inspection], uow)[0]
