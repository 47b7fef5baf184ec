"""Seeding demo data into a migrated SQLite database: counts, ids, audit trail, atomicity, sign-in."""

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from backend.adapters import passwords
from backend.core.db import migrate
from backend.core.db.database import Database
from backend.core.db.models import RoleAssignment
from backend.core.domain.access import Assignment, Role, Scope
from backend.core.domain.audit import AuditAction, Origin
from backend.core.domain.errors import AuthenticationRequired
from backend.core.domain.listing import ListQuery
from backend.core.domain.login import LoginPolicy
from backend.core.services import auth
from backend.core.services.context import Actor
from backend.demo.generator import DEFAULT_SEED, DEMO_PASSWORD, REFERENCE_DAY, generate
from backend.demo.leasing import asset_status
from backend.demo.seed import BATCH_SIZE, DemoSummary, seed_demo
from backend.leasing.db.models import (
    ChargeLine,
    Concession,
    ContractTemplate,
    Lease,
    ScheduleItem,
    lease_assets,
)
from backend.leasing.domain.leases import SCHEDULED, LeaseStatus
from backend.leasing.services import schedules
from backend.org.db.models import Asset, CustomerContact

EVERYTHING = Scope(everything=True)
ONE = ListQuery(page_size=1)
CLI = Actor.system(Origin.CLI, "demo")
WEB = Actor(principal=None, origin=Origin.WEB, ip="127.0.0.1")


@pytest.fixture(scope="module", autouse=True)
def _cheap_hashing() -> Iterator[None]:
    # Argon2 at production cost would dominate the run; the original hasher comes back afterwards.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "_hasher", passwords._hasher)
        passwords.configure(1, 1024, 1)
        yield


def _database(directory: Path) -> Database:
    url = f"sqlite:///{directory / 'demo.db'}"
    migrate.upgrade(url)
    return Database(url)


@pytest.fixture
def empty_database(tmp_path: Path) -> Iterator[Database]:
    database = _database(tmp_path)
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Database, DemoSummary]]:
    database = _database(tmp_path_factory.mktemp("seeded"))
    with database.unit_of_work() as uow:
        summary = seed_demo(1, CLI, uow, today=REFERENCE_DAY)
    assert summary is not None
    yield database, summary
    database.dispose()


def _totals(database: Database) -> dict[str, int]:
    with database.unit_of_work() as uow:
        repositories = {
            "regions": uow.regions,
            "projects": uow.projects,
            "assets": uow.assets,
            "customers": uow.customers,
            "users": uow.users,
            "audit_entries": uow.audit,
        }
        return {name: repository.page(EVERYTHING, ONE)[1] for name, repository in repositories.items()}


def test_seeding_an_empty_database_writes_every_entity_and_one_audit_entry_each(
    seeded: tuple[Database, DemoSummary],
) -> None:
    database, summary = seeded
    data = generate(1, DEFAULT_SEED)
    totals = _totals(database)
    assert totals["regions"] == summary.regions == 3
    assert totals["projects"] == summary.projects == 12
    assert totals["assets"] == summary.assets == data.asset_count
    assert totals["customers"] == summary.customers == 600
    assert totals["users"] == summary.users == len(data.users)
    leases = list(data.leases())
    assert summary.templates == 5
    assert summary.checklists == 9
    assert summary.leases == len(leases) > 1_000
    created = (
        summary.regions
        + summary.projects
        + summary.assets
        + summary.customers
        + summary.users
        + summary.templates
        + summary.leases
        + summary.checklists
    )
    assert summary.audit_entries == created
    with database.unit_of_work() as uow:
        query = ListQuery(filters={"action": AuditAction.CREATE, "origin": Origin.CLI}, page_size=1)
        assert uow.audit.page(EVERYTHING, query)[1] == created
        session = uow.session
        assert session is not None
        assert session.scalar(select(func.count()).select_from(CustomerContact)) == summary.contacts
        assert session.scalar(select(func.count()).select_from(RoleAssignment)) == summary.role_assignments
        assert session.scalar(select(func.count()).select_from(ContractTemplate)) == 5
        assert session.scalar(select(func.count()).select_from(Lease)) == summary.leases
        assert session.scalar(select(func.count()).select_from(ChargeLine)) == summary.charge_lines
        assert session.scalar(select(func.count()).select_from(Concession)) == summary.concessions
        assert session.scalar(select(func.count()).select_from(ScheduleItem)) == summary.schedule_items


