"""The outbox's rules: channels per kind and preference, quiet hours, what an attempt leaves."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from backend.core.domain.errors import ValidationFailed
from backend.notify.domain.channels import ChannelKind, SendResult
from backend.notify.domain.notifications import NotificationKind
from backend.notify.domain.outbox import DeliveryState, Preferences, after_attempt, parse_preferences

NOW = datetime(2026, 12, 4, 15, 0, tzinfo=UTC)  # 23:00 in Shanghai


def test_the_inbox_is_always_on_and_defaults_apply_until_a_user_chooses() -> None:
    defaults = Preferences({})
    chosen = Preferences({"status_request.waiting": frozenset({ChannelKind.SMS})})

    assert defaults.channels_for(NotificationKind.STATUS_REQUEST_WAITING) == {
        ChannelKind.INBOX,
        ChannelKind.WEB_PUSH,
    }
    assert defaults.channels_for(NotificationKind.JOB_FAILED) == {ChannelKind.INBOX, ChannelKind.EMAIL}
    assert chosen.channels_for(NotificationKind.STATUS_REQUEST_WAITING) == {
        ChannelKind.INBOX,
        ChannelKind.SMS,
    }


def test_quiet_hours_across_midnight_hold_deliveries_until_they_end_in_the_users_zone() -> None:
    quiet = Preferences({}, "Asia/Shanghai", time(22, 0), time(7, 30))

    held = quiet.not_before(ChannelKind.EMAIL, NOW)
    morning = quiet.not_before(ChannelKind.EMAIL, NOW + timedelta(hours=10))  # 09:00 next day

    assert held == datetime(2026, 12, 4, 23, 30, tzinfo=UTC)  # 07:30 on the 5th in Shanghai
    assert morning == NOW + timedelta(hours=10)
    assert quiet.not_before(ChannelKind.INBOX, NOW) == NOW


def test_quiet_hours_within_a_day() -> None:
    lunch = Preferences({}, "Asia/Shanghai", time(12, 0), time(13, 30))
    at_noon = datetime(2026, 12, 4, 4, 15, tzinfo=UTC)  # 12:15 in Shanghai

    assert lunch.not_before(ChannelKind.SMS, at_noon) == datetime(2026, 12, 4, 5, 30, tzinfo=UTC)
    assert lunch.not_before(ChannelKind.SMS, NOW) == NOW


def test_an_attempt_leaves_sent_retried_after_backoff_or_given_up() -> None:
    sent = after_attempt(SendResult.sent("m-1"), 1, NOW, 30)
    retry = after_attempt(SendResult.retry("busy", retry_after=120), 1, NOW, 30)
    exhausted = after_attempt(SendResult.retry("busy"), 8, NOW, 30)
    refused = after_attempt(SendResult.give_up("bad key"), 1, NOW, 30)

    assert (sent.state, sent.alert) == (DeliveryState.SENT, False)
    assert (retry.state, retry.next_attempt_at) == (DeliveryState.FAILED, NOW + timedelta(seconds=120))
    assert (exhausted.state, exhausted.alert) == (DeliveryState.GAVE_UP, True)
    assert (refused.state, refused.alert) == (DeliveryState.GAVE_UP, True)


def test_preferences_name_every_bad_field() -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_preferences(
            {
                "timezone": "Nowhere/Land",
                "quiet_start": "7pm",
                "mobile": "12",
                "channels": {"no.such.kind": ["email"], "job.failed": ["fax"]},
            }
        )

    assert set(refused.value.fields) == {
        "timezone",
        "quiet_start",
        "mobile",
        "channels.no.such.kind",
        "channels.job.failed",
    }


def test_good_preferences_are_read_whole() -> None:
    parsed = parse_preferences(
        {
            "channels": {"job.failed": ["email", "sms"]},
            "quiet_start": "22:00",
            "quiet_end": "07:00",
            "mobile": "+86 138-0013-8000",
        }
    )

    assert parsed.channels["job.failed"] == {ChannelKind.EMAIL, ChannelKind.SMS}
    assert (parsed.quiet_start, parsed.quiet_end, parsed.mobile) == (time(22), time(7), "+8613800138000")
