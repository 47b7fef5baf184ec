"""An in-memory unit of work for service tests: the storage semantics of the port, and no database.

The repositories do what their SQL counterparts do and nothing more: scope rows as the real scoping rule
does, look them up, give ids and defaults at the flush (every read flushes first, like the session's
autoflush), and raise NotFound where the real `get` does. The unit of work counts commits, keeps the state
of the last commit and returns to it on rollback, so a test can tell what a use case committed, and that
a refusal left nothing behind. Only what the status-request, inspection and amendment use cases call is
here; anything else fails loudly with an AttributeError.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from backend.core.domain.access import Assignment, Role, principal_from
from backend.core.domain.audit import Origin
from backend.core.services.context import Actor
from backend.org.domain.org import AssetKind, AssetType, ProjectCategory
from tests.support import fake_repositories as repos
from tests.support import fake_rows as rows
from tests.support.fake_rows import Row

R = TypeVar("R", bound=Row)
Committed = dict[str, dict[int, tuple[Row, dict[str, Any]]]]


class Store:
    """The tables by name and id, the rows staged since the last flush, and the state of the last commit."""

    def __init__(self) -> None:
        self.tables: dict[str, dict[int, Row]] = {}
        self.pending: list[Row] = []
        self.committed: Committed = {}
        self.seeded: set[tuple[str, int]] = set()
        self._ids: dict[str, itertools.count[int]] = {}

    def add(self, row: R) -> R:
        """Stage a new row with the new rows it holds."""
        row._store = self
        self.pending.append(row)
        for child in row.held():
            if child._store is None:
                self.add(child)
        return row

    def flush(self) -> None:
        """Give the staged rows their defaults and ids, store them, and point held rows at their holder."""
        staged, self.pending = self.pending, []
        for row in staged:
            row.fill_defaults()
            row.id = next(self._ids.setdefault(row.table, itertools.count(1)))
            self.tables.setdefault(row.table, {})[row.id] = row
        for row in staged:
            for name, key in row.collections.items():
                for child in getattr(row, name) if key else ():
                    setattr(child, key, row.id)

    def rows(self, table: str) -> list[Any]:
        """Every stored row of a table, by id (staged rows are flushed first)."""
        self.flush()
        return list(self.tables.get(table, {}).values())

    def find(self, table: str, row_id: int | None) -> Any | None:
        """One stored row by id."""
        self.flush()
        return self.tables.get(table, {}).get(row_id) if row_id is not None else None

    def delete(self, row: Row) -> None:
        """Remove a stored row."""
        self.flush()
        del self.tables[row.table][row.id]

    def commit(self) -> None:
        """Keep the current state as the committed one."""
        self.flush()
        self.committed = {
            table: {row_id: (row, row.saved()) for row_id, row in stored.items()}
            for table, stored in self.tables.items()
        }

    def rollback(self) -> None:
        """Return every row and every table to the committed state; ids once given are not given again."""
        self.pending.clear()
        committed = self.committed.items()
        self.tables = {table: {row_id: row for row_id, (row, _) in kept.items()} for table, kept in committed}
        for kept in self.committed.values():
            for row, state in kept.values():
                row.restore(state)

    def uncommitted(self) -> list[str]:
        """Every difference from the committed state, one line each."""
        changes = [f"{row.table}: a new row staged" for row in self.pending]
        for table in sorted(self.tables.keys() | self.committed.keys()):
            now, then = self.tables.get(table, {}), self.committed.get(table, {})
            changes += [f"{table} {row_id}: added" for row_id in sorted(now.keys() - then.keys())]
            changes += [f"{table} {row_id}: removed" for row_id in sorted(then.keys() - now.keys())]
            for row_id in sorted(now.keys() & then.keys()):
                before, after = then[row_id][1], now[row_id].saved()
                changes += [
                    f"{table} {row_id}: {name} {before[name]!r} -> {value!r}"
                    for name, value in after.items()
                    if value != before[name]
                ]
        return changes


# The unit of work -------------------------------------------------------------------------------


class FakeUnitOfWork:
    """The unit-of-work port in memory: `commits`, `written()` and `uncommitted()` tell what was done."""

    def __init__(self) -> None:
        self.store = Store()
        self.commits = 0
        self.projects = repos.Projects(self.store)
        self.assets = repos.Assets(self.store)
        self.audit = repos.AuditLog(self.store)
        self.users = repos.Users(self.store)
        self.approvals = repos.Approvals(self.store)
        self.job_runs = repos.JobRuns(self.store)
        self.events = repos.DomainEvents(self.store)
        self.deliveries = repos.Deliveries(self.store)
        self.push_subscriptions = repos.PushSubscriptions(self.store)
        self.status_requests = repos.StatusRequests(self.store)
        self.gps_fixes = repos.GpsFixes(self.store)
        self.photos = repos.Photos(self.store)
        self.checklists = repos.Checklists(self.store)
        self.inspections = repos.Inspections(self.store)
        self.leases = repos.Leases(self.store)
        self.charge_lines = repos.ChargeLines(self.store)
        self.schedules = repos.Schedules(self.store)
        self.amendments = repos.Amendments(self.store)
        self.code_aliases = repos.CodeAliases(self.store)
        self.price_indexes = repos.PriceIndexes(self.store)

    def commit(self) -> None:
        self.store.commit()
        self.commits += 1

    def rollback(self) -> None:
        self.store.rollback()

    def flush(self) -> None:
        self.store.flush()

    # What a test reads ---------------------------------------------------------------------------

    def seed(self, row: R) -> R:
        """Store a row (with the rows it holds) as if committed before the test began."""
        self._check_settled()
        self.store.add(row)
        self._take_as_given()
        return row

    def settle(self) -> None:
        """Take everything committed so far as given: counts and `written()` start again from here."""
        self._check_settled()
        self._take_as_given()

    def _check_settled(self) -> None:
        if self.uncommitted():
            raise AssertionError(f"uncommitted changes: {self.uncommitted()}")

    def _take_as_given(self) -> None:
        self.store.commit()
        self.store.seeded = {(table, i) for table, stored in self.store.tables.items() for i in stored}
        self.commits = 0

    def rows(self, table: str) -> list[Any]:
        """Every row of a table as it stands now."""
        return self.store.rows(table)

    def written(self, table: str) -> list[Any]:
        """The rows of a table stored since the test's data was given."""
        return [row for row in self.rows(table) if (table, row.id) not in self.store.seeded]

    def uncommitted(self) -> list[str]:
        """What differs from the last commit; empty when nothing does."""
        return self.store.uncommitted()