def test_seeded_rows_read_back_with_the_generated_values(seeded: tuple[Database, DemoSummary]) -> None:
    database, _ = seeded
    data = generate(1, DEFAULT_SEED)
    expected_asset = next(data.assets())
    expected_customer = next(data.customers())
    with database.unit_of_work() as uow:
        assets, _ = uow.assets.page(EVERYTHING, ListQuery(filters={"q": expected_asset.code}))
        asset = next(a for a in assets if a.code == expected_asset.code)
        assert asset.project.code == expected_asset.project_code
        assert uow.regions.get(asset.project.region_id, EVERYTHING).code == "EAST"
        assert (asset.status, asset.area_m2, asset.latitude) == (
            expected_asset.status,
            expected_asset.area_m2,
            expected_asset.latitude,
        )
        assert asset.project.geofence == data.projects[0].geofence
        customers, _ = uow.customers.page(EVERYTHING, ListQuery(filters={"q": expected_customer.code}))
        customer = customers[0]
        assert customer.name == expected_customer.name
        assert [c.phone for c in customer.contacts] == [c.phone for c in expected_customer.contacts]
        assert [b.account_number for b in customer.bank_accounts] == [
            b.account_number for b in expected_customer.bank_accounts
        ]
        assert [p.name for p in customer.payer_names] == list(expected_customer.payer_names)


def test_audit_entries_carry_ids_scope_and_the_created_values(seeded: tuple[Database, DemoSummary]) -> None:
    database, _ = seeded
    with database.unit_of_work() as uow:
        asset = uow.assets.page(EVERYTHING, ONE)[0][0]
        query = ListQuery(filters={"entity_type": "asset", "entity_id": str(asset.id)})
        entries, total = uow.audit.page(EVERYTHING, query)
        assert total == 1
        entry = entries[0]
        assert (entry.project_id, entry.region_id) == (asset.project_id, asset.project.region_id)
        assert (entry.actor_name, entry.actor_user_id) == (CLI.name, None)
        assert entry.after["code"] == asset.code
        assert entry.after["area_m2"] == str(asset.area_m2)
        assert entry.before is None
        user_entries, _ = uow.audit.page(EVERYTHING, ListQuery(filters={"entity_type": "user"}))
        assert all("password_hash" not in e.after for e in user_entries)


def test_demo_users_hold_their_roles_and_report_to_their_managers(
    seeded: tuple[Database, DemoSummary],
) -> None:
    database, _ = seeded
    with database.unit_of_work() as uow:
        project = uow.projects.page(EVERYTHING, ListQuery(filters={"q": "SH-LJZ"}))[0][0]
        region = uow.regions.page(EVERYTHING, ListQuery(filters={"code": "EAST"}))[0][0]
        users = {
            name: uow.users.by_username(name)
            for name in ("admin", "rm.east", "pm.sh-ljz", "inspector.sh-ljz")
        }
        assert users["admin"].assignments() == [Assignment(Role.ADMIN)]
        assert users["rm.east"].assignments() == [Assignment(Role.REGIONAL_MANAGER, region_id=region.id)]
        assert users["pm.sh-ljz"].assignments() == [Assignment(Role.PROJECT_MANAGER, project_id=project.id)]
        assert users["pm.sh-ljz"].manager_id == users["rm.east"].id
        assert users["inspector.sh-ljz"].manager_id == users["pm.sh-ljz"].id
        hashes = {user.password_hash for user in uow.users.page(EVERYTHING, ListQuery(page_size=100))[0]}
        assert len(hashes) == 1


