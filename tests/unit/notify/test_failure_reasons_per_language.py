"""A failed generation alert reads in one language per recipient: the reason is kept as message and values."""

from __future__ import annotations

from backend.config import Config
from backend.leasing.domain.schedule.terms import ScheduleError
from backend.notify.delivery import Catalogue, payload
from backend.notify.domain.notifications import NotificationKind, message_param, rendered_params
from backend.notify.domain.web_push import PushMessage

CATALOGUE = Catalogue(Config.BABEL_TRANSLATION_DIRECTORIES)
FAILURE = ScheduleError({"terms.due_rule": ["Give a due day of the month or an offset in days, not both."]})


def _title(locale: str) -> str:
    params = {"lease": "SH-01-2027-0001", "reason": message_param(FAILURE), "job_run_id": 7}
    message = PushMessage(NotificationKind.SCHEDULE_FAILED, params, (), "lease", 1)
    return str(payload(message, locale, CATALOGUE)["title"])


def test_a_chinese_reader_gets_the_whole_alert_in_chinese() -> None:
    assert _title("zh_CN") == (
        "合同 SH-01-2027-0001 的租金计划生成失败：无法按这些条款生成收款计划。"
        " terms.due_rule: 请填写每月应付日或偏移天数，二者只能选其一。"
    )


def test_an_english_reader_gets_it_in_english() -> None:
    assert _title("en") == (
        "Rent schedule of lease SH-01-2027-0001 could not be generated: The schedule cannot be generated "
        "from these terms. terms.due_rule: Give a due day of the month or an offset in days, not both."
    )


def test_an_unexpected_error_keeps_its_text_and_plain_values_pass_through() -> None:
    rendered = rendered_params({"reason": message_param(KeyError("x")), "lease": "L1", "n": 3}, str)
    assert rendered == {"reason": "KeyError: 'x'", "lease": "L1", "n": 3}
