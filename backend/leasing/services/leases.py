"""Use cases for templates and leases: draft, sign, activate, flag expiring, renew, terminate, end."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta

from backend.collections.services import late_fees
from backend.core.domain.access import Permission as P
from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, Conflict, Forbidden, Message, NotFound, ValidationFailed
from backend.core.domain.jobs import ScheduleTrigger
from backend.core.domain.listing import ListQuery
from backend.core.services import audit, events
from backend.core.services.context import Actor
from backend.core.services.crud import apply_changes, ensure_unique, for_change
from backend.core.services.unit_of_work import UnitOfWork
from backend.leasing.domain import codes
from backend.leasing.domain import schedule as engine
from backend.leasing.domain.leases import (
    BINDING,
    LIFECYCLE,
    TERM_FIELDS,
    LeaseEnded,
    LeaseSigned,
    LeaseStatus,
    check_required_fields,
    check_signable,
    check_term,
    check_transition,
    expiring_from,
    expiry_windows,
)
from backend.leasing.domain.tags import TagSource
from backend.leasing.services import schedules, tags

CODE_FIELDS = {
    "frequency": ("frequency", engine.Frequency),
    "timing": ("timing", engine.Timing),
    "business_day_rule": ("business_day_rule", engine.BusinessDayRule),
}
TEMPLATE_DEFAULTS = (
    "frequency",
    "timing",
    "due_day",
    "due_offset_days",
    "business_day_rule",
    "anchor",
    "prorate",
    "rounding",
    "notice_period_days",
)
LATE_FEE_FIELDS = late_fees.CLAUSE_FIELDS
LEASE_FIELDS = (
    "number",
    "customer_id",
    *TERM_FIELDS,
    "deposit_amount",
    "notice_period_days",
    "auto_renew",
    "renewal_term_months",
    "account_manager_id",
    "purpose",
    "tags",
    "note",
    *LATE_FEE_FIELDS,
)


# Codes and aliases --------------------------------------------------------------------------------


def aliases(uow: UnitOfWork, domain: str) -> dict[str, str]:
    """The editable table of a code domain merged with its built-in aliases (a built-in one always wins)."""
    merged = {codes.normalise(k): v for k, v in uow.code_aliases.mapping(domain).items()}
    merged.update({codes.normalise(k): v for k, v in codes.DEFAULT_ALIASES.get(domain, {}).items()})
    return merged


def parse_codes(values: dict[str, Any], uow: UnitOfWork, prefix: str = "") -> dict[str, list[str]]:
    """Turn free-text codes into canonical ones in place; messages for those that match nothing."""
    errors: dict[str, list[str]] = {}
    for name, (domain, accepted) in CODE_FIELDS.items():
        value = values.get(name)
        if value is None or isinstance(value, accepted):
            continue
        try:
            values[name] = codes.parse_code(prefix + name, str(value), accepted, aliases(uow, domain))
        except ValidationFailed as exc:
            errors.update(exc.fields)
    return errors


def _parse_charge_type(value: Any, field: str, uow: UnitOfWork) -> engine.ChargeType:
    if isinstance(value, engine.ChargeType):
        return value
    return codes.parse_code(field, str(value), engine.ChargeType, aliases(uow, "charge_type"))


# Templates ---------------------------------------------------------------------------------------


def list_templates(query: ListQuery, actor: Actor, uow: UnitOfWork) -> tuple[Sequence[Any], int]:
    """Contract templates (everyone who works with leases reads them)."""
    return uow.templates.page(actor.require(P.LEASE_READ), query)


def get_template(template_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    """One contract template."""
    return uow.templates.get(template_id, actor.require(P.LEASE_READ))


def _configure_scope(actor: Actor) -> None:
    if not actor.require(P.LEASE_CONFIGURE).everything:
        raise Forbidden(N_("Only head office may change templates, aliases and index series."))


def _check_template(values: dict[str, Any], uow: UnitOfWork) -> None:
    errors = parse_codes(values, uow)
    if "required_fields" in values and (messages := check_required_fields(values["required_fields"])):
        errors["required_fields"] = messages
    if errors:
        raise ValidationFailed(errors)


def create_template(values: Mapping[str, Any], actor: Actor, uow: UnitOfWork) -> Any:
    """Add a contract template."""
    _configure_scope(actor)
    values = dict(values)
    _check_template(values, uow)
    ensure_unique(uow.templates, values, ["code"])
    template = uow.templates.create(**values)
    uow.flush()
    audit.record(
        uow, actor, AuditAction.CREATE, "contract_template", template.id, after=template.audit_snapshot()
    )
    uow.commit()
    return template


def update_template(template_id: int, changes: Mapping[str, Any], actor: Actor, uow: UnitOfWork) -> Any:
    """Change a template; leases already drafted keep the terms they copied."""
    _configure_scope(actor)
    template = uow.templates.get(template_id, actor.require(P.LEASE_CONFIGURE))
    changes = dict(changes)
    _check_template(changes, uow)
    ensure_unique(uow.templates, changes, ["code"], exclude_id=template.id)
    before = template.audit_snapshot()
    apply_changes(template, changes)
    uow.flush()
    audit.record(
        uow,
        actor,
        AuditAction.UPDATE,
        "contract_template",
        template.id,
        before=before,
        after=template.audit_snapshot(),
    )
    uow.commit()
    return template


# Leases: reading ---------------------------------------------------------------------------------


def lease_query(query: ListQuery, now: datetime, uow: UnitOfWork) -> ListQuery:
    """The list query as the repository takes it: `expiring_within` (days) becomes per-zone end dates."""
    days = query.filters.get("expiring_within")
    if days is None:
        return query
    windows = expiry_windows(uow.projects.time_zones().values(), now, days)
    return dataclasses.replace(query, filters={**query.filters, "expiring_within": windows})


def list_leases(query: ListQuery, actor: Actor, uow: UnitOfWork, now: datetime) -> tuple[Sequence[Any], int]:
    """Leases the actor can see."""
    scope = actor.require(P.LEASE_READ)
    return uow.leases.page(scope, lease_query(query, now, uow))


def get_lease(lease_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    """One visible lease."""
    return uow.leases.get(lease_id, actor.require(P.LEASE_READ))


def charge_line_history(lease_id: int, actor: Actor, uow: UnitOfWork) -> list[Any]:
    """Every version of a visible lease's charge lines, in force or replaced, by series and version."""
    lease = uow.leases.get(lease_id, actor.require(P.LEASE_READ))
    return sorted(lease.charge_lines, key=lambda line: (line.series, line.version))