def test_a_demo_user_signs_in_with_the_demo_password(seeded: tuple[Database, DemoSummary]) -> None:
    database, _ = seeded
    now = datetime.now(UTC)
    with database.unit_of_work() as uow:
        user = auth.login("PM.SH-LJZ", DEMO_PASSWORD, WEB, LoginPolicy(), now, uow)
        assert user.username == "pm.sh-ljz"
        assert auth.principal_of(user).roles == {Role.PROJECT_MANAGER}
    with database.unit_of_work() as uow, pytest.raises(AuthenticationRequired):
        auth.login("admin", "not-the-demo-password", WEB, LoginPolicy(), now, uow)


def test_seeding_again_returns_none_and_writes_nothing(seeded: tuple[Database, DemoSummary]) -> None:
    database, _ = seeded
    before = _totals(database)
    with database.unit_of_work() as uow:
        assert seed_demo(1, CLI, uow) is None
    assert _totals(database) == before


def test_a_database_with_only_a_user_is_not_seeded(empty_database: Database) -> None:
    with empty_database.unit_of_work() as uow:
        uow.users.create(username="someone", display_name="someone", password_hash="x")
        uow.commit()
    with empty_database.unit_of_work() as uow:
        assert seed_demo(1, CLI, uow) is None
    assert _totals(empty_database)["regions"] == 0


def test_a_failure_midway_leaves_nothing_behind(empty_database: Database) -> None:
    def fail_at_assets(stage: str, _done: int, _total: int) -> None:
        if stage == "assets":
            raise RuntimeError("disk full")

    with empty_database.unit_of_work() as uow, pytest.raises(RuntimeError, match="disk full"):
        seed_demo(1, CLI, uow, progress=fail_at_assets)
    assert set(_totals(empty_database).values()) == {0}
    with empty_database.unit_of_work() as uow:
        assert seed_demo(1, CLI, uow) is not None


def test_progress_is_reported_per_batch_up_to_each_stage_total(empty_database: Database) -> None:
    calls: list[tuple[str, int, int]] = []
    with empty_database.unit_of_work() as uow:
        seed_demo(2, CLI, uow, progress=lambda stage, done, total: calls.append((stage, done, total)), seed=5)
    stages = list(dict.fromkeys(stage for stage, _, _ in calls))
    assert stages == ["regions", "projects", "users", "assets", "customers", "templates", "leases"]
    for stage in stages:
        reports = [(done, total) for name, done, total in calls if name == stage]
        done_values = [done for done, _ in reports]
        assert done_values == sorted(done_values)
        assert reports[-1][0] == reports[-1][1]
        steps = [b - a for a, b in zip([0, *done_values], done_values, strict=False)]
        assert max(steps) <= BATCH_SIZE
    assert len([call for call in calls if call[0] == "assets"]) >= 2


def test_the_summary_names_the_password_and_a_login_per_role(seeded: tuple[Database, DemoSummary]) -> None:
    _, summary = seeded
    text = summary.describe()
    assert DEMO_PASSWORD in text
    assert {login.role for login in summary.logins} == set(Role)
    assert len(summary.logins) <= 12
    for username in ("admin", "director", "rm.east", "pm.sh-ljz", "inspector.sh-ljz", "finance.east"):
        assert f"  {username} " in text
    assert "陆家嘴金融中心" in text


def test_seeding_gives_the_same_counts_and_logins_on_sqlite_and_postgresql(database_url: str) -> None:
    database = Database(database_url)
    try:
        with database.unit_of_work() as uow:
            summary = seed_demo(1, CLI, uow)
        assert summary is not None
        assert _totals(database) == {
            "regions": 3,
            "projects": 12,
            "assets": generate(1).asset_count,
            "customers": 600,
            "users": summary.users,
            "audit_entries": summary.audit_entries,
        }
        with database.unit_of_work() as uow:
            user = auth.login("finance.south", DEMO_PASSWORD, WEB, LoginPolicy(), datetime.now(UTC), uow)
            assert [a.role for a in user.assignments()] == [Role.FINANCE]
    finally:
        database.dispose()


