"""SQLAlchemy unit of work: one session, its repositories, commit and rollback."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import DataError, DBAPIError, IntegrityError, InterfaceError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from backend.core.db import repositories as core
from backend.core.domain.errors import N_, Conflict
from backend.field.db import repositories as field
from backend.leasing.db import repositories as leasing
from backend.notify.db import repositories as notify
from backend.org.db import repositories as org
from sync.db import repositories as sync

if TYPE_CHECKING:
    from backend.core.services.unit_of_work import UnitOfWork


class SqlAlchemyUnitOfWork:
    """Opened by the caller (a request, a CLI command, a job); services commit it."""

    def __init__(
        self, session_factory: sessionmaker[Session], push_dispatcher: notify.PushDispatcher | None = None
    ) -> None:
        self._session_factory = session_factory
        self._push_dispatcher = push_dispatcher
        self.session: Session | None = None

    def __enter__(self) -> SqlAlchemyUnitOfWork:
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
        self.approvals = core.ApprovalRepository(session)
        self.job_runs = core.JobRunRepository(session)
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
        self.push_outbox = notify.PushOutbox(self._push_dispatcher)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self.session is not None
        self.push_outbox.clear()
        self.session.rollback()
        self.session.close()
        self.session = None

    def _required_session(self) -> Session:
        if self.session is None:
            raise RuntimeError("unit of work used outside its `with` block")
        return self.session

    def commit(self) -> None:
        """Commit, then hand the staged pushes over; a uniqueness or reference clash becomes a Conflict."""
        session = self._required_session()
        try:
            session.commit()
        except IntegrityError as exc:
            session.rollback()
            self.push_outbox.clear()
            raise integrity_conflict(exc) from exc
        self.push_outbox.release()

    def flush(self) -> None:
        """Flush; a uniqueness or reference violation becomes a Conflict."""
        session = self._required_session()
        try:
            session.flush()
        except IntegrityError as exc:
            session.rollback()
            raise integrity_conflict(exc) from exc

    def rollback(self) -> None:
        """Drop uncommitted changes (and the pushes staged with them)."""
        self._required_session().rollback()
        self.push_outbox.clear()

    def staged(self) -> StagedUnitOfWork:
        """A unit of work for one service call whose commits stay inside this transaction."""
        return StagedUnitOfWork(self)

    def inline(self) -> InlineUnitOfWork:
        """A unit of work for one service call that adds to this transaction, with no savepoint of its own."""
        return InlineUnitOfWork(self)


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


class StagedUnitOfWork:
    """A service's unit of work inside the caller's transaction: its `commit()` only closes a savepoint.

    The sync engine runs an unchanged service use case with it, then commits the device's applied sequence
    together with the effect: both land in one transaction or neither does. What the service committed
    before refusing (it may commit an expiry, then raise) is kept; what it staged after is dropped, exactly
    as with a real commit.
    """

    def __init__(self, outer: SqlAlchemyUnitOfWork) -> None:
        self._outer = outer
        self._session = outer._required_session()
        self._savepoint = self._session.begin_nested()
        self._push_mark = outer.push_outbox.mark()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._outer, name)

    def _restart(self) -> None:
        self._savepoint = self._session.begin_nested()
        self._push_mark = self._outer.push_outbox.mark()

    def _drop_pushes(self) -> None:
        self._outer.push_outbox.drop_after(self._push_mark)

    def flush(self) -> None:
        """Flush; a uniqueness or reference violation drops this savepoint's work and becomes a Conflict."""
        try:
            self._session.flush()
        except IntegrityError as exc:
            self._savepoint.rollback()
            self._drop_pushes()
            self._restart()
            raise integrity_conflict(exc) from exc

    def commit(self) -> None:
        """Keep everything staged so far (released into the outer transaction)."""
        self.flush()
        self._savepoint.commit()
        self._restart()

    def rollback(self) -> None:
        """Drop what was staged since the last commit."""
        self._savepoint.rollback()
        self._drop_pushes()
        self._restart()

    def discard(self) -> None:
        """Drop what was staged since the last commit, and end the staging."""
        if self._savepoint.is_active:
            self._savepoint.rollback()
        self._drop_pushes()

    def finish(self) -> None:
        """Keep everything staged, and end the staging."""
        self.flush()
        self._savepoint.commit()


class SavepointRequired(Exception):
    """An inline service call asked to drop part of its work, which only a savepoint of its own can do."""


class InlineUnitOfWork:
    """A service's unit of work whose `commit()` only flushes into the caller's transaction.

    For a caller that applies many calls in one transaction and, should any of them fail, rolls the whole
    transaction back and applies them again each on its own savepoint (`staged`): the calls then cost no
    savepoint while none fails.
    """

    def __init__(self, outer: SqlAlchemyUnitOfWork) -> None:
        self._outer = outer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._outer, name)

    def commit(self) -> None:
        """Keep everything so far (flushed): it commits with the caller's transaction."""
        self._outer.flush()

    def rollback(self) -> None:
        """Dropping part of the transaction needs a savepoint: the caller applies the calls again staged."""
        raise SavepointRequired()


def is_transient(exc: BaseException) -> bool:
    """Whether a failure is the database's, worth retrying later (down, locked, serialisation, deadlock)."""
    if isinstance(exc, OperationalError | InterfaceError):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def is_refused_value(exc: BaseException) -> bool:
    """Whether the database refused a value for good (out of range, a constraint): retrying cannot help."""
    return isinstance(exc, DataError | IntegrityError)
