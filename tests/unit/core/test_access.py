"""Roles, assignments and scope, as pure rules."""

from __future__ import annotations

import pytest

from backend.core.domain.access import (
    Assignment,
    Permission,
    Role,
    Scope,
    principal_from,
    validate_assignment,
)
from backend.core.domain.errors import Forbidden, ValidationFailed


def test_a_regional_manager_reaches_their_region_and_its_projects_only() -> None:
    principal = principal_from(1, "rm", [Assignment(Role.REGIONAL_MANAGER, region_id=3)])
    scope = principal.scope_for(Permission.ASSET_WRITE)
    assert scope == Scope(region_ids=frozenset({3}))
    assert scope.covers_project(project_id=10, region_id=3)
    assert not scope.covers_project(project_id=11, region_id=4)


def test_scope_is_the_union_of_the_assignments_granting_the_permission() -> None:
    principal = principal_from(
        1, "mixed", [Assignment(Role.INSPECTOR, region_id=1), Assignment(Role.PROJECT_MANAGER, project_id=7)]
    )
    assert principal.scope_for(Permission.ASSET_READ) == Scope(
        region_ids=frozenset({1}), project_ids=frozenset({7})
    )
    # Only the project manager assignment lets them change assets.
    assert principal.scope_for(Permission.ASSET_WRITE) == Scope(project_ids=frozenset({7}))


def test_a_global_assignment_swallows_narrower_ones() -> None:
    principal = principal_from(1, "cfo", [Assignment(Role.FINANCE), Assignment(Role.FINANCE, region_id=2)])
    assert principal.scope_for(Permission.CUSTOMER_WRITE).everything


def test_a_permission_held_nowhere_is_forbidden_not_empty() -> None:
    inspector = principal_from(1, "walker", [Assignment(Role.INSPECTOR, project_id=7)])
    assert inspector.scope_for(Permission.CUSTOMER_READ).is_empty
    with pytest.raises(Forbidden):
        inspector.require(Permission.CUSTOMER_READ)


def test_a_user_without_roles_reaches_nothing() -> None:
    nobody = principal_from(1, "nobody", [])
    assert all(not nobody.can(permission) for permission in Permission)


@pytest.mark.parametrize(
    "assignment",
    [
        Assignment(Role.ADMIN, region_id=1),
        Assignment(Role.DIRECTOR, project_id=1),
        Assignment(Role.REGIONAL_MANAGER),
        Assignment(Role.REGIONAL_MANAGER, project_id=1),
        Assignment(Role.PROJECT_MANAGER, region_id=1),
        Assignment(Role.INSPECTOR, region_id=1, project_id=1),
    ],
)
def test_assignments_whose_reach_does_not_fit_the_role_are_refused(assignment: Assignment) -> None:
    with pytest.raises(ValidationFailed) as refused:
        validate_assignment(assignment)
    assert "roles" in refused.value.fields


@pytest.mark.parametrize(
    "assignment",
    [
        Assignment(Role.ADMIN),
        Assignment(Role.REGIONAL_MANAGER, region_id=1),
        Assignment(Role.PROJECT_MANAGER, project_id=1),
        Assignment(Role.FINANCE),
        Assignment(Role.INSPECTOR, project_id=1),
        Assignment(Role.LEASING_AGENT, region_id=1),
    ],
)
def test_assignments_that_fit_the_role_are_accepted_and_reach_what_they_name(assignment: Assignment) -> None:
    validate_assignment(assignment)
    reach = principal_from(1, "someone", [assignment]).scope_for(Permission.REGION_READ)
    assert reach == assignment.scope
    assert not reach.is_empty
