"""Sign-in throttling: exponential backoff per account and address, never a lockout of everyone.

Three counts, each over a sliding window of failed attempts:

- one username from one address: a few free failures, then each further one doubles the wait after the
  last (2 s, 4 s, 8 s … up to the window). This is what slows a guesser down;
- one username from every address: a larger allowance, for guessing spread over many addresses. A single
  attacker cannot reach it before their own address is slowed down, so nobody locks a chosen account;
- one address over every username: for password spraying. Usernames that signed in from that address
  before (within the trust period) are exempt, so colleagues behind the same office NAT keep signing in
  while someone there sprays.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

MAX_DOUBLINGS = 20  # 2**20 × the base is far beyond any window: the cap is the window itself


@dataclass(frozen=True)
class LoginPolicy:
    """How many failures are free per count, and how the wait grows after them."""

    window_seconds: int = 900
    free_failures_per_pair: int = 5
    free_failures_per_account: int = 20
    free_failures_per_ip: int = 30
    base_delay_seconds: int = 2
    trust_days: int = 30

    @property
    def window(self) -> timedelta:
        """The sliding window as a duration."""
        return timedelta(seconds=self.window_seconds)

    @property
    def trust_period(self) -> timedelta:
        """How long a successful sign-in from an address exempts the username from that address's count."""
        return timedelta(days=self.trust_days)

    def delay_after(self, failures: int, free: int) -> int:
        """Seconds to wait after the latest failure, given the failures inside the window (0: none)."""
        if failures < free:
            return 0
        doublings = min(failures - free, MAX_DOUBLINGS)
        return int(min(self.window_seconds, self.base_delay_seconds * 2**doublings))

    def retry_after(self, failures: Sequence[datetime], free: int, now: datetime) -> int | None:
        """Seconds until another attempt is allowed, or None when it is allowed now.

        `failures` are the failed attempts inside the window, oldest first.
        """
        delay = self.delay_after(len(failures), free)
        if not delay:
            return None
        wait = math.ceil((failures[-1] + timedelta(seconds=delay) - now).total_seconds())
        return wait if wait > 0 else None
