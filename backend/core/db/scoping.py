"""The scoping rule in SQL: which projects and regions a caller reaches, and who holds a permission where."""

from __future__ import annotations

from sqlalchemy import ColumnElement, false, or_, select, true
from sqlalchemy.orm import InstrumentedAttribute, Session

from backend.core.db.models import RoleAssignment, User
from backend.core.domain.access import ROLE_PERMISSIONS, Permission, Scope
from backend.org.db.models import (
    Project,
    Region,
)


def projects_in(scope: Scope) -> ColumnElement[bool]:
    """The scoping rule for anything that belongs to a project, by the project's columns."""
    if scope.everything:
        return true()
    clauses = []
    if scope.region_ids:
        clauses.append(Project.region_id.in_(scope.region_ids))
    if scope.project_ids:
        clauses.append(Project.id.in_(scope.project_ids))
    return or_(*clauses) if clauses else false()


def regions_touched(scope: Scope) -> ColumnElement[bool]:
    """Regions a scope reaches in whole or in part (a project manager sees their project's region)."""
    if scope.everything:
        return true()
    project_regions = select(Project.region_id).where(Project.id.in_(scope.project_ids))
    return or_(Region.id.in_(scope.region_ids), Region.id.in_(project_regions))


def in_projects(
    column: InstrumentedAttribute[int] | InstrumentedAttribute[int | None], scope: Scope
) -> ColumnElement[bool]:
    """Rows whose project column lies inside the scope."""
    if scope.everything:
        return true()
    return column.in_(select(Project.id).where(projects_in(scope)))


def holders_of(
    session: Session, permission: Permission, project_id: int | None, region_id: int | None
) -> list[int]:
    """Ids of active users holding a permission over a project (globally, by region or by project).

    With no project, those holding it over everything (head office).
    """
    roles = [role for role, granted in ROLE_PERMISSIONS.items() if permission in granted]
    everywhere = RoleAssignment.project_id.is_(None) & RoleAssignment.region_id.is_(None)
    reach = everywhere
    if project_id is not None:
        reach = (
            (RoleAssignment.project_id == project_id) | (RoleAssignment.region_id == region_id) | everywhere
        )
    statement = (
        select(RoleAssignment.user_id)
        .join(User, User.id == RoleAssignment.user_id)
        .where(User.is_active.is_(True), RoleAssignment.role.in_(roles), reach)
        .distinct()
    )
    return sorted(session.scalars(statement))
