"""The unit-of-work port the services depend on: repositories sharing one transaction, and its end.

Each context declares its repositories' ports in its `services/ports.py`; `backend.core.db.uow` implements
them with SQLAlchemy, and `tests/support/fake_uow.py` in memory.
"""

from __future__ import annotations

from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from backend.analytics.services.ports import Portfolio
    from backend.banking.services.ports import (
        BankAccounts,
        BankLines,
        BankProfiles,
        BankStatements,
        ReconciliationDecisions,
    )
    from backend.collections.services.ports import (
        CollectionCases,
        CollectionTasks,
        Conduct,
        CreditConsents,
        CreditSignals,
        DeviceLocks,
        Disputes,
        Dunning,
        DunningNotices,
        DunningStandings,
        GracePeriods,
        PaymentPromises,
    )
    from backend.core.services.ports import (
        Approvals,
        AuditLog,
        Devices,
        DomainEvents,
        JobRuns,
        JobSlots,
        LoginAttempts,
        Users,
    )
    from backend.field.services.ports import (
        Checklists,
        GpsFixes,
        Inspections,
        Photos,
        StatusRequests,
        WorkOrders,
    )
    from backend.iot.services.ports import (
        IotAudits,
        IotDevices,
        IotFlags,
        IotGateways,
        IotReadings,
        IotSignalFacts,
        IotViewings,
    )
    from backend.leasing.services.ports import (
        Amendments,
        CalendarYears,
        ChargeLines,
        CodeAliases,
        LeaseImports,
        Leases,
        LeaseTags,
        PriceIndexes,
        Schedules,
        Templates,
    )
    from backend.notify.services.ports import (
        ChannelEndpoints,
        Deliveries,
        NotificationPreferences,
        Notifications,
        PushSubscriptions,
    )
    from backend.org.services.ports import Assets, Board, Customers, Projects, Regions
    from backend.receivables.services.ports import (
        Allocations,
        Charges,
        CreditNotes,
        Deposits,
        Payments,
        Sequences,
    )
    from backend.reminders.services.ports import Reminders, ReminderTasks
    from sync.ports import SyncStorage


class UnitOfWork(Protocol):
    """Repositories sharing one transaction; the caller opens and closes it, a service commits."""

    # Read-only members: an implementation may hold anything that offers what the port lists.
    @property
    def regions(self) -> Regions: ...

    @property
    def projects(self) -> Projects: ...

    @property
    def assets(self) -> Assets: ...

    @property
    def customers(self) -> Customers: ...

    @property
    def users(self) -> Users: ...

    @property
    def devices(self) -> Devices: ...

    @property
    def login_attempts(self) -> LoginAttempts: ...

    @property
    def audit(self) -> AuditLog: ...

    @property
    def templates(self) -> Templates: ...

    @property
    def leases(self) -> Leases: ...

    @property
    def charge_lines(self) -> ChargeLines: ...

    @property
    def schedules(self) -> Schedules: ...

    @property
    def amendments(self) -> Amendments: ...

    @property
    def code_aliases(self) -> CodeAliases: ...

    @property
    def price_indexes(self) -> PriceIndexes: ...

    @property
    def calendar_years(self) -> CalendarYears: ...

    @property
    def lease_imports(self) -> LeaseImports: ...

    @property
    def approvals(self) -> Approvals: ...

    @property
    def job_runs(self) -> JobRuns: ...

    @property
    def job_slots(self) -> JobSlots: ...

    @property
    def notifications(self) -> Notifications: ...

    @property
    def events(self) -> DomainEvents: ...

    @property
    def photos(self) -> Photos: ...

    @property
    def checklists(self) -> Checklists: ...

    @property
    def inspections(self) -> Inspections: ...

    @property
    def board(self) -> Board: ...

    @property
    def status_requests(self) -> StatusRequests: ...

    @property
    def gps_fixes(self) -> GpsFixes: ...

    @property
    def work_orders(self) -> WorkOrders: ...

    @property
    def sync(self) -> SyncStorage: ...

    @property
    def push_subscriptions(self) -> PushSubscriptions: ...

    @property
    def deliveries(self) -> Deliveries: ...

    @property
    def channel_endpoints(self) -> ChannelEndpoints: ...

    @property
    def notification_preferences(self) -> NotificationPreferences: ...

    @property
    def portfolio(self) -> Portfolio: ...

    @property
    def lease_tags(self) -> LeaseTags: ...

    @property
    def reminders(self) -> Reminders: ...

    @property
    def reminder_tasks(self) -> ReminderTasks: ...

    @property
    def dunning(self) -> Dunning: ...

    @property
    def dunning_standings(self) -> DunningStandings: ...

    @property
    def conduct(self) -> Conduct: ...

    @property
    def dunning_notices(self) -> DunningNotices: ...

    @property
    def payment_promises(self) -> PaymentPromises: ...

    @property
    def grace_periods(self) -> GracePeriods: ...

    @property
    def disputes(self) -> Disputes: ...

    @property
    def collection_cases(self) -> CollectionCases: ...

    @property
    def collection_tasks(self) -> CollectionTasks: ...

    @property
    def device_locks(self) -> DeviceLocks: ...

    @property
    def credit_consents(self) -> CreditConsents: ...

    @property
    def credit_signals(self) -> CreditSignals: ...

    @property
    def charges(self) -> Charges: ...

    @property
    def payments(self) -> Payments: ...

    @property
    def credit_notes(self) -> CreditNotes: ...

    @property
    def allocations(self) -> Allocations: ...

    @property
    def deposits(self) -> Deposits: ...

    @property
    def sequences(self) -> Sequences: ...

    @property
    def bank_accounts(self) -> BankAccounts: ...

    @property
    def bank_profiles(self) -> BankProfiles: ...

    @property
    def bank_statements(self) -> BankStatements: ...

    @property
    def bank_lines(self) -> BankLines: ...

    @property
    def reconciliation_decisions(self) -> ReconciliationDecisions: ...

    @property
    def iot_gateways(self) -> IotGateways: ...

    @property
    def iot_devices(self) -> IotDevices: ...

    @property
    def iot_readings(self) -> IotReadings: ...

    @property
    def iot_viewings(self) -> IotViewings: ...

    @property
    def iot_flags(self) -> IotFlags: ...

    @property
    def iot_facts(self) -> IotSignalFacts: ...

    @property
    def iot_audit(self) -> IotAudits: ...

    def commit(self) -> None:
        """Make every change of this unit of work durable at once."""

    def rollback(self) -> None:
        """Drop every change not yet committed."""

    def flush(self) -> None:
        """Send pending changes so generated ids are known, without committing."""

    def nested(self, savepoint: bool = True) -> AbstractContextManager[UnitOfWork]:
        """Run one use case inside this transaction: its commit only flushes, and with `savepoint` what it
        raises drops only its own work."""
