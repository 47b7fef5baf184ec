"""IoT in SQL: gateways and devices, a batch's readings in a few statements, the histories flags read,
and the audit's facts read per project in one pass."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterator, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import bindparam, delete, func, insert, or_, select, tuple_, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key
from sqlalchemy.sql.elements import ColumnElement

from backend.core.db.models import RoleAssignment, User
from backend.core.db.repositories import IN_CHUNK, Repository, equals, one_of, table_of
from backend.core.db.scoping import in_projects
from backend.core.domain.access import Role, Scope
from backend.field.db.models import Inspection, StatusChangeRequest, WorkOrder
from backend.field.domain.requests import RequestState, WorkOrderState
from backend.iot.db.models import (
    AuditFinding,
    AuditRun,
    DirtyAsset,
    DoorEvent,
    Gateway,
    IotDevice,
    IotFlag,
    MeterReading,
    Viewing,
)
from backend.iot.domain.audit import TaskState
from backend.iot.domain.flags import OPEN_STATES, FlagKind, FlagState
from backend.iot.domain.signals import DoorEventKind, Point
from backend.leasing.db.models import Lease, lease_assets
from backend.leasing.domain.leases import LeaseStatus
from backend.org.db.models import Asset, Project, Region

# Leases that let their assets for their term (a draft does not; an ended one did until it ended).
LETTING_STATUSES = (
    LeaseStatus.SIGNED,
    LeaseStatus.ACTIVE,
    LeaseStatus.EXPIRING,
    LeaseStatus.RENEWED,
    LeaseStatus.TERMINATED,
    LeaseStatus.ENDED,
)
IN_FORCE_STATUSES = (LeaseStatus.SIGNED, LeaseStatus.ACTIVE, LeaseStatus.EXPIRING)
OPEN_WORK = (WorkOrderState.OPEN, WorkOrderState.IN_PROGRESS)


def _chunks(values: Collection[Any], size: int = IN_CHUNK) -> Iterator[list[Any]]:
    items = sorted(values)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _insert(session: Session) -> Any:
    """The dialect's INSERT, which knows ON CONFLICT DO NOTHING."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


class GatewayRepository(Repository[Gateway]):
    """Gateways, scoped by their project."""

    model = Gateway
    entity_name = "Gateway"
    filters = {"project_id": equals(Gateway.project_id)}
    sortable = {"id": Gateway.id, "name": Gateway.name}

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        return in_projects(Gateway.project_id, scope)

    def by_token_hash(self, token_hash: str) -> Gateway | None:
        """The gateway a token belongs to, revoked or not."""
        return self.session.scalar(select(Gateway).where(Gateway.token_hash == token_hash))

    def seen(self, gateway_id: int, at: datetime) -> None:
        """Note when a gateway last sent something."""
        self.session.execute(update(Gateway).where(Gateway.id == gateway_id).values(last_seen_at=at))


class DeviceRepository(Repository[IotDevice]):
    """Meters and door sensors, scoped by their project."""

    model = IotDevice
    entity_name = "Device"
    filters = {
        "asset_id": equals(IotDevice.asset_id),
        "project_id": equals(IotDevice.project_id),
        "gateway_id": equals(IotDevice.gateway_id),
        "kind": one_of(IotDevice.kind),
    }
    sortable = {"id": IotDevice.id, "code": IotDevice.code}

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        return in_projects(IotDevice.project_id, scope)

    def of_gateway(self, gateway_id: int, codes: Collection[str]) -> dict[str, IotDevice]:
        """A gateway's devices by code, among the given codes."""
        found: dict[str, IotDevice] = {}
        for chunk in _chunks(codes):
            statement = select(IotDevice).where(IotDevice.gateway_id == gateway_id, IotDevice.code.in_(chunk))
            found |= {device.code: device for device in self.session.scalars(statement)}
        return found

    def by_code(self, code: str) -> IotDevice | None:
        """A device by its code."""
        return self.session.scalar(select(IotDevice).where(IotDevice.code == code))

    def of_assets(self, asset_ids: Collection[int]) -> list[IotDevice]:
        """Every device linked to the given assets."""
        devices: list[IotDevice] = []
        for chunk in _chunks(asset_ids):
            devices += self.session.scalars(select(IotDevice).where(IotDevice.asset_id.in_(chunk)))
        return devices

    def advance(self, marks: Sequence[Mapping[str, Any]]) -> None:
        """Move devices' newest reading forward ({id, at, value}) in one executemany; a concurrent newer one
        is kept. The devices loaded in this session take the new values as already stored."""
        if not marks:
            return
        table = table_of(IotDevice)
        # On the table, not the entity: the ORM would otherwise evaluate each row's criteria against every
        # device in the session (a batch's thousand devices, a thousand times).
        statement = (
            update(table)
            .where(
                table.c.id == bindparam("mark_id"),
                or_(table.c.last_at.is_(None), table.c.last_at < bindparam("mark_at")),
            )
            .values(last_at=bindparam("mark_at"), last_value=bindparam("mark_value"))
        )
        rows = [{"mark_id": m["id"], "mark_at": m["at"], "mark_value": m["value"]} for m in marks]
        self.session.execute(statement, rows)
        for mark in marks:
            device = self.session.identity_map.get(identity_key(IotDevice, mark["id"]))
            if device is not None:
                set_committed_value(device, "last_at", mark["at"])
                set_committed_value(device, "last_value", mark["value"])


