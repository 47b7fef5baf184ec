"""Amendments of signed leases: versioned; major ones need a second person; billed periods never change."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, Protocol

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
    ESCALATION_FIELDS,
    LINE_FIELDS,
    SCHEDULED,
    TERM_FIELDS,
    AmendmentStatus,
    RentAt,
    classify_amendment,
    line_key,
    needs_approval,
)
from backend.leasing.domain.tags import TagSource
from backend.leasing.services import leases, schedules, tags

ESCALATION_COLUMNS = ESCALATION_FIELDS
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


def _prepare(lease: Any, values: dict[str, Any], uow: UnitOfWork) -> tuple[Any, dict[str, Any]]:
    """Parse an amendment's checked values: its kinds and the changes as stored."""
    new_lines = values.get("charge_lines")
    if new_lines is not None:
        errors: dict[str, list[str]] = {}
        new_lines = [
            {**leases.line_values(i, raw, uow, errors), "keep_escalation": raw.get("keep_escalation", True)}
            for i, raw in enumerate(new_lines)
        ]
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
    return kinds, changes


def preview_amendment(
    lease_id: int, values: Mapping[str, Any], actor: Actor, uow: UnitOfWork, now: datetime
) -> dict[str, Any]:
    """What an amendment would do, before it is sent: its kinds, whether it needs a second person, and its
    effect on the schedule period by period. Nothing is written."""
    lease = for_change(uow.leases, lease_id, actor, P.LEASE_READ, P.LEASE_WRITE)
    if lease.status not in SCHEDULED:
        raise Conflict(N_("Only a signed, active or expiring lease can be amended; edit a draft directly."))
    checked = {**values, "reason": values.get("reason") or "-"}  # a reason is asked for when it is sent
    _check(lease, checked)
    kinds, changes = _prepare(lease, checked, uow)
    return {
        "kinds": sorted(kind.value for kind in kinds),
        "needs_approval": needs_approval(kinds),
        "effect": effect(lease, changes, checked["effective_on"], uow, now),
    }


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
    kinds, changes = _prepare(lease, values, uow)
    amendment = uow.amendments.create(
        lease_id=lease.id,
        version=uow.amendments.next_version(lease.id),
        kinds=sorted(kind.value for kind in kinds),
        status=AmendmentStatus.PENDING_APPROVAL,
        effective_on=values["effective_on"],
        reason=values["reason"].strip(),
        changes=changes,
        effect=effect(lease, changes, values["effective_on"], uow, now),
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
            # What the decider's screen links and names: the lease and the kinds of change.
            details={
                "effect": amendment.effect,
                "lease_id": lease.id,
                "lease_number": lease.number,
                "kinds": list(amendment.kinds),
            },
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


LINE_COLUMNS = ("id", *LINE_FIELDS, *ESCALATION_FIELDS, "created_by_amendment_id", "replaced_by_amendment_id")
LEASE_COLUMNS = ("id", "number", "project_id", "version", *TERM_FIELDS)


class _Draft:
    """A lease as an amendment would leave it: copies of its rows with the changes applied, nothing written.

    It has what schedule generation reads, so the amendment's effect can be shown before anyone approves.
    """

    def __init__(self, lease: Any) -> None:
        for name in LEASE_COLUMNS:
            setattr(self, name, getattr(lease, name))
        self.project = lease.project
        self.charge_lines = [_copy(line, LINE_COLUMNS) for line in lease.charge_lines]
        self.concessions = [
            _copy(c, ("charge_type", "starts_on", "ends_on", "percent", "replaced_by_amendment_id"))
            for c in lease.concessions
        ]

    @property
    def current_lines(self) -> list[Any]:
        return [line for line in self.charge_lines if line.replaced_by_amendment_id is None]

    @property
    def current_concessions(self) -> list[Any]:
        return [c for c in self.concessions if c.replaced_by_amendment_id is None]

    def add_line(self, **values: Any) -> Any:
        line = SimpleNamespace(**{**dict.fromkeys(LINE_COLUMNS), **values})
        line.key = line_key(line.series, line.version)
        self.charge_lines.append(line)
        return line

    def add_concession(self, **values: Any) -> Any:
        concession = SimpleNamespace(**{"replaced_by_amendment_id": None, **values})
        self.concessions.append(concession)
        return concession

    def next_series(self) -> int:
        return max((line.series for line in self.charge_lines), default=0) + 1


def _copy(row: Any, columns: Sequence[str]) -> SimpleNamespace:
    copied = SimpleNamespace(**{name: getattr(row, name) for name in columns})
    if hasattr(row, "key"):
        copied.key = row.key
    return copied


class _Rows(Protocol):
    """Where an amendment's new lines and concessions go: a `_Draft` itself, or the lease's tables."""

    def add_line(self, **values: Any) -> Any: ...

    def add_concession(self, **values: Any) -> Any: ...

    def next_series(self) -> int: ...


class _Tables:
    """An amendment's new rows staged in the lease's tables."""

    def __init__(self, lease: Any, uow: UnitOfWork) -> None:
        self.lease, self.uow = lease, uow

    def add_line(self, **values: Any) -> Any:
        return self.uow.charge_lines.add(self.lease, **values)

    def add_concession(self, **values: Any) -> Any:
        return self.uow.charge_lines.add_concession(self.lease, **values)

    def next_series(self) -> int:
        return int(self.uow.charge_lines.next_series(self.lease))


def _head(lease: Any, series: int) -> Any:
    return next(line for line in lease.charge_lines if line.series == series and line.version == 1)


def _chain_of(lease: Any, charge_type: engine.ChargeType, day: date) -> Any | None:
    """The first version (which carries the step-up rule) of the charge's series in force on `day`."""
    lines = [line for line in lease.current_lines if line.charge_type == charge_type]
    in_force = [
        line
        for line in lines
        if (line.starts_on or lease.starts_on) <= day <= (line.ends_on or lease.ends_on)
    ]
    chosen = in_force or sorted(lines, key=lambda line: line.starts_on or lease.starts_on)[-1:]
    return _head(lease, chosen[0].series) if chosen else None


def _rule_for(raw: Mapping[str, Any], chain: Any | None, lease: Any) -> dict[str, Any]:
    """The step-up rule of a new amount: the one given, none if asked, else the chain's, on its anchor."""
    if raw.get("escalation_kind") is not None:
        given = {name: raw.get(name) for name in ESCALATION_COLUMNS}
        for name in ("escalation_value", "escalation_floor_percent", "escalation_cap_percent"):
            given[name] = _decimal(given[name])
        return {**given, "escalation_anchor": None}
    if raw.get("keep_escalation") is False or chain is None or chain.escalation_kind is None:
        return dict.fromkeys(ESCALATION_COLUMNS)
    inherited = {name: getattr(chain, name) for name in ESCALATION_COLUMNS}
    inherited["escalation_anchor"] = chain.escalation_anchor or chain.starts_on or lease.starts_on
    return inherited


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


def _change_term(lease: Any, new_end: date, amendment_id: int, rows: _Rows) -> None:
    """Move the end date; a stepped chain whose versions are stored goes on stepping to the new end."""
    old_end = lease.ends_on
    stored = {line.series for line in lease.charge_lines if line.version > 1}
    for line in list(lease.current_lines):
        starts, ends = line.starts_on or lease.starts_on, line.ends_on or old_end
        if starts > new_end:
            line.replaced_by_amendment_id = amendment_id
        elif new_end > old_end and ends == old_end and line.series in stored:
            head = _head(lease, line.series)
            line.replaced_by_amendment_id = amendment_id
            rows.add_line(
                series=rows.next_series(),
                version=1,
                charge_type=line.charge_type,
                monthly_amount=line.monthly_amount,
                starts_on=starts,
                ends_on=new_end,
                frequency=line.frequency,
                **{name: getattr(head, name) for name in ESCALATION_COLUMNS[:-1]},
                escalation_anchor=head.escalation_anchor or head.starts_on or lease.starts_on,
                created_by_amendment_id=amendment_id,
            )
        elif ends >= new_end or ends == old_end:
            line.ends_on = new_end
    for concession in lease.current_concessions:
        if concession.starts_on > new_end:
            concession.replaced_by_amendment_id = amendment_id
        elif concession.ends_on > new_end:
            concession.ends_on = new_end
    lease.ends_on = new_end


def _amend(
    lease: Any, changes: Mapping[str, Any], effective_on: date, amendment_id: int, rows: _Rows
) -> None:
    """Change the lease's term, lines and concessions as the amendment says (rows or a draft alike)."""
    if changes.get("ends_on"):
        _change_term(lease, date.fromisoformat(changes["ends_on"]), amendment_id, rows)
    for raw in changes.get("charge_lines") or []:
        charge_type = engine.ChargeType(raw["charge_type"])
        chain = _chain_of(lease, charge_type, effective_on)
        in_force = next(
            (
                line
                for line in lease.current_lines
                if line.charge_type == charge_type
                and (line.starts_on or lease.starts_on) <= effective_on <= (line.ends_on or lease.ends_on)
            ),
            None,
        )
        _end_versions(lease, charge_type, effective_on, amendment_id)
        rows.add_line(
            series=rows.next_series(),
            version=1,
            charge_type=charge_type,
            monthly_amount=Decimal(raw["monthly_amount"]),
            starts_on=effective_on,
            ends_on=lease.ends_on,
            frequency=raw.get("frequency") or (in_force.frequency if in_force is not None else None),
            **_rule_for(raw, chain, lease),
            created_by_amendment_id=amendment_id,
        )
    for raw in changes.get("concessions") or []:
        rows.add_concession(
            charge_type=engine.ChargeType(raw.get("charge_type") or "rent"),
            starts_on=date.fromisoformat(raw["starts_on"]),
            ends_on=date.fromisoformat(raw["ends_on"]),
            percent=Decimal(raw.get("percent") or 100),
            note=raw.get("note"),
            created_by_amendment_id=amendment_id,
        )


def effect(lease: Any, changes: Mapping[str, Any], effective_on: date, uow: UnitOfWork, now: datetime) -> Any:
    """The amendment's effect on the schedule as of `now`, worked out on a draft; nothing is written."""
    draft = _Draft(lease)
    _amend(draft, changes, effective_on, 0, draft)
    found = schedules.effect_of(draft, uow, now)
    if write_off := changes.get("write_off"):
        found["totals"]["write_off"] = str(Decimal(write_off["amount"]))
    return found


def _apply(amendment: Any, actor: Actor, uow: UnitOfWork, now: datetime) -> None:
    """Apply an amendment's changes, bump the lease version and regenerate the unbilled schedule.

    Billed periods stay as billed; what the new terms give them differently becomes adjustment items
    (credit or debit at the next billing run), recorded with the amendment's effect.
    """
    lease = amendment.lease
    uow.leases.lock(lease)
    before = leases.snapshot(lease)
    changes = amendment.changes
    effective_on = amendment.effective_on
    if changes.get("ends_on"):
        leases.check_assets_free(lease, lease.starts_on, date.fromisoformat(changes["ends_on"]), uow)
    amendment.effect = effect(lease, changes, effective_on, uow, now)
    _amend(lease, changes, effective_on, amendment.id, _Tables(lease, uow))
    tags_before = list(lease.tags or [])
    for name in DETAIL_FIELDS:
        if changes.get(name) is not None:
            setattr(lease, name, changes[name])
    lease.version = amendment.version
    amendment.status = AmendmentStatus.APPLIED
    amendment.applied_at = now
    uow.flush()
    tags.record(uow, lease, tags_before, lease.tags or [], actor, TagSource.AMENDMENT, now)
    count = schedules.materialise(lease, uow, now, label=f"a{amendment.version}")
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
                    "status": engine.WRITTEN_OFF,
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