# The data a test starts from --------------------------------------------------------------------


class Given:
    """Rows stored before a use case runs, with plausible values unless a test says otherwise."""

    def __init__(self, uow: FakeUnitOfWork) -> None:
        self.uow = uow
        self._numbers = itertools.count(1)

    def region(self, **values: Any) -> Any:
        """A region."""
        return self.uow.seed(rows.Region(**{"code": f"R{next(self._numbers)}", "name": "华东区域"} | values))

    def project(self, region: Any, **values: Any) -> Any:
        """An office project in the region, on China's holiday calendar."""
        defaults = {
            "region_id": region.id,
            "code": f"P{next(self._numbers)}",
            "name": "陆家嘴中心",
            "city": "上海",
            "category": ProjectCategory.OFFICE,
            "timezone": "Asia/Shanghai",
            "holiday_calendar": "CN",
        }
        return self.uow.seed(rows.Project(**defaults | values))

    def asset(self, project: Any, **values: Any) -> Any:
        """An office unit of the project."""
        defaults = {
            "project_id": project.id,
            "code": f"A{next(self._numbers)}",
            "kind": AssetKind.SPACE,
            "asset_type": AssetType.OFFICE,
            "floor": "12",
            "area_m2": Decimal("120.50"),
        }
        return self.uow.seed(rows.Asset(**defaults | values))

    def user(
        self, role: Role | None = None, *, region: Any = None, project: Any = None, **values: Any
    ) -> Any:
        """A user holding one role (globally, or for the region or the project given), or none."""
        number = next(self._numbers)
        region_id = region.id if region is not None else None
        project_id = project.id if project is not None else None
        held = [rows.RoleAssignment(role=role, region_id=region_id, project_id=project_id)] if role else []
        defaults = {"username": f"user{number}", "display_name": f"User {number}", "password_hash": "-"}
        return self.uow.seed(rows.User(**defaults | values, role_assignments=held))

    def subscription(self, user: Any, **values: Any) -> Any:
        """A push subscription of the user."""
        number = next(self._numbers)
        defaults = {
            "user_id": user.id,
            "endpoint": f"https://push.example.com/{number}",
            "endpoint_hash": f"{number:064x}",
            "p256dh": "key",
            "auth": "secret",
        }
        return self.uow.seed(rows.PushSubscription(**defaults | values))

    def checklist(self, asset_type: AssetType, items: Sequence[Mapping[str, Any]], **values: Any) -> Any:
        """An active checklist version for an asset type, with its items in order."""
        held = [rows.ChecklistItem(position=n, **item) for n, item in enumerate(items, start=1)]
        defaults = {"code": f"CL{next(self._numbers)}", "name": "例行检查", "asset_type": asset_type}
        return self.uow.seed(rows.Checklist(**defaults | values, items=held))

    def photo(self, asset: Any, sha256: str) -> Any:
        """An uploaded photo of the asset."""
        return self.uow.seed(
            rows.Photo(
                sha256=sha256,
                asset_id=asset.id,
                storage_key=f"photos/{sha256}.jpg",
                thumbnail_key=f"thumbnails/{sha256}.jpg",
                content_type="image/jpeg",
                source_content_type="image/jpeg",
                width=1600,
                height=1200,
                size_bytes=250_000,
            )
        )

    def lease(
        self, project: Any, assets: Sequence[Any], charge_lines: Sequence[Mapping[str, Any]], **values: Any
    ) -> Any:
        """A lease of the assets with its charge lines (each its own series, version 1)."""
        lines = [
            rows.ChargeLine(series=series, version=1, **line) for series, line in enumerate(charge_lines, 1)
        ]
        defaults = {"number": f"{project.code}-2026-{next(self._numbers):04d}", "project_id": project.id}
        return self.uow.seed(rows.Lease(**defaults | values, assets=list(assets), charge_lines=lines))

    @staticmethod
    def actor(user: Any, origin: Origin = Origin.DEVICE, device_id: int | None = None) -> Actor:
        """The user signed in, with the roles they hold."""
        held = [Assignment(a.role, a.region_id, a.project_id) for a in user.role_assignments]
        return Actor(principal_from(user.id, user.username, held), origin, device_id=device_id)