def snapshot(lease: Any) -> dict[str, Any]:
    """A lease with its assets, lines and concessions, for the audit log."""
    data: dict[str, Any] = lease.audit_snapshot()
    data["asset_ids"] = lease.asset_ids
    data["charge_lines"] = [line.audit_snapshot() for line in lease.current_lines]
    data["concessions"] = [c.audit_snapshot() for c in lease.current_concessions]
    return data


def _record(uow: UnitOfWork, actor: Actor, action: AuditAction, lease: Any, before: Any = None) -> None:
    audit.record(
        uow,
        actor,
        action,
        "lease",
        lease.id,
        before=before,
        after=snapshot(lease),
        project_id=lease.project_id,
        region_id=lease.project.region_id,
    )


# Leases: drafting -------------------------------------------------------------------------------


def _assets(asset_ids: Sequence[int], actor: Actor, uow: UnitOfWork) -> list[Any]:
    scope = actor.require(P.LEASE_WRITE)
    found = []
    errors: list[str] = []
    for asset_id in dict.fromkeys(asset_ids):
        try:
            found.append(uow.assets.get(asset_id, scope))
        except NotFound:
            errors.append(
                Message(N_("Asset %(id)s does not exist or is outside your projects."), id=asset_id)
            )
    if errors:
        raise ValidationFailed({"asset_ids": errors})
    if len({asset.project_id for asset in found}) > 1:
        raise ValidationFailed.single("asset_ids", N_("All assets of a lease must belong to one project."))
    return found


def _check_people(values: Mapping[str, Any], actor: Actor, uow: UnitOfWork) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if values.get("customer_id") is not None:
        try:
            uow.customers.get(values["customer_id"], actor.require(P.CUSTOMER_READ))
        except NotFound:
            errors["customer_id"] = [N_("Unknown customer, or outside your regions.")]
    manager_id = values.get("account_manager_id")
    if manager_id is not None:
        manager = uow.users.find(manager_id)
        if manager is None or not manager.is_active:
            errors["account_manager_id"] = [N_("Must be an active user.")]
    return errors


