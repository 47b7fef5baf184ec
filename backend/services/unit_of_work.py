"""The unit-of-work port the services depend on; `backend.db.uow` implements it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from backend.db.repositories import (
        AssetRepository,
        AuditRepository,
        CustomerRepository,
        DeviceRepository,
        LoginAttemptRepository,
        PhotoRepository,
        ProjectRepository,
        RegionRepository,
        UserRepository,
    )


class UnitOfWork(Protocol):
    """Repositories sharing one transaction; the caller opens and closes it, a service commits."""

    regions: RegionRepository
    projects: ProjectRepository
    assets: AssetRepository
    customers: CustomerRepository
    users: UserRepository
    devices: DeviceRepository
    login_attempts: LoginAttemptRepository
    audit: AuditRepository
    photos: PhotoRepository

    def commit(self) -> None:
        """Make every change of this unit of work durable at once."""

    def rollback(self) -> None:
        """Drop every change not yet committed."""

    def flush(self) -> None:
        """Send pending changes so generated ids are known, without committing."""