class ReadingRepository:
    """Meter readings and door events: written in batches, read as histories."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def stored_at(self, keys: Collection[tuple[int, datetime]]) -> dict[tuple[int, datetime], Decimal]:
        """The values already stored at exact (device, time) pairs."""
        found: dict[tuple[int, datetime], Decimal] = {}
        for chunk in _chunks(keys, 400):
            statement = select(MeterReading.device_id, MeterReading.read_at, MeterReading.value).where(
                tuple_(MeterReading.device_id, MeterReading.read_at).in_(chunk)
            )
            found |= {(device, at): value for device, at, value in self.session.execute(statement)}
        return found

    def around(self, device_id: int, at: datetime) -> tuple[Point | None, Point | None]:
        """A device's stored readings just before and just after a time."""
        before = self.session.execute(
            select(MeterReading.read_at, MeterReading.value)
            .where(MeterReading.device_id == device_id, MeterReading.read_at < at)
            .order_by(MeterReading.read_at.desc())
            .limit(1)
        ).first()
        after = self.session.execute(
            select(MeterReading.read_at, MeterReading.value)
            .where(MeterReading.device_id == device_id, MeterReading.read_at > at)
            .order_by(MeterReading.read_at)
            .limit(1)
        ).first()
        return (Point(*before) if before else None), (Point(*after) if after else None)

    def add_readings(self, rows: Sequence[Mapping[str, Any]]) -> set[tuple[int, datetime]]:
        """Store readings; one already there (another request won the race) is left. Returns what was new."""
        if not rows:
            return set()
        statement = (
            _insert(self.session)(MeterReading)
            .on_conflict_do_nothing(index_elements=["device_id", "read_at"])
            .returning(MeterReading.device_id, MeterReading.read_at)
        )
        return {(device, at) for device, at in self.session.execute(statement, list(rows)).all()}

    def add_door_events(self, rows: Sequence[Mapping[str, Any]]) -> set[tuple[int, datetime, DoorEventKind]]:
        """Store door events; a repeat is left. Returns what was new."""
        if not rows:
            return set()
        statement = (
            _insert(self.session)(DoorEvent)
            .on_conflict_do_nothing(index_elements=["device_id", "at", "event"])
            .returning(DoorEvent.device_id, DoorEvent.at, DoorEvent.event)
        )
        return {(d, at, event) for d, at, event in self.session.execute(statement, list(rows)).all()}

    def histories(self, asset_ids: Collection[int], since: datetime) -> dict[int, list[Point]]:
        """Each device's readings (of these assets) since a time, sorted by time: one statement per chunk."""
        points: dict[int, list[Point]] = defaultdict(list)
        for chunk in _chunks(asset_ids):
            statement = (
                select(MeterReading.device_id, MeterReading.read_at, MeterReading.value)
                .where(MeterReading.asset_id.in_(chunk), MeterReading.read_at >= since)
                .order_by(MeterReading.device_id, MeterReading.read_at)
            )
            for device, at, value in self.session.execute(statement):
                points[device].append(Point(at, value))
        return dict(points)

    def door_opens(self, asset_ids: Collection[int], since: datetime) -> dict[int, list[datetime]]:
        """Each asset's door openings since a time."""
        opens: dict[int, list[datetime]] = defaultdict(list)
        for chunk in _chunks(asset_ids):
            statement = (
                select(DoorEvent.asset_id, DoorEvent.at)
                .where(
                    DoorEvent.asset_id.in_(chunk),
                    DoorEvent.at >= since,
                    DoorEvent.event == DoorEventKind.OPEN,
                )
                .order_by(DoorEvent.at)
            )
            for asset_id, at in self.session.execute(statement):
                opens[asset_id].append(at)
        return dict(opens)

    def mark_dirty(self, asset_ids: Collection[int], at: datetime) -> None:
        """Note assets whose signals changed, for the next recomputation of their flags."""
        if asset_ids:
            statement = _insert(self.session)(DirtyAsset).on_conflict_do_nothing(index_elements=["asset_id"])
            self.session.execute(statement, [{"asset_id": a, "marked_at": at} for a in sorted(asset_ids)])

    def dirty(self, limit: int) -> list[int]:
        """Assets waiting for their flags, oldest first."""
        statement = (
            select(DirtyAsset.asset_id).order_by(DirtyAsset.marked_at, DirtyAsset.asset_id).limit(limit)
        )
        return list(self.session.scalars(statement))

    def clean(self, asset_ids: Collection[int], before: datetime) -> None:
        """Forget assets whose flags were recomputed (unless marked again since)."""
        for chunk in _chunks(asset_ids):
            self.session.execute(
                delete(DirtyAsset).where(DirtyAsset.asset_id.in_(chunk), DirtyAsset.marked_at <= before)
            )


