"""Storage ports of the IoT: gateways, devices, readings, viewings, flags, the facts the audit compares, and
the audit's runs and findings."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from backend.core.domain.access import Scope
from backend.core.domain.listing import ListQuery
from backend.core.services.ports import Lookup
from backend.iot.domain.flags import FlagKind
from backend.iot.domain.signals import DoorEventKind, Point


class Rows(Lookup, Protocol):
    """A scoped repository of one kind of row."""

    def find(self, entity_id: int) -> Any | None:
        """One row by id, unscoped."""

    def page(self, scope: Scope, query: ListQuery) -> tuple[Sequence[Any], int]:
        """A page of rows within the scope and filters, and the total."""

    def create(self, **values: Any) -> Any:
        """Stage a new row."""

    def delete(self, entity: Any) -> None:
        """Remove a row."""


class IotGateways(Rows, Protocol):
    """Gateways, scoped by their project."""

    def by_token_hash(self, token_hash: str) -> Any | None:
        """The gateway a token belongs to, revoked or not."""

    def seen(self, gateway_id: int, at: datetime) -> None:
        """Note when a gateway last sent something."""


class IotDevices(Rows, Protocol):
    """Meters and door sensors, scoped by their project."""

    def of_gateway(self, gateway_id: int, codes: Collection[str]) -> dict[str, Any]:
        """A gateway's devices by code, among the given codes."""

    def by_code(self, code: str) -> Any | None:
        """A device by its code."""

    def of_assets(self, asset_ids: Collection[int]) -> list[Any]:
        """Every device linked to the given assets."""

    def advance(self, marks: Sequence[Mapping[str, Any]]) -> None:
        """Move devices' newest reading forward ({id, at, value}); the devices already read show it too."""


class IotReadings(Protocol):
    """Meter readings and door events."""

    def stored_at(self, keys: Collection[tuple[int, datetime]]) -> dict[tuple[int, datetime], Decimal]:
        """The values already stored at exact (device, time) pairs."""

    def around(self, device_id: int, at: datetime) -> tuple[Point | None, Point | None]:
        """A device's stored readings just before and just after a time."""

    def add_readings(self, rows: Sequence[Mapping[str, Any]]) -> set[tuple[int, datetime]]:
        """Store readings, leaving those already there; what was new."""

    def add_door_events(self, rows: Sequence[Mapping[str, Any]]) -> set[tuple[int, datetime, DoorEventKind]]:
        """Store door events, leaving repeats; what was new."""

    def histories(self, asset_ids: Collection[int], since: datetime) -> dict[int, list[Point]]:
        """Each device's readings of these assets since a time, sorted by time."""

    def door_opens(self, asset_ids: Collection[int], since: datetime) -> dict[int, list[datetime]]:
        """Each asset's door openings since a time."""

    def mark_dirty(self, asset_ids: Collection[int], at: datetime) -> None:
        """Note assets whose signals changed."""

    def dirty(self, limit: int) -> list[int]:
        """Assets waiting for their flags, oldest first."""

    def clean(self, asset_ids: Collection[int], before: datetime) -> None:
        """Forget assets whose flags were recomputed."""


class IotViewings(Rows, Protocol):
    """Viewing appointments, scoped by their project."""

    def windows(
        self, asset_ids: Collection[int], since: datetime
    ) -> dict[int, list[tuple[datetime, datetime]]]:
        """Each asset's viewings since a time."""


class IotFlags(Rows, Protocol):
    """Flags, scoped by their project."""

    def open_of(self, asset_ids: Collection[int]) -> dict[tuple[int, FlagKind], Any]:
        """The open (or answered) flags of assets, by (asset, kind)."""

    def dismissed_until(self, asset_ids: Collection[int]) -> dict[int, dict[FlagKind, date]]:
        """Per asset and kind, the last day of evidence a dismissal set aside."""

    def add(self, **values: Any) -> Any:
        """Stage a new flag."""

    def open_in_projects(self, project_ids: Collection[int]) -> dict[int, list[tuple[int, str]]]:
        """Per asset, its open flags (id, kind)."""


class IotSignalFacts(Protocol):
    """What flags and the audit read of other contexts' rows."""

    def assets(
        self, project_ids: Collection[int] | None, asset_ids: Collection[int] | None = None
    ) -> list[Any]:
        """Assets with their project's zone and calendar."""

    def lettings(self, asset_ids: Collection[int]) -> dict[int, list[tuple[date, date, int, str, str]]]:
        """Per asset, the leases that let it: (first day, last day, lease id, number, status)."""

    def open_work_orders(self, asset_ids: Collection[int]) -> dict[int, list[tuple[int, str]]]:
        """Per asset, its open or started work orders."""

    def visits(
        self, asset_ids: Collection[int], since: datetime
    ) -> dict[int, list[tuple[datetime, datetime]]]:
        """Per asset, when our own people were there."""

    def pending_requests(self, project_ids: Collection[int]) -> dict[int, list[Any]]:
        """Per asset, its pending field requests."""

    def last_confirmations(self, project_ids: Collection[int]) -> dict[int, datetime]:
        """Per asset, the last on-site proof of what it is."""

    def project_managers(self, project_ids: Collection[int]) -> dict[int, list[int]]:
        """Per project, its active project managers."""

    def projects(self, project_ids: Collection[int] | None = None) -> list[Any]:
        """Projects with their region's name."""


class IotAudits(Protocol):
    """Audit runs and their findings."""

    def add_run(self, **values: Any) -> Any:
        """Stage a run."""

    def run(self, run_id: int) -> Any | None:
        """A run by id."""

    def runs(self, limit: int) -> list[Any]:
        """The newest runs."""

    def latest_done(self, period: str, before_id: int | None = None) -> Any | None:
        """The last finished run of a period."""

    def set_progress(self, run_id: int, done: int, total: int) -> None:
        """Record how far a run has come."""

    def claim(self, now: datetime, run_id: int | None = None) -> int | None:
        """Take the oldest queued run, or the one named."""

    def finish(
        self, run_id: int, state: str, at: datetime, tallies: Mapping[str, Any], *, error: str | None = None,
        as_of: date | None = None,
    ) -> None:  # fmt: skip
        """Close a run."""

    def add_findings(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Store findings."""

    def findings(
        self, run_id: int, scope: Scope, filters: Mapping[str, Any], page: int | None, per_page: int
    ) -> tuple[list[Any], int]:
        """A run's findings in a scope."""

    def finding(self, finding_id: int) -> Any | None:
        """A finding by id."""

    def tasks_of(self, user_id: int, state: Any | None) -> list[Any]:
        """A person's findings to handle."""

    def asset_labels(self, asset_ids: Collection[int]) -> dict[int, tuple[str, str, str]]:
        """Asset code, project code and name, by asset id."""
