"""Repositories for field requests, GPS fixes and work orders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, false, or_, select, true, update

from backend.db.leasing_repositories import _in_projects
from backend.db.repositories import Repository, _equals, _one_of
from backend.domain.access import Scope
from backend.domain.field_requests import CLOSED_WORK_ORDER_STATES, RequestState, WorkOrderKind
from backend.field.db.models import GpsFix, StatusChangeRequest, WorkOrder


class StatusChangeRequestRepository(Repository[StatusChangeRequest]):
    """Status change requests, scoped by their project."""

    model = StatusChangeRequest
    entity_name = "Status change request"
    filters = {
        "project_id": _equals(StatusChangeRequest.project_id),
        "asset_id": _equals(StatusChangeRequest.asset_id),
        "state": _one_of(StatusChangeRequest.state),
        "applicant_id": _equals(StatusChangeRequest.applicant_id),
        "conflict": _equals(StatusChangeRequest.conflict),
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
        return _in_projects(StatusChangeRequest.project_id, scope)

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
        "project_id": _equals(WorkOrder.project_id),
        "asset_id": _equals(WorkOrder.asset_id),
        "lease_id": _equals(WorkOrder.lease_id),
        "kind": _equals(WorkOrder.kind),
        "state": _one_of(WorkOrder.state),
        "assignee_id": _equals(WorkOrder.assignee_id),
    }
    sortable = {"created_at": WorkOrder.created_at, "state": WorkOrder.state, "kind": WorkOrder.kind}

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        return _in_projects(WorkOrder.project_id, scope)

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
