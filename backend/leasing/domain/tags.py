"""Who set a lease's tags, and whether a tag that stops reminders may do so."""

from __future__ import annotations

import enum
import unicodedata
from collections.abc import Iterable

# The spellings of "no renewal" met in contracts and imports (compared without case, spaces or dashes).
NO_RENEWAL_SPELLINGS = frozenset({"norenewal", "nonrenewal", "不续约", "不续租", "无需续约", "无需续租"})


class TagSource(enum.StrEnum):
    """How a tag came onto a lease."""

    MANUAL = "manual"  # entered on the lease by a person
    AMENDMENT = "amendment"  # an approved amendment
    IMPORT = "import"  # a spreadsheet import: never authority enough to stop reminders
    UNKNOWN = "unknown"  # set before tags were traced


def is_no_renewal(tag: str) -> bool:
    """Whether a tag says the lease will not be renewed ("no renewal", "No-Renewal", "不续约"…)."""
    folded = unicodedata.normalize("NFKC", tag).casefold()
    return "".join(ch for ch in folded if ch not in " -_·.") in NO_RENEWAL_SPELLINGS


def changed(before: Iterable[str], after: Iterable[str]) -> tuple[list[str], list[str]]:
    """The tags added and removed between two lists, each once, in order."""
    old, new = list(dict.fromkeys(before)), list(dict.fromkeys(after))
    return [t for t in new if t not in old], [t for t in old if t not in new]