def line_values(
    index: int, raw: Mapping[str, Any], uow: UnitOfWork, errors: dict[str, list[str]]
) -> dict[str, Any]:
    """Column values of one entered charge line; problems are added to `errors` by field."""
    field = f"charge_lines.{index}."
    values: dict[str, Any] = {
        "monthly_amount": raw["monthly_amount"],
        "starts_on": raw.get("starts_on"),
        "ends_on": raw.get("ends_on"),
    }
    try:
        values["charge_type"] = _parse_charge_type(raw["charge_type"], field + "charge_type", uow)
        if raw.get("frequency") is not None:
            values["frequency"] = codes.parse_code(
                field + "frequency", str(raw["frequency"]), engine.Frequency, aliases(uow, "frequency")
            )
    except ValidationFailed as exc:
        errors.update(exc.fields)
    escalation = raw.get("escalation")
    if escalation:
        values.update(
            escalation_kind=escalation["kind"],
            escalation_every_months=escalation["every_months"],
            escalation_value=escalation.get("value"),
            escalation_floor_percent=escalation.get("floor_percent"),
            escalation_cap_percent=escalation.get("cap_percent"),
            escalation_index=escalation.get("index"),
        )
        if escalation["kind"] == engine.EscalationKind.CPI and not escalation.get("index"):
            errors[field + "escalation.index"] = [N_("Name the price index series for a CPI escalation.")]
        if escalation["kind"] != engine.EscalationKind.CPI and escalation.get("value") is None:
            errors[field + "escalation.value"] = [N_("Give the step: a percent or an amount.")]
    return values


def _set_lines(lease: Any, lines: Sequence[Mapping[str, Any]], uow: UnitOfWork) -> None:
    errors: dict[str, list[str]] = {}
    parsed = [line_values(index, raw, uow, errors) for index, raw in enumerate(lines)]
    if errors:
        raise ValidationFailed(errors)
    lease.charge_lines.clear()
    for series, values in enumerate(parsed, start=1):
        uow.charge_lines.add(lease, series=series, version=1, **values)


def _set_concessions(lease: Any, concessions: Sequence[Mapping[str, Any]], uow: UnitOfWork) -> None:
    errors: dict[str, list[str]] = {}
    rows = []
    for index, raw in enumerate(concessions):
        values = dict(raw)
        try:
            values["charge_type"] = _parse_charge_type(
                values.get("charge_type", engine.ChargeType.RENT), f"concessions.{index}.charge_type", uow
            )
        except ValidationFailed as exc:
            errors.update(exc.fields)
        if values["ends_on"] < values["starts_on"]:
            errors[f"concessions.{index}.ends_on"] = [N_("Must not be before the start date.")]
        rows.append(values)
    if errors:
        raise ValidationFailed(errors)
    lease.concessions.clear()
    for values in rows:
        uow.charge_lines.add_concession(lease, **values)


def _default_deposit(lease: Any, template: Any) -> Decimal | None:
    rent = sum(
        (
            line.monthly_amount
            for line in lease.charge_lines
            if line.charge_type == engine.ChargeType.RENT and line.version == 1
        ),
        Decimal(0),
    )
    if not rent or not template.deposit_months:
        return None
    deposit: Decimal = (rent * template.deposit_months).quantize(Decimal("0.01"))
    return deposit


def create_lease(values: Mapping[str, Any], actor: Actor, uow: UnitOfWork) -> Any:
    """Draft a lease; missing terms come from its template, free-text codes go through the alias table."""
    lease = stage_lease(values, actor, uow)
    _record(uow, actor, AuditAction.CREATE, lease)
    uow.commit()
    return lease


