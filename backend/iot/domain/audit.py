"""The consistency audit: where an asset's status disagrees with its leases, work, field requests and signals.

Each kind of disagreement names the rows behind it, so whoever reads the list can open them and mend the one
that is wrong. The rate of a project (or region) is the share of its assets with at least one disagreement.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from backend.core.domain.errors import N_
from backend.org.domain.org import AssetStatus


class FindingKind(enum.StrEnum):
    """A kind of disagreement."""

    LEASED_WITHOUT_LEASE = "leased_without_lease"
    VACANT_WITH_LEASE = "vacant_with_lease"
    DELIVERY_OVERDUE = "delivery_overdue"
    MAINTENANCE_WITHOUT_WORK_ORDER = "maintenance_without_work_order"
    WORK_ORDER_ON_RETIRED = "work_order_on_retired"
    REQUEST_STALE = "request_stale"
    REQUEST_OVERDUE = "request_overdue"
    IOT_FLAG_OPEN = "iot_flag_open"
    CONFIRMATION_STALE = "confirmation_stale"


FINDING_NAMES: dict[FindingKind, str] = {
    FindingKind.LEASED_WITHOUT_LEASE: N_("Leased without an active lease"),
    FindingKind.VACANT_WITH_LEASE: N_("Vacant with an active lease"),
    FindingKind.DELIVERY_OVERDUE: N_("Pending delivery long after the lease started"),
    FindingKind.MAINTENANCE_WITHOUT_WORK_ORDER: N_("Under maintenance without an open work order"),
    FindingKind.WORK_ORDER_ON_RETIRED: N_("Open work order on a retired asset"),
    FindingKind.REQUEST_STALE: N_("Field request based on an outdated status"),
    FindingKind.REQUEST_OVERDUE: N_("Field request waiting too long"),
    FindingKind.IOT_FLAG_OPEN: N_("Open IoT flag"),
    FindingKind.CONFIRMATION_STALE: N_("No on-site confirmation for too long"),
}
# Statuses that say nobody has the asset.
EMPTY_STATUSES = frozenset({AssetStatus.VACANT, AssetStatus.RESERVED})


class TaskState(enum.StrEnum):
    """A finding given to a project manager is a task: open until they resolve it with a note."""

    OPEN = "open"
    RESOLVED = "resolved"


@dataclass(frozen=True)
class AuditPolicy:
    """How long is too long; the defaults are documented in docs/iot.md."""

    delivery_grace_days: int = 14
    request_days: int = 7
    confirmation_days: int = 180


DEFAULT_AUDIT_POLICY = AuditPolicy()


@dataclass(frozen=True)
class Row:
    """A row behind a finding, for the reader to open."""

    type: str  # "lease", "work_order", "status_request", "iot_flag", "inspection"
    id: int
    label: str

    def as_json(self) -> dict[str, Any]:
        """The plain values stored with the finding."""
        return {"type": self.type, "id": self.id, "label": self.label}


@dataclass(frozen=True)
class LeaseFact:
    """A lease of the asset that is or should be in force."""

    id: int
    number: str
    status: str
    starts_on: date
    ends_on: date


@dataclass(frozen=True)
class RequestFact:
    """A pending field request on the asset."""

    id: int
    from_status: AssetStatus
    to_status: AssetStatus
    submitted_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class AssetFacts:
    """Everything the audit compares for one asset, as of a project day."""

    asset_id: int
    project_id: int
    status: AssetStatus
    today: date
    now: datetime
    created_on: date
    active_leases: Sequence[LeaseFact] = ()  # in force today (signed, active or expiring)
    open_work_orders: Sequence[tuple[int, str]] = ()  # (id, title)
    pending_requests: Sequence[RequestFact] = ()
    open_flags: Sequence[tuple[int, str]] = ()  # (id, kind)
    last_confirmed_on: date | None = None
    last_lease: LeaseFact | None = None  # the latest lease that ever let it, whatever its status now


@dataclass(frozen=True)
class Disagreement:
    """One finding: its kind, the rows behind it and the figures its sentence needs."""

    kind: FindingKind
    rows: tuple[Row, ...] = ()
    params: Mapping[str, Any] = field(default_factory=dict)


def _lease_rows(leases: Iterable[LeaseFact]) -> tuple[Row, ...]:
    return tuple(Row("lease", lease.id, lease.number) for lease in leases)


def disagreements(facts: AssetFacts, policy: AuditPolicy = DEFAULT_AUDIT_POLICY) -> list[Disagreement]:
    """Every way an asset's status disagrees with the rest of the system."""
    found: list[Disagreement] = []
    in_force = [lease for lease in facts.active_leases if lease.starts_on <= facts.today <= lease.ends_on]
    if facts.status is AssetStatus.LEASED and not in_force:
        behind = facts.active_leases or ((facts.last_lease,) if facts.last_lease is not None else ())
        found.append(Disagreement(FindingKind.LEASED_WITHOUT_LEASE, _lease_rows(behind)))
    if facts.status in EMPTY_STATUSES and in_force:
        found.append(Disagreement(FindingKind.VACANT_WITH_LEASE, _lease_rows(in_force)))
    if facts.status is AssetStatus.PENDING_DELIVERY:
        late = [
            lease
            for lease in facts.active_leases
            if lease.starts_on + timedelta(days=policy.delivery_grace_days) < facts.today
        ]
        if late:
            days = (facts.today - min(lease.starts_on for lease in late)).days
            found.append(Disagreement(FindingKind.DELIVERY_OVERDUE, _lease_rows(late), {"days": days}))
    if facts.status is AssetStatus.MAINTENANCE and not facts.open_work_orders:
        found.append(Disagreement(FindingKind.MAINTENANCE_WITHOUT_WORK_ORDER))
    if facts.status is AssetStatus.RETIRED and facts.open_work_orders:
        rows = tuple(Row("work_order", wo_id, title) for wo_id, title in facts.open_work_orders)
        found.append(Disagreement(FindingKind.WORK_ORDER_ON_RETIRED, rows))
    stale = [request for request in facts.pending_requests if request.from_status is not facts.status]
    if stale:
        rows = tuple(
            Row("status_request", r.id, f"{r.from_status.value} → {r.to_status.value}") for r in stale
        )
        found.append(Disagreement(FindingKind.REQUEST_STALE, rows))
    overdue = [
        request
        for request in facts.pending_requests
        if request.expires_at <= facts.now
        or request.submitted_at + timedelta(days=policy.request_days) <= facts.now
    ]
    if overdue:
        rows = tuple(
            Row("status_request", r.id, f"{r.from_status.value} → {r.to_status.value}") for r in overdue
        )
        days = max((facts.now - request.submitted_at).days for request in overdue)
        found.append(Disagreement(FindingKind.REQUEST_OVERDUE, rows, {"days": days}))
    if facts.open_flags:
        rows = tuple(Row("iot_flag", flag_id, kind) for flag_id, kind in facts.open_flags)
        found.append(Disagreement(FindingKind.IOT_FLAG_OPEN, rows))
    since = facts.last_confirmed_on or facts.created_on
    if facts.status is not AssetStatus.RETIRED and (facts.today - since).days > policy.confirmation_days:
        params = {"days": (facts.today - since).days, "never": facts.last_confirmed_on is None}
        found.append(Disagreement(FindingKind.CONFIRMATION_STALE, (), params))
    return found


