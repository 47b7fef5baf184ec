"""Sign-in throttling: how many failed attempts are tolerated, and for how long one waits."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class LoginPolicy:
    """Failed attempts allowed per username and per address within a sliding window."""

    window_seconds: int = 900
    max_failures_per_user: int = 5
    max_failures_per_ip: int = 30

    @property
    def window(self) -> timedelta:
        """The sliding window as a duration."""
        return timedelta(seconds=self.window_seconds)

    def retry_after(self, failures: Sequence[datetime], limit: int, now: datetime) -> int | None:
        """Seconds until another attempt is allowed, or None when it is allowed now.

        `failures` are the failed attempts inside the window, oldest first.
        """
        if len(failures) < limit:
            return None
        # The window must slide past enough failures to bring the count below the limit.
        release_at = failures[len(failures) - limit] + self.window
        return max(1, math.ceil((release_at - now).total_seconds()))
