"""Sign-in throttling: when the next attempt is allowed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.core.domain.login import LoginPolicy

NOW = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
POLICY = LoginPolicy(window_seconds=900, free_failures_per_pair=5, base_delay_seconds=2)


def seconds_ago(*seconds: int) -> list[datetime]:
    return sorted(NOW - timedelta(seconds=s) for s in seconds)


def test_failures_below_the_allowance_cost_nothing() -> None:
    assert POLICY.retry_after(seconds_ago(40, 30, 20, 10), free=5, now=NOW) is None


def test_each_failure_past_the_allowance_doubles_the_wait_after_the_latest() -> None:
    assert [POLICY.delay_after(n, free=5) for n in range(4, 12)] == [0, 2, 4, 8, 16, 32, 64, 128]
    assert POLICY.retry_after(seconds_ago(50, 40, 30, 20, 0), free=5, now=NOW) == 2
    assert POLICY.retry_after(seconds_ago(50, 40, 30, 20, 10, 1), free=5, now=NOW) == 3  # 4 s after 1 s ago


def test_the_wait_never_exceeds_the_window_however_many_failures() -> None:
    assert POLICY.delay_after(10_000, free=5) == 900


def test_a_wait_that_has_passed_allows_the_next_attempt() -> None:
    assert POLICY.retry_after(seconds_ago(50, 40, 30, 20, 3), free=5, now=NOW) is None