class ViewingRepository(Repository[Viewing]):
    """Viewing appointments, scoped by their project."""

    model = Viewing
    entity_name = "Viewing"
    filters = {"asset_id": equals(Viewing.asset_id), "project_id": equals(Viewing.project_id)}
    sortable = {"starts_at": Viewing.starts_at, "id": Viewing.id}

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        return in_projects(Viewing.project_id, scope)

    def windows(
        self, asset_ids: Collection[int], since: datetime
    ) -> dict[int, list[tuple[datetime, datetime]]]:
        """Each asset's viewings since a time."""
        found: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
        for chunk in _chunks(asset_ids):
            statement = select(Viewing.asset_id, Viewing.starts_at, Viewing.ends_at).where(
                Viewing.asset_id.in_(chunk), Viewing.ends_at >= since
            )
            for asset_id, start, end in self.session.execute(statement):
                found[asset_id].append((start, end))
        return dict(found)


class FlagRepository(Repository[IotFlag]):
    """Flags, scoped by their project."""

    model = IotFlag
    entity_name = "Flag"
    filters = {
        "state": one_of(IotFlag.state),
        "kind": one_of(IotFlag.kind),
        "project_id": equals(IotFlag.project_id),
        "asset_id": equals(IotFlag.asset_id),
    }
    sortable = {
        "id": IotFlag.id,
        "raised_at": IotFlag.raised_at,
        "confidence": IotFlag.confidence,
        "updated_at": IotFlag.updated_at,
    }

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        return in_projects(IotFlag.project_id, scope)

    def open_of(self, asset_ids: Collection[int]) -> dict[tuple[int, FlagKind], IotFlag]:
        """The open (or answered) flags of assets, by (asset, kind)."""
        found: dict[tuple[int, FlagKind], IotFlag] = {}
        for chunk in _chunks(asset_ids):
            statement = select(IotFlag).where(IotFlag.asset_id.in_(chunk), IotFlag.state.in_(OPEN_STATES))
            found |= {(flag.asset_id, flag.kind): flag for flag in self.session.scalars(statement)}
        return found

    def dismissed_until(self, asset_ids: Collection[int]) -> dict[int, dict[FlagKind, date]]:
        """Per asset and kind, the last day of evidence a dismissal set aside."""
        found: dict[int, dict[FlagKind, date]] = defaultdict(dict)
        for chunk in _chunks(asset_ids):
            statement = (
                select(IotFlag.asset_id, IotFlag.kind, func.max(IotFlag.window_to))
                .where(IotFlag.asset_id.in_(chunk), IotFlag.state == FlagState.DISMISSED)
                .group_by(IotFlag.asset_id, IotFlag.kind)
            )
            for asset_id, kind, until in self.session.execute(statement):
                found[asset_id][kind] = until
        return dict(found)

    def add(self, **values: Any) -> IotFlag:
        """Stage a new flag."""
        flag = IotFlag(**values)
        self.session.add(flag)
        return flag

    def open_in_projects(self, project_ids: Collection[int]) -> dict[int, list[tuple[int, str]]]:
        """Per asset, its open flags (id, kind), for the audit."""
        found: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for chunk in _chunks(project_ids):
            statement = (
                select(IotFlag.asset_id, IotFlag.id, IotFlag.kind)
                .where(IotFlag.project_id.in_(chunk), IotFlag.state.in_(OPEN_STATES))
                .order_by(IotFlag.id)
            )
            for asset_id, flag_id, kind in self.session.execute(statement):
                found[asset_id].append((flag_id, kind.value))
        return dict(found)