def stage_lease(values: Mapping[str, Any], actor: Actor, uow: UnitOfWork) -> Any:
    """Build and flush a validated draft lease, neither audited nor committed (drafting, imports)."""
    values = dict(values)
    write_scope = actor.require(P.LEASE_WRITE)
    template = uow.templates.get(values.pop("template_id"), actor.require(P.LEASE_READ))
    if not template.is_active:
        raise ValidationFailed.single("template_id", N_("This template is retired; choose an active one."))
    assets = _assets(values.pop("asset_ids", []), actor, uow)
    project_id = values.pop("project_id", None)
    if assets:
        if project_id is not None and project_id != assets[0].project_id:
            raise ValidationFailed.single("project_id", N_("The assets belong to another project."))
        project = assets[0].project
    elif project_id is not None:
        project = uow.projects.get(project_id, write_scope)
    else:
        raise ValidationFailed.single("asset_ids", N_("Name the assets let, or at least the project."))
    lines = values.pop("charge_lines", [])
    concessions = values.pop("concessions", [])
    if values.get("due_day") is not None and values.get("due_offset_days") is None:
        # A due day of the month replaces the template's due rule; its offset belongs to that rule.
        values["due_offset_days"] = 0
    for name in TEMPLATE_DEFAULTS:
        if values.get(name) is None:
            values[name] = getattr(template, name)
    errors = parse_codes(values, uow) | _check_people(values, actor, uow)
    errors |= check_term(values.get("starts_on"), values.get("ends_on"))
    errors |= late_fees.clause_problems(values)
    if errors:
        raise ValidationFailed(errors)
    if not values.get("number"):
        prefix = f"{project.code}-{values.get('starts_on') or date.today():%Y}-"  # noqa: DTZ011 - a label only
        values["number"] = f"{prefix}{uow.leases.count_numbered(prefix) + 1:04d}"
    ensure_unique(uow.leases, values, ["number"])
    values.setdefault("tags", [])
    lease = uow.leases.create(project_id=project.id, template_id=template.id, **values)
    lease.project = project
    lease.template = template
    lease.assets = assets
    _set_lines(lease, lines, uow)
    _set_concessions(lease, concessions, uow)
    if lease.deposit_amount is None:
        lease.deposit_amount = _default_deposit(lease, template)
    uow.flush()
    tags.record(uow, lease, [], lease.tags or [], actor, TagSource.MANUAL)
    return lease


