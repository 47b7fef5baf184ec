"""Repositories for status change requests, GPS fixes, work orders, checklists, inspections and photos."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, false, func, or_, select, true, update
from sqlalchemy.orm import Session

from backend.core.db.repositories import IN_CHUNK, Repository, as_read_at, chunks, equals, one_of
from backend.core.db.scoping import in_projects, projects_in
from backend.core.domain.access import Scope
from backend.core.domain.errors import NotFound
from backend.field.db.models import (
    Checklist,
    ChecklistItem,
    GpsFix,
    Inspection,
    InspectionAnswer,
    Photo,
    StatusChangeRequest,
    WorkOrder,
)
from backend.field.domain.requests import (
    CLOSED_WORK_ORDER_STATES,
    RequestState,
    WorkOrderKind,
    WorkOrderState,
)
from backend.org.db.models import (
    Asset,
    Project,
)
from backend.org.domain.org import AssetType


class PhotoRepository(Repository[Photo]):
    """Photos, seen by whoever sees their asset's project."""

    model = Photo
    entity_name = "Photo"

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        if scope.everything:
            return true()
        in_scope = select(Asset.id).join(Project, Asset.project_id == Project.id).where(projects_in(scope))
        return Photo.asset_id.in_(in_scope)

    def by_sha256(self, sha256: str, scope: Scope) -> Photo:
        """The photo with this content hash; out of scope is indistinguishable from missing."""
        row = self.session.scalars(self.scoped(scope).where(Photo.sha256 == sha256)).first()
        if row is None:
            raise NotFound(self.entity_name)
        return row

    def any_of_asset(self, asset_id: int) -> bool:
        """Whether the asset has any photo."""
        return self.session.scalar(select(Photo.id).where(Photo.asset_id == asset_id).limit(1)) is not None

    def find_by_sha256(self, sha256: str) -> Photo | None:
        """The photo with this content hash, unscoped: for the upload's duplicate check."""
        return self.session.scalars(select(Photo).where(Photo.sha256 == sha256)).first()

    def stored_on(self, hashes: Collection[str]) -> set[tuple[str, int]]:
        """(hash, asset id) of the photos stored under these hashes."""
        return set(self.received_on(hashes))

    def received_on(self, hashes: Collection[str]) -> dict[tuple[str, int], datetime]:
        """When each photo stored under these hashes arrived, by (hash, asset id)."""
        wanted = list(hashes)
        found: dict[tuple[str, int], datetime] = {}
        for start in range(0, len(wanted), IN_CHUNK):
            chunk = wanted[start : start + IN_CHUNK]
            rows = self.session.execute(
                select(Photo.sha256, Photo.asset_id, Photo.created_at).where(Photo.sha256.in_(chunk))
            )
            found.update(((sha256, asset_id), created_at) for sha256, asset_id, created_at in rows)
        return found


class ChecklistRepository(Repository[Checklist]):
    """Checklists: shared by every project; read by anyone who may see some asset."""

    model = Checklist
    entity_name = "Checklist"
    filters = {
        "code": equals(Checklist.code),
        "asset_type": equals(Checklist.asset_type),
        "active": equals(Checklist.active),
    }
    sortable = {"code": Checklist.code, "version": Checklist.version, "asset_type": Checklist.asset_type}

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        return true()

    def __init__(self, session: Session) -> None:
        super().__init__(session)
        # The active checklist per asset type, looked up once a transaction (inspections come in batches);
        # any change to checklists in the transaction forgets it.
        self._active: dict[AssetType, Checklist | None] = {}

    def create_with_items(self, values: Mapping[str, Any], items: Sequence[Mapping[str, Any]]) -> Checklist:
        """Stage a checklist version with its items."""
        checklist = Checklist(**values, items=[ChecklistItem(**item) for item in items])
        self.session.add(checklist)
        self._active.clear()
        return checklist

    def replace_items(self, checklist: Checklist, items: Sequence[Mapping[str, Any]]) -> None:
        """Replace an unused version's items (the old rows go first: the new ones may reuse their keys)."""
        checklist.items.clear()
        self.session.flush()
        checklist.items.extend(ChecklistItem(**item) for item in items)
        self._active.clear()

    def active_for(self, asset_type: AssetType, exclude_code: str | None = None) -> Checklist | None:
        """The active checklist of an asset type (ignoring one code, when given)."""
        if exclude_code is None and asset_type in self._active:
            return self._active[asset_type]
        statement = select(Checklist).where(Checklist.asset_type == asset_type, Checklist.active.is_(True))
        if exclude_code is not None:
            statement = statement.where(Checklist.code != exclude_code)
        found = self.session.scalars(statement.order_by(Checklist.id)).first()
        if exclude_code is None:
            self._active[asset_type] = found
        return found

    def latest_version(self, code: str) -> int:
        """The highest version of a checklist code (0 when the code is new)."""
        return self.session.scalar(select(func.max(Checklist.version)).where(Checklist.code == code)) or 0

    def existing_codes(self, codes: Collection[str]) -> set[str]:
        """Which of the codes are already taken by some version."""
        return set(self.session.scalars(select(Checklist.code).where(Checklist.code.in_(list(codes)))))

    def is_used(self, checklist_id: int) -> bool:
        """Whether any inspection was filed against this version."""
        statement = select(Inspection.id).where(Inspection.checklist_id == checklist_id).limit(1)
        return self.session.scalar(statement) is not None

    def deactivate_code(self, code: str) -> None:
        """Retire every version of a checklist code (a new version takes over)."""
        self._active.clear()
        self.session.execute(
            update(Checklist)
            .where(Checklist.code == code, Checklist.active.is_(True))
            .values(active=False)
            .execution_options(synchronize_session="fetch")
        )

    def lock_asset_type(self, asset_type: AssetType) -> None:
        """Serialise activations within one asset type (row locks on PostgreSQL, a write on SQLite)."""
        self._active.clear()
        self.session.execute(
            update(Checklist).where(Checklist.asset_type == asset_type).values(active=Checklist.active)
        )


