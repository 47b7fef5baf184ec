"""The range of times the system accepts from people and phones."""

from __future__ import annotations

from datetime import UTC, datetime

from backend.core.domain.errors import N_

# Anything outside is a typo, a broken clock or an attack: a year-9999 time with a -14:00 offset does not
# even fit in a datetime once turned into UTC, which is how every time is stored.
EARLIEST_TIME = datetime(1970, 1, 1, tzinfo=UTC)
LATEST_TIME = datetime(2100, 1, 1, tzinfo=UTC)
OUT_OF_RANGE_TIME = N_("Give a time between 1970-01-01 and 2099-12-31 (UTC).")


def in_accepted_range(moment: datetime) -> bool:
    """Whether an aware time lies in 1970–2099 once turned into UTC."""
    try:
        in_utc = moment.astimezone(UTC)
    except (OverflowError, ValueError):
        return False
    return EARLIEST_TIME <= in_utc < LATEST_TIME
