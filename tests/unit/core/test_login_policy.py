"""Sign-in throttling: when the next attempt is allowed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from backend.core.domain.login import LoginPolicy

NOW = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
POLICY = LoginPolicy(window_seconds=900, max_failures_per_user=5)


def minutes_ago(*minutes: int) -> list[datetime]:
    return sorted(NOW - timedelta(minutes=m) for m in minutes)


def test_attempts_below_the_limit_are_allowed() -> None:
    assert POLICY.retry_after(minutes_ago(1, 2, 3, 4), limit=5, now=NOW) is None


def test_at_the_limit_the_wait_lasts_until_the_oldest_counted_failure_leaves_the_window() -> None:
    failures = minutes_ago(14, 3, 2, 1, 0)
    assert POLICY.retry_after(failures, limit=5, now=NOW) == 60


def test_with_more_failures_than_the_limit_enough_must_leave_the_window() -> None:
    failures = minutes_ago(14, 13, 3, 2, 1, 0)
    # Two must leave before the count drops below five: the second oldest leaves in two minutes.
    assert POLICY.retry_after(failures, limit=5, now=NOW) == 120


def test_the_wait_is_never_zero_seconds() -> None:
    failures = [NOW - timedelta(seconds=900)] * 5
    assert POLICY.retry_after(failures, limit=5, now=NOW) == 1