@dataclass(frozen=True)
class Tally:
    """Assets and disagreeing assets of a group, and its findings by kind."""

    assets: int = 0
    disagreeing: int = 0
    kinds: Mapping[str, int] = field(default_factory=dict)

    @property
    def rate(self) -> Decimal | None:
        """The share of assets with at least one disagreement (None without assets)."""
        if not self.assets:
            return None
        return (Decimal(self.disagreeing) / self.assets).quantize(Decimal("0.0001"))

    def plus(self, other: Tally) -> Tally:
        """Two groups together."""
        kinds = dict(self.kinds)
        for kind, count in other.kinds.items():
            kinds[kind] = kinds.get(kind, 0) + count
        return Tally(self.assets + other.assets, self.disagreeing + other.disagreeing, kinds)

    def as_json(self) -> dict[str, Any]:
        """The stored form."""
        return {"assets": self.assets, "disagreeing": self.disagreeing, "kinds": dict(self.kinds)}

    @classmethod
    def of_json(cls, values: Mapping[str, Any]) -> Tally:
        """Back from the stored form."""
        return cls(int(values["assets"]), int(values["disagreeing"]), dict(values.get("kinds", {})))


def tally(per_asset: Iterable[Sequence[Disagreement]]) -> Tally:
    """The tally of a group from each of its assets' findings."""
    assets = disagreeing = 0
    kinds: dict[str, int] = {}
    for found in per_asset:
        assets += 1
        if found:
            disagreeing += 1
        for item in found:
            kinds[item.kind.value] = kinds.get(item.kind.value, 0) + 1
    return Tally(assets, disagreeing, kinds)


def total(tallies: Iterable[Tally]) -> Tally:
    """Groups added up."""
    result = Tally()
    for item in tallies:
        result = result.plus(item)
    return result


def previous_period(period: str) -> str:
    """The month before a `YYYY-MM` period."""
    year, month = int(period[:4]), int(period[5:7])
    return f"{year - 1}-12" if month == 1 else f"{year}-{month - 1:02d}"