class InspectionRepository(Repository[Inspection]):
    """Inspections, scoped by their project."""

    model = Inspection
    entity_name = "Inspection"
    filters = {
        "asset_id": equals(Inspection.asset_id),
        "project_id": equals(Inspection.project_id),
        "inspector_id": equals(Inspection.inspector_id),
        "result": equals(Inspection.result),
        "since": lambda value: Inspection.submitted_at >= value,
        "until": lambda value: Inspection.submitted_at < value,
    }
    sortable = {"submitted_at": Inspection.submitted_at, "captured_at": Inspection.captured_at}

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        if scope.everything:
            return true()
        return Inspection.project_id.in_(select(Project.id).where(projects_in(scope)))

    def create_with_answers(
        self, values: Mapping[str, Any], answers: Sequence[Mapping[str, Any]]
    ) -> Inspection:
        """Stage an inspection with its answers."""
        inspection = Inspection(**values, answers=[InspectionAnswer(**answer) for answer in answers])
        self.session.add(inspection)
        return inspection

    def earlier_fixes_of_device(self, device_id: int, before: datetime, limit: int = 20) -> list[Inspection]:
        """The device's last fixes captured before a moment, oldest first (for plausibility flags)."""
        statement = (
            select(Inspection)
            .where(
                Inspection.device_id == device_id,
                Inspection.captured_at <= before,
                Inspection.latitude.is_not(None),
            )
            .order_by(Inspection.captured_at.desc(), Inspection.id.desc())
            .limit(limit)
        )
        return list(reversed(self.session.scalars(statement).unique().all()))

    def latest_of_assets(self, asset_ids: Collection[int]) -> dict[int, Inspection]:
        """Each asset's most recently submitted inspection, by asset id."""
        found: dict[int, Inspection] = {}
        for chunk in chunks(asset_ids):
            newest = (
                select(Inspection.asset_id, func.max(Inspection.id).label("id"))
                .where(Inspection.asset_id.in_(chunk))
                .group_by(Inspection.asset_id)
                .subquery()
            )
            statement = select(Inspection).join(newest, Inspection.id == newest.c.id)
            found.update((row.asset_id, row) for row in self.session.scalars(statement).unique())
        return found

    def recent_of_asset(self, asset_id: int, limit: int) -> Sequence[Inspection]:
        """An asset's latest inspections, newest first."""
        statement = (
            select(Inspection)
            .where(Inspection.asset_id == asset_id)
            .order_by(Inspection.submitted_at.desc(), Inspection.id.desc())
            .limit(limit)
        )
        return self.session.scalars(statement).unique().all()


