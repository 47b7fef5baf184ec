"""Storage ports of receivables: charges, payments, credit notes, allocations, deposits, document numbers."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from backend.core.domain.access import Scope
from backend.core.domain.listing import ListQuery
from backend.core.services.ports import Lookup
from backend.receivables.domain.aging import LedgerEntry, OpenAmount


class Charges(Lookup, Protocol):
    """Charges (bills) with derived open amounts, scoped by project."""

    @property
    def sortable(self) -> Mapping[str, Any]:
        """Columns a list may be sorted by."""

    def page_open(
        self,
        scope: Scope,
        filters: Mapping[str, Any],
        only_open: bool,
        sort: Sequence[Any],
        page: tuple[int, int],
    ) -> tuple[list[tuple[Any, Decimal]], int]:
        """A page of charges with their open amounts, and the total."""

    def open_amounts(self, charge_ids: Collection[int]) -> dict[int, Decimal]:
        """What is still open of each charge."""

    def open_of_customer(self, customer_id: int, currency: str | None = None) -> list[tuple[Any, Decimal]]:
        """A customer's charges not fully settled, oldest due first."""

    def open_items(self, scope: Scope) -> list[tuple[Any, ...]]:
        """Every open charge in the scope as plain values, for the reconciliation rules."""

    def aging_entries(self, scope: Scope, filters: Mapping[str, Any]) -> list[OpenAmount]:
        """Open amounts of every charge in the scope."""

    def settlement_history(
        self, customer_ids: Collection[int], scope: Scope, until: date
    ) -> list[tuple[Any, ...]]:
        """The customers' charges issued by a day, each with the day it became fully settled (or None).

        (id, customer_id, lease_id, project_id, due_date, amount, currency, settled_on), oldest due first.
        """

    def lock(self, charge_ids: Collection[int]) -> None:
        """Lock charges about to be settled."""

    def create(self, **values: Any) -> Any:
        """Stage a charge."""

    def bulk_insert_items(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Link billed schedule items to their charges."""

    def items_of(self, charge_id: int) -> list[Any]:
        """The schedule items a charge bills."""

    def billable(self, project_id: int, statuses: Collection[Any], due_until: date) -> list[Any]:
        """Unbilled schedule items of a project's live leases due by a day."""

    def settlements_unbilled(self, project_id: int) -> list[tuple[Any, int | None]]:
        """Write-offs and adjustments no credit note or charge carries yet, with the lease's customer."""

    def mark_items(self, item_ids: Collection[int], status: str) -> None:
        """Set the schedule status of billed items."""

    def entries_of(self, customer_id: int, scope: Scope) -> list[LedgerEntry]:
        """Every document on a customer's account the scope reaches."""


class Payments(Lookup, Protocol):
    """Payments, scoped by project or region."""

    def page(self, scope: Scope, query: ListQuery) -> tuple[Sequence[Any], int]:
        """A page of payments, and the total."""

    def create(self, **values: Any) -> Any:
        """Stage a payment."""

    def insert_many(self, rows: Sequence[Mapping[str, Any]]) -> list[int]:
        """Insert payments of bank lines; their ids in order."""

    def remove(self, payment: Any) -> None:
        """Delete a payment and its allocations."""

    def unapplied(self, payment_ids: Collection[int]) -> dict[int, Decimal]:
        """What each payment has not yet settled or refunded."""

    def of_bank_line(self, bank_line_id: int) -> Any | None:
        """The payment a bank line was recorded as."""

    def add_refund(self, **values: Any) -> Any:
        """Stage a refund."""

    def refunds_of(self, payment_id: int) -> list[Any]:
        """A payment's refunds."""


class CreditNotes(Lookup, Protocol):
    """Credit notes, scoped by project."""

    def page(self, scope: Scope, query: ListQuery) -> tuple[Sequence[Any], int]:
        """A page of credit notes, and the total."""

    def create(self, **values: Any) -> Any:
        """Stage a credit note."""


class Allocations(Lookup, Protocol):
    """Allocations between payments or credit notes and charges."""

    def create(self, **values: Any) -> Any:
        """Stage an allocation."""

    def insert_many(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Insert allocations."""

    def live_of(self, *, payment_id: int | None = None, charge_id: int | None = None) -> list[Any]:
        """Allocations not undone, of one payment or one charge."""

    def reverse(self, allocations: Sequence[Any], at: datetime, by_id: int | None) -> None:
        """Undo allocations; they stay as history."""


class Deposits(Lookup, Protocol):
    """Deposits, scoped by project."""

    def page(self, scope: Scope, query: ListQuery) -> tuple[Sequence[Any], int]:
        """A page of deposits, and the total."""

    def create(self, **values: Any) -> Any:
        """Stage a deposit."""

    def add_movement(self, deposit: Any, **values: Any) -> Any:
        """Stage a movement of a deposit."""

    def movement_of_bank_line(self, bank_line_id: int) -> Any | None:
        """The deposit receipt a bank line was recorded as."""

    def leases_without_deposit(self, project_id: int, statuses: Collection[Any]) -> list[Any]:
        """Live leases naming a deposit without a deposit record."""


class Sequences(Protocol):
    """Gapless document numbers."""

    def take(self, project_id: int, series: str, period: str, count: int) -> int:
        """Reserve numbers; the last number used before them."""
