"""SQLAlchemy unit of work: one session, its repositories, commit and rollback."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from backend.db import field_repositories as field
from backend.db import leasing_repositories as leasing
from backend.db import repositories as repos
from backend.db import request_repositories as field_requests
from backend.domain.errors import N_, Conflict


class SqlAlchemyUnitOfWork:
    """Opened by the caller (a request, a CLI command, a job); services commit it."""

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._session_factory = session_factory
        self.session: Session | None = None

    def __enter__(self) -> SqlAlchemyUnitOfWork:
        session = self._session_factory()
        self.session = session
        self.regions = repos.RegionRepository(session)
        self.projects = repos.ProjectRepository(session)
        self.assets = repos.AssetRepository(session)
        self.customers = repos.CustomerRepository(session)
        self.users = repos.UserRepository(session)
        self.devices = repos.DeviceRepository(session)
        self.login_attempts = repos.LoginAttemptRepository(session)
        self.audit = repos.AuditRepository(session)
        self.templates = leasing.TemplateRepository(session)
        self.leases = leasing.LeaseRepository(session)
        self.charge_lines = leasing.ChargeLineRepository(session)
        self.schedules = leasing.ScheduleRepository(session)
        self.amendments = leasing.AmendmentRepository(session)
        self.code_aliases = leasing.CodeAliasRepository(session)
        self.price_indexes = leasing.PriceIndexRepository(session)
        self.approvals = leasing.ApprovalRepository(session)
        self.job_runs = leasing.JobRunRepository(session)
        self.notifications = leasing.NotificationRepository(session)
        self.events = leasing.DomainEventRepository(session)
        self.photos = repos.PhotoRepository(session)
        self.checklists = field.ChecklistRepository(session)
        self.inspections = field.InspectionRepository(session)
        self.board = field.BoardRepository(session)
        self.status_requests = field_requests.StatusChangeRequestRepository(session)
        self.gps_fixes = field_requests.GpsFixRepository(session)
        self.work_orders = field_requests.WorkOrderRepository(session)
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
        """Commit; a uniqueness or reference violation becomes a Conflict."""
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
            session.rollback()
            raise integrity_conflict(exc) from exc

    def rollback(self) -> None:
        """Drop uncommitted changes."""
        self._required_session().rollback()


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