def _session(uow: object) -> Session:
    session = getattr(uow, "session", None)
    assert isinstance(session, Session)
    return session


def test_asset_statuses_agree_with_the_leases_on_them(seeded: tuple[Database, DemoSummary]) -> None:
    database, _ = seeded
    with database.unit_of_work() as uow:
        session = _session(uow)
        pairs = session.execute(
            select(Asset.status, Lease.status)
            .join(lease_assets, lease_assets.c.asset_id == Asset.id)
            .join(Lease, Lease.id == lease_assets.c.lease_id)
        ).all()
        assert len(pairs) > 1_000
        for asset, lease in pairs:
            assert asset == asset_status(lease)
        unlet = session.scalars(
            select(Asset.status).where(Asset.id.not_in(select(lease_assets.c.asset_id)))
        ).all()
        assert "leased" not in unlet
        assert "pending_delivery" not in unlet


def _money(item: Any) -> tuple[date, str, str, bool, Decimal, date]:
    return (
        item.period_start,
        str(item.charge_type),
        item.line_key,
        item.is_concession,
        item.amount,
        item.due_date,
    )


def test_every_signed_lease_has_the_schedule_the_engine_makes_and_no_other_lease_has_one(
    seeded: tuple[Database, DemoSummary],
) -> None:
    database, _ = seeded
    with database.unit_of_work() as uow:
        session = _session(uow)
        counts = dict(
            session.execute(select(ScheduleItem.lease_id, func.count()).group_by(ScheduleItem.lease_id)).all()
        )
        statuses = dict(session.execute(select(Lease.id, Lease.status)).all())
        for lease_id, status in statuses.items():
            assert (lease_id in counts) == (status in SCHEDULED), (lease_id, status)
        # The stored schedule is what the service would produce from the stored lease.
        sample = sorted(counts)[::97]
        for lease_id in sample:
            lease = uow.leases.get(lease_id, EVERYTHING)
            planned = schedules.plan(lease, uow).items
            stored = uow.schedules.of_lease(lease_id)
            assert sorted(_money(item) for item in planned) == sorted(_money(item) for item in stored)


def test_demo_leases_include_expiring_free_rent_escalating_and_multi_asset_ones(
    seeded: tuple[Database, DemoSummary],
) -> None:
    database, _ = seeded
    with database.unit_of_work() as uow:
        session = _session(uow)
        statuses = Counter(session.scalars(select(Lease.status)).all())
        assert statuses[LeaseStatus.ACTIVE] > statuses[LeaseStatus.EXPIRING] > 0
        assert all(statuses[status] > 0 for status in LeaseStatus if status not in {"renewed", "terminated"})
        expiring_ends = session.scalars(select(Lease.ends_on).where(Lease.status == "expiring")).all()
        assert all(REFERENCE_DAY < end < REFERENCE_DAY + timedelta(days=60) for end in expiring_ends)
        free = session.scalars(select(Concession.percent)).all()
        assert free
        assert set(free) == {100}
        assert session.scalar(select(func.count()).where(ScheduleItem.is_concession.is_(True))) > 0
        stepped = session.scalar(select(func.count()).where(ChargeLine.version > 1))
        assert stepped is not None
        assert stepped > 50
        multi = session.execute(
            select(lease_assets.c.lease_id).group_by(lease_assets.c.lease_id).having(func.count() > 1)
        ).all()
        assert multi
        assert session.scalar(select(func.count()).where(Lease.customer_id.is_(None))) == 0


def test_seeding_without_a_day_uses_today_in_the_demo_time_zone(empty_database: Database) -> None:
    with empty_database.unit_of_work() as uow:
        summary = seed_demo(1, CLI, uow)
    assert summary is not None
    assert summary.today is not None
    assert abs(summary.today - datetime.now(UTC).date()) <= timedelta(days=1)
    assert f"as of {summary.today}" in summary.describe()
    assert isinstance(summary.today, date)
