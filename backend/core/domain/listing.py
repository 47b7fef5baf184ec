"""How a caller asks for a page of a list: filters, sort order, page."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from backend.core.domain.errors import N_, ValidationFailed

# Far beyond any real list, and small enough that OFFSET fits every database's integer.
MAX_PAGE = 1_000_000


@dataclass(frozen=True)
class SortKey:
    """One sort field, ascending unless `descending`."""

    field: str
    descending: bool = False


def parse_sort(expression: str | None) -> tuple[SortKey, ...]:
    """Read `code,-name` as code ascending, then name descending."""
    if not expression:
        return ()
    keys = []
    for part in expression.split(","):
        name = part.strip()
        if name:
            keys.append(SortKey(name.lstrip("-"), name.startswith("-")))
    return tuple(keys)


@dataclass(frozen=True)
class ListQuery:
    """Filters by name, a sort order, and the page wanted (first page is 1)."""

    filters: Mapping[str, Any] = field(default_factory=dict)
    sort: tuple[SortKey, ...] = ()
    page: int = 1
    page_size: int = 50

    def __post_init__(self) -> None:
        if not 1 <= self.page <= MAX_PAGE:
            raise ValidationFailed.single("page", N_("Page numbers run from 1 to 1000000."))

    @property
    def offset(self) -> int:
        """Rows to skip before this page."""
        return (self.page - 1) * self.page_size
