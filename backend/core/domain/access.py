"""Roles, permissions and scope: who may do what, and over which regions and projects."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field

from backend.core.domain.errors import N_, Forbidden, ValidationFailed


class Role(enum.StrEnum):
    """A job a user holds; most roles are held for a region or a project."""

    ADMIN = "admin"
    DIRECTOR = "director"
    REGIONAL_MANAGER = "regional_manager"
    PROJECT_MANAGER = "project_manager"
    LEASING_AGENT = "leasing_agent"
    FINANCE = "finance"
    LEGAL = "legal"
    INSPECTOR = "inspector"


class Permission(enum.StrEnum):
    """One kind of action on one kind of resource."""

    REGION_READ = "region:read"
    REGION_WRITE = "region:write"
    PROJECT_READ = "project:read"
    PROJECT_WRITE = "project:write"
    PROJECT_DELETE = "project:delete"
    ASSET_READ = "asset:read"
    ASSET_WRITE = "asset:write"
    ASSET_DELETE = "asset:delete"
    CUSTOMER_READ = "customer:read"
    CUSTOMER_WRITE = "customer:write"
    CUSTOMER_DELETE = "customer:delete"
    USER_READ = "user:read"
    USER_WRITE = "user:write"
    DEVICE_ADMIN = "device:admin"
    AUDIT_READ = "audit:read"
    LEASE_READ = "lease:read"
    LEASE_WRITE = "lease:write"
    LEASE_APPROVE = "lease:approve"
    LEASE_CONFIGURE = "lease:configure"
    LABEL_PRINT = "label:print"
    FIELD_REPORT = "field:report"
    FIELD_CONFIRM = "field:confirm"
    FIELD_SETTINGS_APPROVE = "field_settings:approve"  # a proposed change of a fence or a field policy
    JOB_ADMIN = "job:admin"  # scheduled jobs: hears of failures, retries runs
    NOTIFY_ADMIN = "notify:admin"  # notification channels of a region or project; hears of failed deliveries
    RECEIVABLE_READ = "receivable:read"  # charges, payments, credit notes, deposits, aging, statements
    RECEIVABLE_WRITE = (
        "receivable:write"  # billing runs, payments, allocations, credit notes, refunds, deposits
    )
    BANK_READ = "bank:read"  # our bank accounts, imported statements, the difference list
    BANK_WRITE = "bank:write"  # statement imports, reconciliation runs, manual matches, bank accounts
    PORTFOLIO_READ = "portfolio:read"  # the portfolio dashboards, their drill-downs and the monthly report
    COLLECTIONS_READ = "collections:read"  # the collections workbench, dunning notices, cases, credit pages
    COLLECTIONS_WRITE = (
        "collections:write"  # promises, disputes, grace requests, cases, tasks, policies, runs
    )
    COLLECTIONS_APPROVE = "collections:approve"  # grace periods (the second pair of eyes)


P = Permission
_READ_ORG = {P.REGION_READ, P.PROJECT_READ, P.ASSET_READ}

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.DIRECTOR: frozenset(
        _READ_ORG
        | {P.PROJECT_WRITE, P.ASSET_WRITE, P.ASSET_DELETE, P.CUSTOMER_READ, P.CUSTOMER_WRITE}
        | {P.CUSTOMER_DELETE, P.USER_READ, P.AUDIT_READ}
        | {P.LEASE_READ, P.LEASE_WRITE, P.LEASE_APPROVE, P.LEASE_CONFIGURE, P.LABEL_PRINT}
    ),
    Role.REGIONAL_MANAGER: frozenset(
        _READ_ORG
        | {P.PROJECT_WRITE, P.ASSET_WRITE, P.ASSET_DELETE, P.CUSTOMER_READ, P.CUSTOMER_WRITE}
        | {P.AUDIT_READ, P.LEASE_READ, P.LEASE_WRITE, P.LEASE_APPROVE, P.LABEL_PRINT}
    ),
    Role.PROJECT_MANAGER: frozenset(
        _READ_ORG
        | {P.ASSET_WRITE, P.CUSTOMER_READ, P.CUSTOMER_WRITE, P.AUDIT_READ}
        | {P.LEASE_READ, P.LEASE_WRITE, P.LEASE_APPROVE, P.LABEL_PRINT}
    ),
    Role.LEASING_AGENT: frozenset(
        _READ_ORG | {P.CUSTOMER_READ, P.CUSTOMER_WRITE, P.LEASE_READ, P.LEASE_WRITE}
    ),
    Role.FINANCE: frozenset(
        _READ_ORG | {P.CUSTOMER_READ, P.CUSTOMER_WRITE, P.AUDIT_READ, P.LEASE_READ, P.LEASE_APPROVE}
    ),
    Role.LEGAL: frozenset(_READ_ORG | {P.CUSTOMER_READ, P.AUDIT_READ, P.LEASE_READ}),
    Role.INSPECTOR: frozenset(_READ_ORG),
}

# Collections: finance chases, legal works its cases, the managers above approve grace periods.
# Leasing agents are the account managers: they see the workbench and close their key accounts' tasks.
_COLLECTORS = (Role.DIRECTOR, Role.REGIONAL_MANAGER, Role.PROJECT_MANAGER, Role.FINANCE, Role.LEGAL)
for _role in (*_COLLECTORS, Role.LEASING_AGENT):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {P.COLLECTIONS_READ}
for _role in (Role.PROJECT_MANAGER, Role.FINANCE, Role.LEGAL):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {P.COLLECTIONS_WRITE}
for _role in (Role.DIRECTOR, Role.REGIONAL_MANAGER):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {P.COLLECTIONS_APPROVE}

# Field evidence (status reports, photos, GPS fixes): the people on site and the managers over them.
for _role in (Role.DIRECTOR, Role.REGIONAL_MANAGER, Role.PROJECT_MANAGER, Role.INSPECTOR):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {P.FIELD_REPORT}

# Confirming field status changes (the second pair of eyes): the managers with authority over the project.
for _role in (Role.DIRECTOR, Role.REGIONAL_MANAGER, Role.PROJECT_MANAGER):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {P.FIELD_CONFIRM}

# Approving a change of where presence on site is judged (a fence) or how (a project's field policy): above
# the project, so a project manager's proposal for their own assets goes to someone else.
for _role in (Role.DIRECTOR, Role.REGIONAL_MANAGER):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {P.FIELD_SETTINGS_APPROVE}

# Notification channels of a region (its group robots, webhooks) and the alerts of failed deliveries: head
# office and each regional manager for their region.
for _role in (Role.DIRECTOR, Role.REGIONAL_MANAGER):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {P.NOTIFY_ADMIN}

# The ledger: finance keeps it and reconciles the bank; head office, regional managers and the people who
# chase or sign leases read it.
ROLE_PERMISSIONS[Role.FINANCE] |= {P.RECEIVABLE_READ, P.RECEIVABLE_WRITE, P.BANK_READ, P.BANK_WRITE}
for _role in (Role.DIRECTOR, Role.REGIONAL_MANAGER):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {P.RECEIVABLE_READ, P.BANK_READ}
for _role in (Role.PROJECT_MANAGER, Role.LEASING_AGENT, Role.LEGAL):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {P.RECEIVABLE_READ}

# The portfolio's KPIs: head office, the regional and project managers over their part, and finance.
for _role in (Role.DIRECTOR, Role.REGIONAL_MANAGER, Role.PROJECT_MANAGER, Role.FINANCE):
    ROLE_PERMISSIONS[_role] = ROLE_PERMISSIONS[_role] | {P.PORTFOLIO_READ}

GLOBAL_ONLY_ROLES = frozenset({Role.ADMIN, Role.DIRECTOR})
REGION_ONLY_ROLES = frozenset({Role.REGIONAL_MANAGER})
PROJECT_ONLY_ROLES = frozenset({Role.PROJECT_MANAGER})


@dataclass(frozen=True)
class Scope:
    """The regions and projects an action reaches; `everything` for head-office roles."""

    everything: bool = False
    region_ids: frozenset[int] = frozenset()
    project_ids: frozenset[int] = frozenset()

    @property
    def is_empty(self) -> bool:
        """True when the action reaches nothing at all."""
        return not (self.everything or self.region_ids or self.project_ids)

    def covers_project(self, project_id: int, region_id: int) -> bool:
        """Whether a project (in the given region) lies inside the scope."""
        return self.everything or region_id in self.region_ids or project_id in self.project_ids

    def covers_region(self, region_id: int) -> bool:
        """Whether the whole region lies inside the scope."""
        return self.everything or region_id in self.region_ids

    def union(self, other: Scope) -> Scope:
        """The scope reaching what either reaches."""
        if self.everything or other.everything:
            return Scope(everything=True)
        return Scope(
            region_ids=self.region_ids | other.region_ids,
            project_ids=self.project_ids | other.project_ids,
        )


NOTHING = Scope()


@dataclass(frozen=True)
class Assignment:
    """A role held globally, for one region, or for one project."""

    role: Role
    region_id: int | None = None
    project_id: int | None = None

    @property
    def scope(self) -> Scope:
        """What this one assignment reaches."""
        if self.project_id is not None:
            return Scope(project_ids=frozenset({self.project_id}))
        if self.region_id is not None:
            return Scope(region_ids=frozenset({self.region_id}))
        return Scope(everything=True)


def validate_assignment(assignment: Assignment) -> None:
    """Refuse assignments whose reach does not fit the role."""
    role, region, project = assignment.role, assignment.region_id, assignment.project_id
    if region is not None and project is not None:
        raise ValidationFailed.single("roles", N_("A role is held for a region or a project, not both."))
    if role in GLOBAL_ONLY_ROLES and (region is not None or project is not None):
        raise ValidationFailed.single(
            "roles", N_("Admins and directors cover all regions; omit region_id and project_id.")
        )
    if role in REGION_ONLY_ROLES and region is None:
        raise ValidationFailed.single("roles", N_("A regional manager needs a region_id."))
    if role in PROJECT_ONLY_ROLES and project is None:
        raise ValidationFailed.single("roles", N_("A project manager needs a project_id."))


@dataclass(frozen=True)
class Principal:
    """An authenticated user with their role assignments."""

    user_id: int
    username: str
    assignments: tuple[Assignment, ...] = field(default_factory=tuple)

    @property
    def roles(self) -> frozenset[Role]:
        """Every role the user holds anywhere."""
        return frozenset(a.role for a in self.assignments)

    def can(self, permission: Permission) -> bool:
        """Whether any assignment grants the permission somewhere."""
        return not self.scope_for(permission).is_empty

    def scope_for(self, permission: Permission) -> Scope:
        """Where the user may exercise a permission: the union over assignments granting it."""
        scope = NOTHING
        for assignment in self.assignments:
            if permission in ROLE_PERMISSIONS[assignment.role]:
                scope = scope.union(assignment.scope)
        return scope

    def require(self, permission: Permission) -> Scope:
        """The scope of a permission, or Forbidden when the user holds it nowhere."""
        scope = self.scope_for(permission)
        if scope.is_empty:
            raise Forbidden(
                N_("Your roles do not allow this action (%(permission)s)."), permission=permission.value
            )
        return scope


def principal_from(user_id: int, username: str, assignments: Iterable[Assignment]) -> Principal:
    """Build a principal with its assignments in a stable order."""
    ordered = sorted(assignments, key=lambda a: (a.role.value, a.region_id or 0, a.project_id or 0))
    return Principal(user_id=user_id, username=username, assignments=tuple(ordered))