class SignalFactsRepository:
    """What flags and the audit read of other contexts' rows: assets, leases, work, requests, inspections."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def assets(
        self, project_ids: Collection[int] | None, asset_ids: Collection[int] | None = None
    ) -> list[Any]:
        """Assets with their project's zone and calendar: of some projects, or given by id."""
        statement = (
            select(
                Asset.id, Asset.code, Asset.kind, Asset.status, Asset.area_m2, Asset.project_id,
                Asset.created_at, Project.timezone, Project.holiday_calendar, Project.region_id,
            )
            .join(Project, Project.id == Asset.project_id)
            .order_by(Asset.project_id, Asset.id)
        )  # fmt: skip
        if asset_ids is not None:
            rows: list[Any] = []
            for chunk in _chunks(asset_ids):
                rows += self.session.execute(statement.where(Asset.id.in_(chunk))).all()
            return rows
        if project_ids is not None:
            statement = statement.where(Asset.project_id.in_(sorted(project_ids)))
        return list(self.session.execute(statement).all())

    def lettings(self, asset_ids: Collection[int]) -> dict[int, list[tuple[date, date, int, str, str]]]:
        """Per asset, the leases that let it: (first day, last day, lease id, number, status)."""
        found: dict[int, list[tuple[date, date, int, str, str]]] = defaultdict(list)
        for chunk in _chunks(asset_ids):
            statement = (
                select(
                    lease_assets.c.asset_id, Lease.starts_on, Lease.ends_on, Lease.closed_on, Lease.id,
                    Lease.number, Lease.status,
                )
                .join(Lease, Lease.id == lease_assets.c.lease_id)
                .where(
                    lease_assets.c.asset_id.in_(chunk),
                    Lease.status.in_(LETTING_STATUSES),
                    Lease.starts_on.is_not(None),
                    Lease.ends_on.is_not(None),
                )
            )  # fmt: skip
            for asset_id, starts, ends, closed, lease_id, number, status in self.session.execute(statement):
                last = min(ends, closed) if closed is not None else ends
                found[asset_id].append((starts, last, lease_id, number, status.value))
        return dict(found)

    def open_work_orders(self, asset_ids: Collection[int]) -> dict[int, list[tuple[int, str]]]:
        """Per asset, its open or started work orders (id, title)."""
        found: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for chunk in _chunks(asset_ids):
            statement = select(WorkOrder.asset_id, WorkOrder.id, WorkOrder.title).where(
                WorkOrder.asset_id.in_(chunk), WorkOrder.state.in_(OPEN_WORK)
            )
            for asset_id, wo_id, title in self.session.execute(statement):
                found[asset_id].append((wo_id, title))
        return dict(found)

    def visits(
        self, asset_ids: Collection[int], since: datetime
    ) -> dict[int, list[tuple[datetime, datetime]]]:
        """Per asset, when our own people were there: work orders from start to close, inspections and
        confirmed field requests (their capture time)."""
        found: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
        for chunk in _chunks(asset_ids):
            work = select(WorkOrder.asset_id, WorkOrder.started_at, WorkOrder.closed_at).where(
                WorkOrder.asset_id.in_(chunk), WorkOrder.started_at.is_not(None),
                or_(WorkOrder.closed_at.is_(None), WorkOrder.closed_at >= since),
            )  # fmt: skip
            for asset_id, start, end in self.session.execute(work):
                if start is not None:
                    found[asset_id].append((start, end or datetime.max.replace(tzinfo=start.tzinfo)))
            inspections = select(Inspection.asset_id, Inspection.captured_at).where(
                Inspection.asset_id.in_(chunk), Inspection.captured_at >= since
            )
            for asset_id, at in self.session.execute(inspections):
                found[asset_id].append((at, at))
            requests = select(StatusChangeRequest.asset_id, StatusChangeRequest.captured_at).where(
                StatusChangeRequest.asset_id.in_(chunk), StatusChangeRequest.captured_at >= since
            )
            for asset_id, at in self.session.execute(requests):
                found[asset_id].append((at, at))
        return dict(found)

    def pending_requests(self, project_ids: Collection[int]) -> dict[int, list[Any]]:
        """Per asset, its pending field requests."""
        found: dict[int, list[Any]] = defaultdict(list)
        statement = select(
            StatusChangeRequest.asset_id, StatusChangeRequest.id, StatusChangeRequest.from_status,
            StatusChangeRequest.to_status, StatusChangeRequest.submitted_at, StatusChangeRequest.expires_at,
        ).where(
            StatusChangeRequest.project_id.in_(sorted(project_ids)),
            StatusChangeRequest.state == RequestState.PENDING,
        )  # fmt: skip
        for row in self.session.execute(statement):
            found[row.asset_id].append(row)
        return dict(found)

    def last_confirmations(self, project_ids: Collection[int]) -> dict[int, datetime]:
        """Per asset, the last time someone proved on site what it is: a confirmed field request or an
        inspection whose fix passed the fence."""
        found: dict[int, datetime] = {}
        confirmed = (
            select(StatusChangeRequest.asset_id, func.max(StatusChangeRequest.decided_at))
            .where(
                StatusChangeRequest.project_id.in_(sorted(project_ids)),
                StatusChangeRequest.state == RequestState.CONFIRMED,
            )
            .group_by(StatusChangeRequest.asset_id)
        )
        inspected = (
            select(Inspection.asset_id, func.max(Inspection.captured_at))
            .where(Inspection.project_id.in_(sorted(project_ids)), Inspection.fence_passed.is_(True))
            .group_by(Inspection.asset_id)
        )
        for statement in (confirmed, inspected):
            for asset_id, at in self.session.execute(statement):
                if at is not None and (asset_id not in found or at > found[asset_id]):
                    found[asset_id] = at
        return found

    def project_managers(self, project_ids: Collection[int]) -> dict[int, list[int]]:
        """Per project, the active users holding the project manager role there."""
        found: dict[int, list[int]] = defaultdict(list)
        statement = (
            select(RoleAssignment.project_id, RoleAssignment.user_id)
            .join(User, User.id == RoleAssignment.user_id)
            .where(
                RoleAssignment.role == Role.PROJECT_MANAGER,
                RoleAssignment.project_id.in_(sorted(project_ids)),
                User.is_active.is_(True),
            )
            .order_by(RoleAssignment.user_id)
        )
        for project_id, user_id in self.session.execute(statement):
            if project_id is not None:
                found[project_id].append(user_id)
        return dict(found)

    def projects(self, project_ids: Collection[int] | None = None) -> list[Any]:
        """Projects with their region's name, by code."""
        statement = (
            select(Project.id, Project.code, Project.name, Project.region_id, Project.timezone,
                   Region.name.label("region_name"))
            .join(Region, Region.id == Project.region_id)
            .order_by(Project.code)
        )  # fmt: skip
        if project_ids is not None:
            statement = statement.where(Project.id.in_(sorted(project_ids)))
        return list(self.session.execute(statement).all())


