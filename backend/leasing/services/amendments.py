"""Amendments of signed leases: versioned; major ones need a second person; billed periods never change."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from backend.core.domain.access import Permission as P
from backend.core.domain.approvals import ApprovalKind, ApprovalStatus
from backend.core.domain.audit import AuditAction, json_safe
from backend.core.domain.errors import N_, Conflict, DomainError, NotFound, ValidationFailed
from backend.core.domain.jobs import ScheduleTrigger
from backend.core.domain.listing import ListQuery
from backend.core.services import approvals, audit
from backend.core.services.context import Actor
from backend.core.services.crud import for_change
from backend.core.services.unit_of_work import UnitOfWork
from backend.leasing.domain import schedule as engine
from backend.leasing.domain.leases import (
    SCHEDULED,
    AmendmentStatus,
    RentAt,
    classify_amendment,
    needs_approval,
)
from backend.leasing.services import leases, schedules

DETAIL_FIELDS = ("tags", "account_manager_id", "purpose", "note", "notice_period_days", "auto_renew")


def list_amendments(
    lease_id: int, query: ListQuery, actor: Actor, uow: UnitOfWork
) -> tuple[Sequence[Any], int]:
    """The amendments of a visible lease."""
    lease = uow.leases.get(lease_id, actor.require(P.LEASE_READ))
    query = ListQuery({**query.filters, "lease_id": lease.id}, query.sort, query.page, query.page_size)
    return uow.amendments.page(actor.require(P.LEASE_READ), query)


def get_amendment(lease_id: int, amendment_id: int, actor: Actor, uow: UnitOfWork) -> Any:
    """One amendment of a visible lease."""
    amendment = uow.amendments.get(amendment_id, actor.require(P.LEASE_READ))
    if amendment.lease_id != lease_id:
        raise NotFound("Amendment")
    return amendment


def _rent_at(lease: Any, day: date) -> list[RentAt]:
    return [
        RentAt(line.charge_type.value, line.monthly_amount)
        for line in lease.current_lines
        if (line.starts_on or lease.starts_on) <= day <= (line.ends_on or lease.ends_on)
    ]


def _check(lease: Any, values: Mapping[str, Any]) -> None:
    errors: dict[str, list[str]] = {}
    effective_on = values["effective_on"]
    if not lease.starts_on <= effective_on <= max(lease.ends_on, values.get("ends_on") or lease.ends_on):
        errors["effective_on"] = [N_("Must lie within the lease term.")]
    new_end = values.get("ends_on")
    if new_end is not None and new_end < lease.starts_on:
        errors["ends_on"] = [N_("Must not be before the start date.")]
    if not values["reason"].strip():
        errors["reason"] = [N_("Say why the lease is amended.")]
    if not any(
        values.get(name) is not None
        for name in ("ends_on", "charge_lines", "concessions", "write_off", *DETAIL_FIELDS)
    ):
        errors["changes"] = [
            N_("Send at least one change: ends_on, charge_lines, concessions, write_off or details.")
        ]
    if errors:
        raise ValidationFailed(errors)


def request_amendment(
    lease_id: int, values: Mapping[str, Any], actor: Actor, uow: UnitOfWork, now: datetime
) -> Any:
    """Record an amendment; minor ones apply at once, major ones wait for approval."""
    lease = for_change(uow.leases, lease_id, actor, P.LEASE_READ, P.LEASE_WRITE)
    if lease.status not in SCHEDULED:
        raise Conflict(N_("Only a signed, active or expiring lease can be amended; edit a draft directly."))
    values = dict(values)
    _check(lease, values)
    if uow.amendments.open_for(lease.id) is not None:
        raise Conflict(N_("An earlier amendment of this lease is still waiting for approval."))
    new_lines = values.get("charge_lines")
    if new_lines is not None:
        errors: dict[str, list[str]] = {}
        new_lines = [leases.line_values(i, raw, uow, errors) for i, raw in enumerate(new_lines)]
        if errors:
            raise ValidationFailed(errors)
    kinds = classify_amendment(
        current_end=lease.ends_on,
        new_end=values.get("ends_on"),
        current_rent=_rent_at(lease, values["effective_on"]),
        new_rent=[RentAt(v["charge_type"].value, v["monthly_amount"]) for v in new_lines]
        if new_lines
        else None,
        write_off=(values.get("write_off") or {}).get("amount"),
        adds_concession=bool(values.get("concessions")),
        changes_details=any(values.get(name) is not None for name in DETAIL_FIELDS),
    )
    changes = {
        key: json_safe(value) for key, value in values.items() if key not in {"reason", "effective_on"}
    }
    if new_lines is not None:
        changes["charge_lines"] = json_safe(new_lines)
    amendment = uow.amendments.create(
        lease_id=lease.id,
        version=uow.amendments.next_version(lease.id),
        kinds=sorted(kind.value for kind in kinds),
        status=AmendmentStatus.PENDING_APPROVAL,
        effective_on=values["effective_on"],
        reason=values["reason"].strip(),
        changes=changes,
        requested_by_id=actor.user_id,
    )
    uow.flush()
    audit.record(
        uow,
        actor,
        AuditAction.CREATE,
        "lease_amendment",
        amendment.id,
        after=amendment.audit_snapshot(),
        project_id=lease.project_id,
        region_id=lease.project.region_id,
    )
    if needs_approval(kinds):
        approval = approvals.request(
            uow,
            actor,
            kind=ApprovalKind.LEASE_AMENDMENT,
            subject=("lease_amendment", amendment.id),
            project=lease.project,
            summary=f"{lease.number} v{amendment.version}: {', '.join(amendment.kinds)}",
            reason=amendment.reason,
            now=now,
        )
        amendment.approval_id = approval.id
        uow.commit()
        return amendment
    lease_ref = schedules.ref(lease)

    def work() -> Any:
        _apply(amendment, actor, uow, now)
        uow.commit()
        return amendment

    return schedules.guarded(
        lease_ref,
        ScheduleTrigger.AMENDMENT,
        actor,
        uow,
        work,
        details={"amendment_version": amendment.version},
    )


def _end_versions(lease: Any, charge_type: engine.ChargeType, effective_on: date, amendment_id: int) -> None:
    """End the versions of a charge in force on the day before the amendment takes effect."""
    for line in lease.current_lines:
        if line.charge_type != charge_type:
            continue
        starts = line.starts_on or lease.starts_on
        if starts >= effective_on:
            line.replaced_by_amendment_id = amendment_id
        elif (line.ends_on or lease.ends_on) >= effective_on:
            line.ends_on = effective_on - timedelta(days=1)


def _change_term(lease: Any, new_end: date, amendment_id: int) -> None:
    old_end = lease.ends_on
    for line in lease.current_lines:
        starts, ends = line.starts_on or lease.starts_on, line.ends_on or old_end
        if starts > new_end:
            line.replaced_by_amendment_id = amendment_id
        elif ends >= new_end or ends == old_end:
            line.ends_on = new_end
    for concession in lease.current_concessions:
        if concession.starts_on > new_end:
            concession.replaced_by_amendment_id = amendment_id
        elif concession.ends_on > new_end:
            concession.ends_on = new_end
    lease.ends_on = new_end


def _apply(amendment: Any, actor: Actor, uow: UnitOfWork, now: datetime) -> None:
    """Apply an amendment's changes, bump the lease version and regenerate the unbilled schedule."""
    lease = amendment.lease
    uow.leases.lock(lease)
    before = leases.snapshot(lease)
    changes = amendment.changes
    effective_on = amendment.effective_on
    if changes.get("ends_on"):
        new_end = date.fromisoformat(changes["ends_on"])
        leases.check_assets_free(lease, lease.starts_on, new_end, uow)
        _change_term(lease, new_end, amendment.id)
    for raw in changes.get("charge_lines") or []:
        charge_type = engine.ChargeType(raw["charge_type"])
        _end_versions(lease, charge_type, effective_on, amendment.id)
        uow.charge_lines.add(
            lease,
            series=uow.charge_lines.next_series(lease),
            version=1,
            charge_type=charge_type,
            monthly_amount=Decimal(raw["monthly_amount"]),
            starts_on=effective_on,
            ends_on=lease.ends_on,
            frequency=raw.get("frequency"),
            escalation_kind=raw.get("escalation_kind"),
            escalation_every_months=raw.get("escalation_every_months"),
            escalation_value=_decimal(raw.get("escalation_value")),
            escalation_floor_percent=_decimal(raw.get("escalation_floor_percent")),
            escalation_cap_percent=_decimal(raw.get("escalation_cap_percent")),
            escalation_index=raw.get("escalation_index"),
            created_by_amendment_id=amendment.id,
        )
    for raw in changes.get("concessions") or []:
        uow.charge_lines.add_concession(
            lease,
            charge_type=engine.ChargeType(raw.get("charge_type") or "rent"),
            starts_on=date.fromisoformat(raw["starts_on"]),
            ends_on=date.fromisoformat(raw["ends_on"]),
            percent=Decimal(raw.get("percent") or 100),
            note=raw.get("note"),
            created_by_amendment_id=amendment.id,
        )
    for name in DETAIL_FIELDS:
        if changes.get(name) is not None:
            setattr(lease, name, changes[name])
    lease.version = amendment.version
    amendment.status = AmendmentStatus.APPLIED
    amendment.applied_at = now
    uow.flush()
    count = schedules.materialise(lease, uow)
    if write_off := changes.get("write_off"):
        uow.schedules.insert_rows(
            [
                {
                    "lease_id": lease.id,
                    "project_id": lease.project_id,
                    "lease_version": lease.version,
                    "line_key": f"w{amendment.version}",
                    "charge_type": engine.ChargeType.OTHER,
                    "period_start": effective_on,
                    "period_end": effective_on,
                    "due_date": effective_on,
                    "months": Decimal(0),
                    "amount": -Decimal(write_off["amount"]),
                    "is_concession": False,
                    "status": "written_off",
                }
            ]
        )
    schedules.record_success(schedules.ref(lease), ScheduleTrigger.AMENDMENT, actor, uow, count, now)
    audit.record(
        uow,
        actor,
        AuditAction.UPDATE,
        "lease",
        lease.id,
        before=before,
        after=leases.snapshot(lease),
        project_id=lease.project_id,
        region_id=lease.project.region_id,
    )


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def _on_approved(approval: Any, actor: Actor, uow: UnitOfWork, now: datetime) -> None:
    amendment = uow.amendments.find(approval.subject_id)
    if amendment is None or amendment.status is not AmendmentStatus.PENDING_APPROVAL:
        raise Conflict(N_("The amendment is no longer waiting for approval."))
    _apply(amendment, actor, uow, now)


def _on_closed(approval: Any, actor: Actor, uow: UnitOfWork, now: datetime) -> None:
    amendment = uow.amendments.find(approval.subject_id)
    if amendment is None or amendment.status is not AmendmentStatus.PENDING_APPROVAL:
        return
    amendment.status = (
        AmendmentStatus.CANCELLED if approval.status is ApprovalStatus.CANCELLED else AmendmentStatus.REJECTED
    )


def _on_failed(subject: tuple[str, int], exc: BaseException, actor: Actor, uow: UnitOfWork) -> BaseException:
    amendment = uow.amendments.find(subject[1])
    if amendment is None:
        return exc
    lease_ref = schedules.ref(amendment.lease)
    run_id = schedules.record_failure(
        lease_ref,
        ScheduleTrigger.AMENDMENT,
        actor,
        uow,
        exc,
        details={"amendment_version": amendment.version},
    )
    if isinstance(exc, DomainError):
        return schedules.GenerationFailed(exc, run_id)
    return exc


approvals.register(
    ApprovalKind.LEASE_AMENDMENT,
    approvals.KindRules(
        permission=P.LEASE_APPROVE, on_approved=_on_approved, on_closed=_on_closed, on_failed=_on_failed
    ),
)
