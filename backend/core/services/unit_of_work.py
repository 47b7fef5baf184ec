"""The unit-of-work port the services depend on; `backend.core.db.uow` implements it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from backend.core.db.repositories import (
        ApprovalRepository,
        AuditRepository,
        DeviceRepository,
        DomainEventRepository,
        JobRunRepository,
        LoginAttemptRepository,
        UserRepository,
    )
    from backend.field.db.repositories import (
        ChecklistRepository,
        GpsFixRepository,
        InspectionRepository,
        PhotoRepository,
        StatusChangeRequestRepository,
        WorkOrderRepository,
    )
    from backend.leasing.db.repositories import (
        AmendmentRepository,
        ChargeLineRepository,
        CodeAliasRepository,
        LeaseRepository,
        PriceIndexRepository,
        ScheduleRepository,
        TemplateRepository,
    )
    from backend.notify.db.repositories import NotificationRepository, PushOutbox, PushSubscriptionRepository
    from backend.org.db.repositories import (
        AssetRepository,
        BoardRepository,
        CustomerRepository,
        ProjectRepository,
        RegionRepository,
    )
    from sync.db.repositories import SyncRepository


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
    templates: TemplateRepository
    leases: LeaseRepository
    charge_lines: ChargeLineRepository
    schedules: ScheduleRepository
    amendments: AmendmentRepository
    code_aliases: CodeAliasRepository
    price_indexes: PriceIndexRepository
    approvals: ApprovalRepository
    job_runs: JobRunRepository
    notifications: NotificationRepository
    events: DomainEventRepository
    photos: PhotoRepository
    checklists: ChecklistRepository
    inspections: InspectionRepository
    board: BoardRepository
    status_requests: StatusChangeRequestRepository
    gps_fixes: GpsFixRepository
    work_orders: WorkOrderRepository
    sync: SyncRepository
    push_subscriptions: PushSubscriptionRepository
    push_outbox: PushOutbox

    def commit(self) -> None:
        """Make every change of this unit of work durable at once."""

    def rollback(self) -> None:
        """Drop every change not yet committed."""

    def flush(self) -> None:
        """Send pending changes so generated ids are known, without committing."""