def _draft_for_change(lease_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    lease = for_change(uow.leases, lease_id, actor, P.LEASE_READ, P.LEASE_WRITE)
    if lease.status is not LeaseStatus.DRAFT:
        raise Conflict(N_("Only a draft lease can be edited; amend a signed lease instead."))
    return lease


def update_lease(lease_id: int, changes: Mapping[str, Any], actor: Actor, uow: UnitOfWork) -> Any:
    """Change a draft lease (a signed one changes only through amendments)."""
    lease = _draft_for_change(lease_id, actor, uow)
    changes = dict(changes)
    if changes.get("due_day") is not None and "due_offset_days" not in changes:
        changes["due_offset_days"] = 0  # a due day of the month replaces the offset the draft had
    before = snapshot(lease)
    tags_before = list(lease.tags or [])
    errors = parse_codes(changes, uow) | _check_people(changes, actor, uow)
    errors |= check_term(changes.get("starts_on", lease.starts_on), changes.get("ends_on", lease.ends_on))
    errors |= late_fees.clause_problems({name: getattr(lease, name) for name in LATE_FEE_FIELDS} | changes)
    if errors:
        raise ValidationFailed(errors)
    ensure_unique(uow.leases, changes, ["number"], exclude_id=lease.id)
    if "asset_ids" in changes:
        assets = _assets(changes.pop("asset_ids"), actor, uow)
        if assets and assets[0].project_id != lease.project_id:
            raise ValidationFailed.single("asset_ids", N_("The assets belong to another project."))
        lease.assets = assets
    if "charge_lines" in changes:
        _set_lines(lease, changes.pop("charge_lines"), uow)
    if "concessions" in changes:
        _set_concessions(lease, changes.pop("concessions"), uow)
    apply_changes(lease, changes)
    uow.flush()
    tags.record(uow, lease, tags_before, lease.tags or [], actor, TagSource.MANUAL)
    _record(uow, actor, AuditAction.UPDATE, lease, before)
    uow.commit()
    return lease


def delete_lease(lease_id: int, actor: Actor, uow: UnitOfWork) -> None:
    """Delete a draft entered by mistake; signed leases are kept for ever."""
    lease = _draft_for_change(lease_id, actor, uow)
    before = snapshot(lease)
    project_id, region_id = lease.project_id, lease.project.region_id
    uow.leases.delete(lease)
    audit.record(
        uow,
        actor,
        AuditAction.DELETE,
        "lease",
        lease_id,
        before=before,
        project_id=project_id,
        region_id=region_id,
    )
    uow.commit()


# Lifecycle ---------------------------------------------------------------------------------------


business_today = schedules.business_today


def signable_values(lease: Any) -> dict[str, Any]:
    """The lease's values as the template's required-field check sees them."""
    values = {name: getattr(lease, name) for name in LEASE_FIELDS}
    values["asset_ids"] = lease.asset_ids
    values["charge_lines"] = lease.current_lines
    return values


def check_assets_free(lease: Any, starts_on: date, ends_on: date, uow: UnitOfWork) -> None:
    """Refuse dates on which another binding lease holds any of the lease's assets."""
    clashes = uow.leases.binding_overlaps(lease.asset_ids, starts_on, ends_on, lease.id)
    if clashes:
        raise Conflict.on_fields(
            {
                "asset_ids": [
                    Message(
                        N_("Asset %(asset)s is already let by lease %(lease)s for these dates."),
                        asset=code,
                        lease=number,
                    )
                    for number, code in clashes
                ]
            }
        )


def _transition(lease: Any, target: LeaseStatus, actor: Actor, uow: UnitOfWork, **changes: Any) -> None:
    check_transition(lease.status, target)
    before = snapshot(lease)
    lease.status = target
    apply_changes(lease, changes)
    uow.flush()
    _record(uow, actor, AuditAction.UPDATE, lease, before)


def sign_lease(lease_id: int, actor: Actor, uow: UnitOfWork, now: datetime) -> Any:
    """Sign a draft: every required field present, assets free, schedule generated, event emitted."""
    lease = for_change(uow.leases, lease_id, actor, P.LEASE_READ, P.LEASE_WRITE)
    check_transition(lease.status, LeaseStatus.SIGNED)
    check_signable(lease.template.required_fields, signable_values(lease))
    lease_ref = schedules.ref(lease)

    def work() -> Any:
        stage_signing(lease, actor, uow, now)
        uow.commit()
        return lease

    return schedules.guarded(lease_ref, ScheduleTrigger.SIGN, actor, uow, work)


def stage_signing(lease: Any, actor: Actor, uow: UnitOfWork, now: datetime) -> int:
    """Sign a checked draft in the caller's transaction: assets free, schedule written (its item count)."""
    uow.leases.lock(lease)
    check_assets_free(lease, lease.starts_on, lease.ends_on, uow)
    count = schedules.materialise(lease, uow, now)
    _transition(lease, LeaseStatus.SIGNED, actor, uow, signed_at=now, signed_by_id=actor.user_id)
    if lease.renewed_from_id is not None:
        predecessor = uow.leases.find(lease.renewed_from_id)
        if predecessor is not None and LeaseStatus.RENEWED in _allowed(predecessor):
            _transition(predecessor, LeaseStatus.RENEWED, actor, uow)
    schedules.record_success(schedules.ref(lease), ScheduleTrigger.SIGN, actor, uow, count, now)
    event = LeaseSigned(lease.id, lease.project_id, tuple(lease.asset_ids), lease.starts_on, lease.ends_on)
    events.publish(event, actor, uow, project_id=lease.project_id)
    return count


def _allowed(lease: Any) -> frozenset[LeaseStatus]:
    return LIFECYCLE[lease.status]


def activate_lease(lease_id: int, actor: Actor, uow: UnitOfWork, now: datetime) -> Any:
    """Mark a signed lease active once its term has begun."""
    lease = for_change(uow.leases, lease_id, actor, P.LEASE_READ, P.LEASE_WRITE)
    if lease.starts_on > business_today(lease, now):
        raise Conflict(N_("The lease starts on %(date)s; it cannot be active before."), date=lease.starts_on)
    _transition(lease, LeaseStatus.ACTIVE, actor, uow)
    uow.commit()
    return lease


def flag_expiring(lease_id: int, actor: Actor, uow: UnitOfWork, now: datetime) -> Any:
    """Flag an active lease as expiring once its end is within the notice window."""
    lease = for_change(uow.leases, lease_id, actor, P.LEASE_READ, P.LEASE_WRITE)
    days_left = (lease.ends_on - business_today(lease, now)).days
    if days_left > expiring_from(lease.ends_on, lease.notice_period_days):
        raise Conflict(
            N_("The lease ends in %(days)s days; too early to flag it as expiring."), days=days_left
        )
    _transition(lease, LeaseStatus.EXPIRING, actor, uow)
    uow.commit()
    return lease


def end_lease(lease_id: int, actor: Actor, uow: UnitOfWork, now: datetime) -> Any:
    """Close a lease whose term is over; its assets are released."""
    lease = for_change(uow.leases, lease_id, actor, P.LEASE_READ, P.LEASE_WRITE)
    if lease.ends_on >= business_today(lease, now):
        raise Conflict(N_("The lease runs until %(date)s; terminate it to end it early."), date=lease.ends_on)
    _transition(lease, LeaseStatus.ENDED, actor, uow, closed_on=lease.ends_on)
    _publish_end(lease, actor, uow)
    uow.commit()
    return lease


def _publish_end(lease: Any, actor: Actor, uow: UnitOfWork) -> None:
    event = LeaseEnded(lease.id, lease.project_id, tuple(lease.asset_ids), lease.closed_on, lease.status)
    events.publish(event, actor, uow, project_id=lease.project_id)


def terminate_lease(
    lease_id: int, on: date, reason: str, actor: Actor, uow: UnitOfWork, now: datetime
) -> Any:
    """End a lease early: unbilled periods after the last day are cancelled, the last one re-prorated."""
    lease = for_change(uow.leases, lease_id, actor, P.LEASE_READ, P.LEASE_WRITE)
    check_transition(lease.status, LeaseStatus.TERMINATED)
    if not lease.starts_on <= on <= lease.ends_on:
        raise ValidationFailed.single("on", N_("Must lie within the lease term."))
    if not reason.strip():
        raise ValidationFailed.single("reason", N_("Say why the lease is terminated."))
    lease_ref = schedules.ref(lease)

    def work() -> Any:
        uow.leases.lock(lease)
        count = schedules.materialise(lease, uow, now, term_end=on, settle_billed=False)
        _transition(lease, LeaseStatus.TERMINATED, actor, uow, closed_on=on, close_reason=reason.strip())
        schedules.record_success(lease_ref, ScheduleTrigger.REGENERATE, actor, uow, count, now)
        _publish_end(lease, actor, uow)
        uow.commit()
        return lease

    return schedules.guarded(lease_ref, ScheduleTrigger.REGENERATE, actor, uow, work)


def renew_lease(lease_id: int, values: Mapping[str, Any], actor: Actor, uow: UnitOfWork) -> Any:
    """Draft the successor of an active or expiring lease; signing it marks this one renewed."""
    lease = for_change(uow.leases, lease_id, actor, P.LEASE_READ, P.LEASE_WRITE)
    if LeaseStatus.RENEWED not in _allowed(lease):
        raise Conflict(N_("Only an active or expiring lease can be renewed."))
    starts_on = values.get("starts_on") or lease.ends_on + timedelta(days=1)
    months = values.get("term_months") or lease.renewal_term_months or 12
    ends_on = values.get("ends_on") or starts_on + relativedelta(months=months) - timedelta(days=1)
    if starts_on <= lease.ends_on:
        raise ValidationFailed.single("starts_on", N_("The renewal must start after the current term ends."))
    lines = values.get("charge_lines") or [
        {"charge_type": line.charge_type, "monthly_amount": line.monthly_amount}
        for line in _last_versions(lease)
    ]
    draft = {
        name: getattr(lease, name)
        for name in LEASE_FIELDS
        if name not in {"number", "starts_on", "ends_on", "deposit_amount", "note"}
    }
    draft.update(
        template_id=lease.template_id,
        asset_ids=lease.asset_ids,
        starts_on=starts_on,
        ends_on=ends_on,
        charge_lines=lines,
        deposit_amount=lease.deposit_amount,
        renewed_from_id=lease.id,
    )
    return create_lease(draft, actor, uow)


def _last_versions(lease: Any) -> list[Any]:
    latest: dict[int, Any] = {}
    for line in lease.current_lines:
        if line.series not in latest or line.version > latest[line.series].version:
            latest[line.series] = line
    return list(latest.values())


def is_binding(lease: Any) -> bool:
    """Whether the lease currently holds its assets."""
    return lease.status in BINDING
