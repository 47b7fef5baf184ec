"""SQLAlchemy unit of work: one session, its repositories, commit and rollback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import TYPE_CHECKING

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from backend.analytics.db import repositories as analytics
from backend.banking.db import repositories as banking
from backend.collections.db import repositories as collections
from backend.core.db import repositories as core
from backend.core.domain.errors import N_, Conflict
from backend.field.db import repositories as field
from backend.iot.db import repositories as iot
from backend.leasing.db import repositories as leasing
from backend.notify.db import repositories as notify
from backend.org.db import repositories as org
from backend.receivables.db import repositories as receivables
from backend.reminders.db import repositories as reminders
from sync.db import repositories as sync

if TYPE_CHECKING:
    from backend.core.services.unit_of_work import UnitOfWork


class SqlAlchemyUnitOfWork:
    """Opened by the caller (a request, a CLI command, a job); services commit it.

    A caller that runs many use cases in one transaction (the sync push) runs each one `nested()`: the use
    case's commit then keeps its work in the caller's transaction, which the caller commits once.
    """

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory
        self.session: Session | None = None
        self._nested = 0

    def __enter__(self) -> SqlAlchemyUnitOfWork:  # noqa: PLR0915 - one line per repository
        session = self._session_factory()
        self.session = session
        self.regions = org.RegionRepository(session)
        self.projects = org.ProjectRepository(session)
        self.assets = org.AssetRepository(session)
        self.customers = org.CustomerRepository(session)
        self.users = core.UserRepository(session)
        self.devices = core.DeviceRepository(session)
        self.login_attempts = core.LoginAttemptRepository(session)
        self.audit = core.AuditRepository(session)
        self.templates = leasing.TemplateRepository(session)
        self.leases = leasing.LeaseRepository(session)
        self.charge_lines = leasing.ChargeLineRepository(session)
        self.schedules = leasing.ScheduleRepository(session)
        self.amendments = leasing.AmendmentRepository(session)
        self.code_aliases = leasing.CodeAliasRepository(session)
        self.price_indexes = leasing.PriceIndexRepository(session)
        self.calendar_years = leasing.CalendarYearRepository(session)
        self.lease_imports = leasing.LeaseImportRepository(session)
        self.approvals = core.ApprovalRepository(session)
        self.job_runs = core.JobRunRepository(session)
        self.job_slots = core.JobSlotRepository(session)
        self.notifications = notify.NotificationRepository(session)
        self.events = core.DomainEventRepository(session)
        self.photos = field.PhotoRepository(session)
        self.checklists = field.ChecklistRepository(session)
        self.inspections = field.InspectionRepository(session)
        self.board = org.BoardRepository(session)
        self.status_requests = field.StatusChangeRequestRepository(session)
        self.gps_fixes = field.GpsFixRepository(session)
        self.work_orders = field.WorkOrderRepository(session)
        self.sync = sync.SyncRepository(session)
        self.push_subscriptions = notify.PushSubscriptionRepository(session)
        self.deliveries = notify.DeliveryRepository(session)
        self.channel_endpoints = notify.ChannelEndpointRepository(session)
        self.notification_preferences = notify.PreferenceRepository(session)
        self.portfolio = analytics.PortfolioRepository(session)
        self.lease_tags = leasing.LeaseTagMarkRepository(session)
        self.reminders = reminders.ReminderRepository(session)
        self.reminder_tasks = reminders.ReminderTaskRepository(session)
        self.charges = receivables.ChargeRepository(session)
        self.dunning = collections.DunningRepository(session)
        self.dunning_standings = collections.StandingRepository(session)
        self.conduct = collections.ConductRepository(session)
        self.dunning_notices = collections.NoticeRepository(session)
        self.payment_promises = collections.PromiseRepository(session)
        self.grace_periods = collections.GraceRepository(session)
        self.disputes = collections.DisputeRepository(session)
        self.collection_cases = collections.CaseRepository(session)
        self.collection_tasks = collections.TaskRepository(session)
        self.device_locks = collections.DeviceLockRepository(session)
        self.credit_consents = collections.CreditConsentRepository(session)
        self.credit_signals = collections.CreditSignalRepository(session)
        self.payments = receivables.PaymentRepository(session)
        self.credit_notes = receivables.CreditNoteRepository(session)
        self.allocations = receivables.AllocationRepository(session)
        self.deposits = receivables.DepositRepository(session)
        self.sequences = receivables.SequenceRepository(session)
        self.bank_accounts = banking.BankAccountRepository(session)
        self.bank_profiles = banking.BankProfileRepository(session)
        self.bank_statements = banking.BankStatementRepository(session)
        self.bank_lines = banking.BankLineRepository(session)
        self.reconciliation_decisions = banking.DecisionRepository(session)
        self.iot_gateways = iot.GatewayRepository(session)
        self.iot_devices = iot.DeviceRepository(session)
        self.iot_readings = iot.ReadingRepository(session)
        self.iot_viewings = iot.ViewingRepository(session)
        self.iot_flags = iot.FlagRepository(session)
        self.iot_facts = iot.SignalFactsRepository(session)
        self.iot_audit = iot.AuditRepository(session)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self.session is not None
        self.session.rollback()
        self.session.close()
        self.session = None

    def _required_session(self) -> Session:
        if self.session is None:
            raise RuntimeError("unit of work used outside its `with` block")
        return self.session

    def commit(self) -> None:
        """Commit; a uniqueness or reference clash becomes a Conflict.

        Inside `nested()` it only flushes: the work commits with the caller's transaction.
        """
        if self._nested:
            self.flush()
            return
        session = self._required_session()
        try:
            session.commit()
        except IntegrityError as exc:
            session.rollback()
            raise integrity_conflict(exc) from exc

    def flush(self) -> None:
        """Flush; a uniqueness or reference violation becomes a Conflict."""
        session = self._required_session()
        try:
            session.flush()
        except IntegrityError as exc:
            if not self._nested:
                session.rollback()
            raise integrity_conflict(exc) from exc

    def rollback(self) -> None:
        """Drop uncommitted changes (and the notifications staged with them)."""
        if self._nested:
            raise RuntimeError("a use case run nested refuses by raising; its caller drops its work")
        self._required_session().rollback()

    @contextmanager
    def nested(self, savepoint: bool = True) -> Iterator[SqlAlchemyUnitOfWork]:
        """Run one use case inside this transaction; what it raises drops its work (and its notifications).

        With `savepoint` the use case gets one of its own, so only its work is dropped and the transaction
        goes on. Without, nothing is dropped: the caller must roll the whole transaction back when it raises.
        """
        session = self._required_session()
        point = session.begin_nested() if savepoint else None
        self._nested += 1
        try:
            yield self
        except BaseException:
            if point is not None and point.is_active:
                point.rollback()
            raise
        else:
            if point is not None and point.is_active:
                point.commit()
        finally:
            self._nested -= 1


if TYPE_CHECKING:
    # The port, checked structurally: every repository offers what the services call.
    _implements_port: type[UnitOfWork] = SqlAlchemyUnitOfWork


def integrity_conflict(exc: IntegrityError) -> Conflict:
    """Name the kind of clash without leaking SQL."""
    text = str(exc.orig).lower()
    if "unique" in text or "duplicate key" in text:
        return Conflict(N_("A record with the same unique value already exists."))
    if "foreign key" in text:
        return Conflict(
            N_("The record is still referenced by other records, or refers to one that is missing.")
        )
    return Conflict(N_("The change conflicts with existing data."))


def is_transient(exc: BaseException) -> bool:
    """Whether a failure is the database's, worth retrying later (down, locked, serialisation, deadlock)."""
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def is_refused_value(exc: BaseException) -> bool:
    """Whether the database refused a value for good (out of range, a constraint): retrying cannot help."""
    return isinstance(exc, DataError | IntegrityError)
