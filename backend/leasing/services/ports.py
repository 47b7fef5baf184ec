"""Storage ports of leasing: templates, leases, charge lines, schedules, amendments, codes, price indexes."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from backend.core.domain.access import Scope
from backend.core.domain.listing import ListQuery
from backend.core.services.ports import Lookup
from backend.leasing.domain.leases import LeaseStatus


class Templates(Lookup, Protocol):
    """Contract templates, shared by every project."""

    def page(self, scope: Scope, query: ListQuery) -> tuple[Sequence[Any], int]:
        """A page of templates within the scope, and the total."""

    def by_values(self, field: str, values: Collection[Any], scope: Scope) -> dict[Any, Any]:
        """Templates inside the scope whose unique `field` holds one of the values, keyed by that value."""

    def create(self, **values: Any) -> Any:
        """Stage a new template."""

    def bulk_create(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert many templates at once (seeding)."""

    def ids_by(self, field: str, values: Collection[Any]) -> dict[Any, int]:
        """Ids of the templates whose unique `field` holds one of the values."""


class Leases(Lookup, Protocol):
    """Leases with their project, assets, charge lines and concessions, scoped by project."""

    def customers_of_all(self) -> list[tuple[int, int]]:
        """(lease id, customer id) of every lease with a customer."""

    def find(self, entity_id: int) -> Any | None:
        """One lease by id, unscoped."""

    def page(self, scope: Scope, query: ListQuery) -> tuple[Sequence[Any], int]:
        """A page of leases within the scope, and the total."""

    def count(self, scope: Scope, query: ListQuery) -> int:
        """How many leases within the scope pass the query's filters."""

    def export_rows(self, scope: Scope, query: ListQuery, limit: int) -> list[Any]:
        """The leases of a list query as flat rows (names instead of ids), in its order."""

    def asset_codes_of(self, lease_ids: Collection[int]) -> dict[int, list[str]]:
        """The codes of each lease's assets, in code order, by lease id."""

    def many(self, lease_ids: Sequence[int], scope: Scope) -> list[Any]:
        """The visible leases among the ids, in id order."""

    def ids_in(self, statuses: Sequence[LeaseStatus], project_id: int | None = None) -> list[int]:
        """Ids of every lease in one of the statuses (of one project, or all), in id order."""

    def ids_indexed(self, statuses: Sequence[LeaseStatus], series: str | None = None) -> list[int]:
        """Ids of the leases in the statuses with a CPI line in force (on one index series, or any)."""

    def ids_by(self, field: str, values: Collection[Any]) -> dict[Any, int]:
        """Ids of the leases whose unique `field` holds one of the values."""

    def binding_overlaps(
        self, asset_ids: Sequence[int], starts_on: date, ends_on: date, exclude_id: int | None
    ) -> list[tuple[str, str]]:
        """(lease number, asset code) of binding leases holding any of the assets during the dates."""

    def count_numbered(self, prefix: str) -> int:
        """How many leases carry a number with this prefix."""

    def create(self, **values: Any) -> Any:
        """Stage a new lease."""

    def delete(self, entity: Any) -> None:
        """Stage a deletion."""

    def lock(self, lease: Any) -> None:
        """Serialise concurrent changes of one lease."""

    def lock_many(self, lease_ids: Sequence[int]) -> None:
        """Serialise concurrent changes of many leases at once."""

    def bulk_create(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert many leases at once (seeding)."""

    def bulk_create_assets(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Link many leases to their assets at once (seeding)."""


class ChargeLines(Protocol):
    """Charge line versions and concessions of leases, changed only by appending and by ending."""

    def add(self, lease: Any, **values: Any) -> Any:
        """Stage a new line version on a lease."""

    def add_concession(self, lease: Any, **values: Any) -> Any:
        """Stage a concession on a lease."""

    def next_series(self, lease: Any) -> int:
        """A series number not yet used on the lease."""

    def current_of(self, lease_ids: Collection[int]) -> dict[int, list[Any]]:
        """The line versions in force (not replaced by an amendment) of many leases, by lease id."""

    def bulk_create(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert many line versions at once (seeding)."""

    def bulk_create_concessions(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert many concessions at once (seeding)."""


class Schedules(Protocol):
    """Schedule items of leases; issued and paid ones are billed and never regenerated."""

    def of_lease(self, lease_id: int) -> list[Any]:
        """Every item of a lease in schedule order."""

    def kept_of(self, lease_id: int, today: date) -> list[Any]:
        """A lease's items regeneration keeps on `today`: billed periods and settlements."""

    def kept_of_many(self, lease_ids: Sequence[int], today: date) -> dict[int, list[Any]]:
        """Kept items of many leases, by lease id."""

    def delete_unbilled(self, lease_id: int, today: date) -> None:
        """Drop a lease's items not billed on `today`."""

    def delete_unbilled_many(self, lease_ids: Sequence[int], today: date) -> None:
        """Drop the unbilled items of many leases."""

    def insert_rows(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Write many items by column values."""

    def unbilled_of(self, lease_id: int, today: date) -> list[Any]:
        """A lease's items still to be billed on `today` (scheduled, not yet due)."""

    def move_due_dates(self, changes: Sequence[Mapping[str, Any]]) -> None:
        """Set the due date and provisional mark of items by id (rows of id, due_date, provisional)."""


class Amendments(Protocol):
    """Lease amendments, each with its lease (`amendment.lease`), scoped by the lease's project."""

    def get(self, entity_id: int, scope: Scope) -> Any:
        """One amendment by id; out of scope is NotFound, like missing."""

    def find(self, entity_id: int) -> Any | None:
        """One amendment by id, unscoped."""

    def page(self, scope: Scope, query: ListQuery) -> tuple[Sequence[Any], int]:
        """A page of amendments within the scope, and the total."""

    def create(self, **values: Any) -> Any:
        """Stage a new amendment."""

    def next_version(self, lease_id: int) -> int:
        """The version number the next amendment of a lease takes (the original contract is 1)."""

    def open_for(self, lease_id: int) -> Any | None:
        """The amendment of a lease still waiting for approval, if any."""

    def requested_between(self, lease_id: int, since: datetime, until: datetime) -> list[datetime]:
        """When each change of a lease was asked for in [since, until); cancelled ones left out."""


class CodeAliases(Protocol):
    """The editable alias table of codes."""

    def get(self, entity_id: int, scope: Scope) -> Any:
        """One alias by id; out of scope is NotFound, like missing."""

    def page(self, scope: Scope, query: ListQuery) -> tuple[Sequence[Any], int]:
        """A page of aliases within the scope, and the total."""

    def mapping(self, domain: str) -> dict[str, str]:
        """Alias → canonical code for one code domain."""

    def find_alias(self, domain: str, alias: str, exclude_id: int | None = None) -> Any | None:
        """The row holding an alias in a domain."""

    def create(self, **values: Any) -> Any:
        """Stage a new alias."""

    def delete(self, entity: Any) -> None:
        """Stage a deletion."""


class PriceIndexes(Protocol):
    """Monthly price index values (CPI series)."""

    def series(self, code: str) -> dict[date, Decimal]:
        """First day of month → value for one series."""

    def upsert(self, code: str, month: date, value: Decimal) -> Any:
        """Set one month's value."""

    def list(self, code: str | None = None) -> list[Any]:
        """Every stored value, by series and month."""


class CalendarYears(Protocol):
    """Official holiday arrangements entered as data, by calendar code and year."""

    def of_code(self, code: str) -> list[Any]:
        """The entered years of one calendar, oldest first."""

    def find(self, code: str, year: int) -> Any | None:
        """One entered year of a calendar."""

    def all(self) -> list[Any]:
        """Every entered year of every calendar."""

    def create(self, **values: Any) -> Any:
        """Stage a new year."""

    def delete(self, row: Any) -> None:
        """Stage a deletion."""


class LeaseImports(Protocol):
    """Lease imports run by the worker, their staged rows, and the bulk reads and writes of an import."""

    def create(self, **values: Any) -> Any:
        """Stage a new import."""

    def find(self, import_id: int) -> Any | None:
        """One import by id."""

    def claim(self, import_id: int | None, now: datetime) -> int | None:
        """Take a queued import (this one, or the oldest) for checking; None when there is none to take."""

    def set_progress(self, import_id: int, **values: Any) -> None:
        """Record how far an import got (state, phase, processed, total)."""

    def stage_rows(self, import_id: int, rows: Sequence[tuple[int, dict[str, Any]]]) -> None:
        """Stage checked rows (row number, JSON-safe values) of an import."""

    def staged_rows(self, import_id: int) -> list[dict[str, Any]]:
        """The staged values of an import, in row order."""

    def discard_rows(self, import_id: int) -> None:
        """Drop the staged rows of an import."""

    def customer_directory(self, scope: Scope) -> list[tuple[int, str]]:
        """(id, name) of every customer inside the scope."""

    def binding_terms(self, asset_ids: Collection[int]) -> list[tuple[int, str, date, date]]:
        """(asset id, lease number, start, end) of every binding lease holding any of the assets."""

    def insert_leases(self, rows: Sequence[Mapping[str, Any]]) -> list[int]:
        """Insert leases by JSON-safe column values; their ids, in the order given."""

    def insert_children(self, model: str, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert many rows of a lease's child table by JSON-safe column values."""


class LeaseTags(Protocol):
    """Who set each tag of a lease, and with what authority."""

    def of_lease(self, lease_id: int) -> list[Any]:
        """A lease's traced tags, in the order they were set."""

    def add(self, **values: Any) -> Any:
        """Stage a mark."""

    def add_many(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert many marks at once (an import)."""

    def delete(self, mark: Any) -> None:
        """Stage a mark's removal."""
