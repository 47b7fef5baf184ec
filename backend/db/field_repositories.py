"""Repositories for inspection checklists, inspections, and the asset board's summaries."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, func, select, true, update
from sqlalchemy.orm import Session

from backend.core.db.models import AuditEntry
from backend.db.repositories import _IN_CHUNK, Repository, _equals, projects_in
from backend.domain.access import Scope
from backend.domain.leases import BINDING
from backend.domain.org import AssetType
from backend.field.db.models import Checklist, ChecklistItem, Inspection, InspectionAnswer
from backend.leasing.db.models import Lease, lease_assets
from backend.org.db.models import Asset, Project


def _chunks(values: Collection[Any]) -> list[list[Any]]:
    wanted = list(values)
    return [wanted[start : start + _IN_CHUNK] for start in range(0, len(wanted), _IN_CHUNK)]


class ChecklistRepository(Repository[Checklist]):
    """Checklists: shared by every project; read by anyone who may see some asset."""

    model = Checklist
    entity_name = "Checklist"
    filters = {
        "code": _equals(Checklist.code),
        "asset_type": _equals(Checklist.asset_type),
        "active": _equals(Checklist.active),
    }
    sortable = {"code": Checklist.code, "version": Checklist.version, "asset_type": Checklist.asset_type}

    def scope_clause(self, scope: Scope) -> ColumnElement[bool]:
        return true()

    def create_with_items(self, values: Mapping[str, Any], items: Sequence[Mapping[str, Any]]) -> Checklist:
        """Stage a checklist version with its items."""
        checklist = Checklist(**values, items=[ChecklistItem(**item) for item in items])
        self.session.add(checklist)
        return checklist

    def replace_items(self, checklist: Checklist, items: Sequence[Mapping[str, Any]]) -> None:
        """Replace an unused version's items (the old rows go first: the new ones may reuse their keys)."""
        checklist.items.clear()
        self.session.flush()
        checklist.items.extend(ChecklistItem(**item) for item in items)

    def active_for(self, asset_type: AssetType, exclude_code: str | None = None) -> Checklist | None:
        """The active checklist of an asset type (ignoring one code, when given)."""
        statement = select(Checklist).where(Checklist.asset_type == asset_type, Checklist.active.is_(True))
        if exclude_code is not None:
            statement = statement.where(Checklist.code != exclude_code)
        return self.session.scalars(statement.order_by(Checklist.id)).first()

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
        self.session.execute(
            update(Checklist)
            .where(Checklist.code == code, Checklist.active.is_(True))
            .values(active=False)
            .execution_options(synchronize_session="fetch")
        )

    def lock_asset_type(self, asset_type: AssetType) -> None:
        """Serialise activations within one asset type (row locks on PostgreSQL, a write on SQLite)."""
        self.session.execute(
            update(Checklist).where(Checklist.asset_type == asset_type).values(active=Checklist.active)
        )


class InspectionRepository(Repository[Inspection]):
    """Inspections, scoped by their project."""

    model = Inspection
    entity_name = "Inspection"
    filters = {
        "asset_id": _equals(Inspection.asset_id),
        "project_id": _equals(Inspection.project_id),
        "inspector_id": _equals(Inspection.inspector_id),
        "result": _equals(Inspection.result),
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
        for chunk in _chunks(asset_ids):
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


class BoardRepository:
    """Summaries for the asset board: status counts, current leases, an asset's history."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def status_counts(self, project_id: int, scope: Scope) -> dict[str, int]:
        """How many of a project's assets within the scope hold each status."""
        statement = (
            select(Asset.status, func.count())
            .join(Project, Asset.project_id == Project.id)
            .where(Asset.project_id == project_id, projects_in(scope))
            .group_by(Asset.status)
        )
        return {status.value: count for status, count in self.session.execute(statement)}

    def current_leases(self, asset_ids: Collection[int]) -> dict[int, Lease]:
        """The binding lease of each asset that has one (the latest starting, if several), by asset id."""
        found: dict[int, Lease] = {}
        for chunk in _chunks(asset_ids):
            statement = (
                select(lease_assets.c.asset_id, Lease)
                .join(Lease, Lease.id == lease_assets.c.lease_id)
                .where(lease_assets.c.asset_id.in_(chunk), Lease.status.in_(BINDING))
                .order_by(Lease.starts_on, Lease.id)
            )
            found.update((asset_id, lease) for asset_id, lease in self.session.execute(statement).unique())
        return found

    def asset_history(self, asset_id: int, page: int, page_size: int) -> tuple[Sequence[AuditEntry], int]:
        """A page of the asset's own audit entries, newest first, and their total."""
        where = (AuditEntry.entity_type == "asset", AuditEntry.entity_id == str(asset_id))
        total = self.session.scalar(select(func.count()).select_from(AuditEntry).where(*where)) or 0
        statement = (
            select(AuditEntry)
            .where(*where)
            .order_by(AuditEntry.occurred_at.desc(), AuditEntry.id.desc())
            .limit(page_size)
            .offset((page - 1) * page_size)
        )
        return self.session.scalars(statement).all(), total