class AuditRepository:
    """Audit runs and their findings."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def add_run(self, **values: Any) -> AuditRun:
        """Stage a run."""
        run = AuditRun(**values)
        self.session.add(run)
        self.session.flush()
        return run

    def run(self, run_id: int) -> AuditRun | None:
        """A run by id."""
        return self.session.get(AuditRun, run_id)

    def runs(self, limit: int) -> list[AuditRun]:
        """The newest runs."""
        return list(self.session.scalars(select(AuditRun).order_by(AuditRun.id.desc()).limit(limit)))

    def latest_done(self, period: str, before_id: int | None = None) -> AuditRun | None:
        """The last finished run of a period (before a given run)."""
        statement = select(AuditRun).where(AuditRun.period == period, AuditRun.state == "done")
        if before_id is not None:
            statement = statement.where(AuditRun.id < before_id)
        return self.session.scalar(statement.order_by(AuditRun.id.desc()).limit(1))

    def set_progress(self, run_id: int, done: int, total: int) -> None:
        """Record how far a run has come."""
        self.session.execute(update(AuditRun).where(AuditRun.id == run_id).values(done=done, total=total))

    def claim(self, now: datetime, run_id: int | None = None) -> int | None:
        """Take the oldest queued run, or the one named, for this worker (a conditional update: one worker
        wins it)."""
        candidates = select(AuditRun.id).where(AuditRun.state == "queued").order_by(AuditRun.id).limit(5)
        if run_id is not None:
            candidates = candidates.where(AuditRun.id == run_id)
        for candidate in self.session.scalars(candidates):
            taken = self.session.execute(
                update(AuditRun)
                .where(AuditRun.id == candidate, AuditRun.state == "queued")
                .values(state="running", started_at=now)
            )
            if getattr(taken, "rowcount", 0) == 1:
                return int(candidate)
        return None

    def finish(
        self, run_id: int, state: str, at: datetime, tallies: Mapping[str, Any], *, error: str | None = None,
        as_of: date | None = None,
    ) -> None:  # fmt: skip
        """Close a run with its tallies (or its failure)."""
        self.session.execute(
            update(AuditRun)
            .where(AuditRun.id == run_id)
            .values(state=state, finished_at=at, tallies=dict(tallies), error=error, as_of=as_of)
        )

    def add_findings(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Store findings in one executemany."""
        if rows:
            self.session.execute(insert(AuditFinding), [dict(row) for row in rows])

    def findings(
        self, run_id: int, scope: Scope, filters: Mapping[str, Any], page: int | None, per_page: int
    ) -> tuple[list[AuditFinding], int]:
        """A run's findings in a scope, filtered, by project and asset; a page of them (or all)."""
        statement = select(AuditFinding).where(
            AuditFinding.run_id == run_id, in_projects(AuditFinding.project_id, scope)
        )
        if filters.get("kind"):
            statement = statement.where(AuditFinding.kind.in_(filters["kind"]))
        if filters.get("project_id"):
            statement = statement.where(AuditFinding.project_id == filters["project_id"])
        if filters.get("region_id"):
            region = select(Project.id).where(Project.region_id == filters["region_id"])
            statement = statement.where(AuditFinding.project_id.in_(region))
        count = self.session.scalar(select(func.count()).select_from(statement.subquery())) or 0
        statement = statement.order_by(AuditFinding.project_id, AuditFinding.asset_id, AuditFinding.id)
        if page is not None:
            statement = statement.offset((page - 1) * per_page).limit(per_page)
        return list(self.session.scalars(statement)), count

    def finding(self, finding_id: int) -> AuditFinding | None:
        """A finding by id."""
        return self.session.get(AuditFinding, finding_id)

    def tasks_of(self, user_id: int, state: TaskState | None) -> list[AuditFinding]:
        """A person's findings to handle, newest run first."""
        statement = select(AuditFinding).where(AuditFinding.assignee_id == user_id)
        if state is not None:
            statement = statement.where(AuditFinding.task_state == state)
        return list(self.session.scalars(statement.order_by(AuditFinding.run_id.desc(), AuditFinding.id)))

    def asset_labels(self, asset_ids: Collection[int]) -> dict[int, tuple[str, str, str]]:
        """Asset code, its project's code and name, by asset id."""
        found: dict[int, tuple[str, str, str]] = {}
        for chunk in _chunks(asset_ids):
            statement = (
                select(Asset.id, Asset.code, Project.code, Project.name)
                .join(Project, Project.id == Asset.project_id)
                .where(Asset.id.in_(chunk))
            )
            found |= {
                a: (code, p_code, p_name) for a, code, p_code, p_name in self.session.execute(statement)
            }
        return found