class StatusChangeRequestRepository(Repository[StatusChangeRequest]):
    """Status change requests, scoped by their project."""

    model = StatusChangeRequest
    entity_name = "Status change request"
    filters = {
        "project_id": equals(StatusChangeRequest.project_id),
        "asset_id": equals(StatusChangeRequest.asset_id),
        "state": one_of(StatusChangeRequest.state),
        "state_at": as_read_at(
            StatusChangeRequest.state,
            StatusChangeRequest.expires_at,
            RequestState.PENDING,
            RequestState.EXPIRED,
        ),
        "applicant_id": equals(StatusChangeRequest.applicant_id),
        "conflict": equals(StatusChangeRequest.conflict),
        "not_filed_by": lambda user_id: or_(
            StatusChangeRequest.applicant_id.is_(None), StatusChangeRequest.applicant_id != user_id
        ),
    }
    sortable = {
        "submitted_at": StatusChangeRequest.submitted_at,
        "expires_at": StatusChangeRequest.expires_at,
        "state": StatusChangeRequest.state,
    }

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        return in_projects(StatusChangeRequest.project_id, scope)

    def open_for(self, asset_id: int) -> StatusChangeRequest | None:
        """The asset's pending request, if any."""
        statement = select(StatusChangeRequest).where(
            StatusChangeRequest.asset_id == asset_id, StatusChangeRequest.state == RequestState.PENDING
        )
        return self.session.scalars(statement).first()

    def open_for_assets(self, asset_ids: Sequence[int]) -> dict[int, StatusChangeRequest]:
        """The pending request of each of the assets that has one, by asset id."""
        if not asset_ids:
            return {}
        statement = select(StatusChangeRequest).where(
            StatusChangeRequest.asset_id.in_(list(asset_ids)),
            StatusChangeRequest.state == RequestState.PENDING,
        )
        return {request.asset_id: request for request in self.session.scalars(statement)}

    def overdue(self, now: datetime, scope: Scope) -> Sequence[StatusChangeRequest]:
        """Pending requests within the scope whose time ran out."""
        statement = self.scoped(scope).where(
            StatusChangeRequest.state == RequestState.PENDING, StatusChangeRequest.expires_at <= now
        )
        return self.session.scalars(statement.order_by(StatusChangeRequest.id)).unique().all()

    def lock(self, request: StatusChangeRequest) -> None:
        """Serialise decisions on one request (a row lock until commit); re-read it and its asset."""
        self.session.execute(
            update(StatusChangeRequest)
            .where(StatusChangeRequest.id == request.id)
            .values(state=StatusChangeRequest.state)
            .execution_options(synchronize_session=False)
        )
        self.session.refresh(request)
        self.session.refresh(request.asset)

    def reload_people(self, request: StatusChangeRequest) -> None:
        """Read again who filed and who decided a request whose people changed in this unit of work."""
        self.session.flush()
        self.session.refresh(request, ["applicant", "confirmer"])


class GpsFixRepository(Repository[GpsFix]):
    """The history of GPS fixes per device (or per user for fixes sent without a device)."""

    model = GpsFix
    entity_name = "GPS fix"

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        # Fixes are personal evidence, read through their requests; only head office lists them.
        return true() if scope.everything else false()

    def earlier(
        self, device_id: int | None, user_id: int | None, before: datetime, limit: int = 20
    ) -> list[GpsFix]:
        """The same device's (else user's) latest fixes captured before a moment, oldest first."""
        if device_id is not None:
            owner = GpsFix.device_id == device_id
        elif user_id is not None:
            owner = (GpsFix.user_id == user_id) & GpsFix.device_id.is_(None)
        else:
            return []
        statement = (
            select(GpsFix)
            .where(owner, GpsFix.captured_at < before)
            .order_by(GpsFix.captured_at.desc(), GpsFix.id.desc())
            .limit(limit)
        )
        return list(reversed(self.session.scalars(statement).all()))


class WorkOrderRepository(Repository[WorkOrder]):
    """Work orders, scoped by their project."""

    model = WorkOrder
    entity_name = "Work order"
    filters = {
        "project_id": equals(WorkOrder.project_id),
        "asset_id": equals(WorkOrder.asset_id),
        "lease_id": equals(WorkOrder.lease_id),
        "kind": equals(WorkOrder.kind),
        "state": one_of(WorkOrder.state),
        "assignee_id": equals(WorkOrder.assignee_id),
    }
    sortable = {"created_at": WorkOrder.created_at, "state": WorkOrder.state, "kind": WorkOrder.kind}

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        return in_projects(WorkOrder.project_id, scope)

    def opened_for_lease(
        self,
        lease_id: int,
        asset_ids: Collection[int],
        kinds: Collection[WorkOrderKind],
        since: datetime,
        until: datetime,
    ) -> list[datetime]:
        """When each work order of these kinds on a lease or its units was opened in [since, until), not
        counting cancelled ones, oldest first (times: the month one falls in is the project's, not UTC's)."""
        linked = WorkOrder.lease_id == lease_id
        if asset_ids:
            linked = or_(linked, WorkOrder.asset_id.in_(sorted(set(asset_ids))))
        statement = (
            select(WorkOrder.created_at)
            .where(
                linked,
                WorkOrder.kind.in_(list(kinds)),
                WorkOrder.state != WorkOrderState.CANCELLED,
                WorkOrder.created_at >= since,
                WorkOrder.created_at < until,
            )
            .order_by(WorkOrder.created_at)
        )
        return list(self.session.scalars(statement))

    def open_of(
        self, asset_id: int, kind: WorkOrderKind, lease_id: int | None = None, exclude_id: int | None = None
    ) -> list[WorkOrder]:
        """An asset's work orders of one kind that are not closed (optionally of one lease)."""
        statement = select(WorkOrder).where(
            WorkOrder.asset_id == asset_id,
            WorkOrder.kind == kind,
            WorkOrder.state.not_in(list(CLOSED_WORK_ORDER_STATES)),
        )
        if lease_id is not None:
            statement = statement.where(WorkOrder.lease_id == lease_id)
        if exclude_id is not None:
            statement = statement.where(WorkOrder.id != exclude_id)
        return list(self.session.scalars(statement.order_by(WorkOrder.id)).unique())
