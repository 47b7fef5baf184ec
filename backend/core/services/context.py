"""Who is acting, and from where: passed to every use case."""

from __future__ import annotations

from dataclasses import dataclass

from backend.core.domain.access import Permission, Principal, Scope
from backend.core.domain.audit import Origin


@dataclass(frozen=True)
class Actor:
    """A signed-in user, or the system itself (CLI, jobs) acting with full reach."""

    principal: Principal | None
    origin: Origin
    ip: str | None = None
    device_id: int | None = None
    request_id: str | None = None

    @classmethod
    def system(cls, origin: Origin, name: str = "system") -> Actor:
        """The installation acting on its own behalf (a CLI command, a scheduled job)."""
        return cls(principal=None, origin=origin, request_id=name)

    @property
    def user_id(self) -> int | None:
        """The acting user's id, or None for the system."""
        return self.principal.user_id if self.principal else None

    @property
    def name(self) -> str:
        """How the audit log names the actor."""
        if self.principal is not None:
            return self.principal.username
        if self.origin in (Origin.WEB, Origin.DEVICE):
            return f"{self.origin.value}:anonymous"  # before sign-in; never a name the caller chose
        return f"{self.origin.value}:{self.request_id or 'system'}"

    def scope_for(self, permission: Permission) -> Scope:
        """Where the actor may exercise a permission (the system reaches everything)."""
        if self.principal is None:
            return Scope(everything=True)
        return self.principal.scope_for(permission)

    def require(self, permission: Permission) -> Scope:
        """The scope of a permission, or Forbidden when the actor holds it nowhere."""
        if self.principal is None:
            return Scope(everything=True)
        return self.principal.require(permission)
