"""The dunning messages: one template per tier and step and language, the field's three scripts by default.

A template is text with `${name}` placeholders (Python's string.Template); only the names below may be used,
so a typo is refused when the template is saved, not discovered in a customer's inbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from string import Template

from backend.collections.domain.plan import Step
from backend.collections.domain.tiers import DunningTier
from backend.core.domain.errors import N_, Message, ValidationFailed

LANGUAGES = ("zh_CN", "en")
MAX_TEMPLATE_LENGTH = 4000

PLACEHOLDERS = {
    "customer": N_("the customer's name"),
    "project": N_("the project's name"),
    "bills": N_("one line per overdue bill: number, due date, amount open"),
    "total": N_("the total overdue, with its currency"),
    "oldest_days": N_("days the oldest bill is overdue"),
    "article": N_("the lease's late-fee clause (e.g. 第12条)"),
    "late_fee": N_("the late fee accrued so far"),
    "pay_within_hours": N_("hours to pay before the next step"),
    "contact": N_("who to call back: name and phone of the project's finance contact"),
}


@dataclass(frozen=True)
class MessageTemplate:
    """The subject and body of one message."""

    subject: str
    body: str


Key = tuple[DunningTier, Step, str]

_ZH = "zh_CN"
_EN = "en"
_F, _U = Step.FIRST, Step.FOLLOW_UP

# The three scripts from the field (首次提醒 / 二次跟进 / 三次警示), and the hand-over to legal.
DEFAULTS: dict[Key, MessageTemplate] = {
    (DunningTier.FRIENDLY, _F, _ZH): MessageTemplate(
        "${project}：租金提醒",
        "${customer}，您好，系统显示贵司本月租金尚未结清，若有付款已完成，请忽略此消息。\n${bills}\n合计：${total}\n"
        "如有疑问请联系 ${contact}。",
    ),
    (DunningTier.FRIENDLY, _F, _EN): MessageTemplate(
        "${project}: rent reminder",
        "Dear ${customer}, our records show this month's rent is not yet settled. If you have already paid, "
        "please ignore this message.\n${bills}\nTotal: ${total}\nQuestions: ${contact}.",
    ),
    (DunningTier.FRIENDLY, _U, _ZH): MessageTemplate(
        "${project}：租金跟进",
        "${customer}，您好，注意到您可能遇到临时资金周转问题，我们可协助申请7日宽限期，请回复确认。\n${bills}\n"
        "合计：${total}\n联系人：${contact}。",
    ),
    (DunningTier.FRIENDLY, _U, _EN): MessageTemplate(
        "${project}: following up on your rent",
        "Dear ${customer}, you may be facing a temporary cash-flow problem: we can help you apply for a "
        "7-day grace period, please reply to confirm.\n${bills}\nTotal: ${total}\nContact: ${contact}.",
    ),
    (DunningTier.FORMAL, _F, _ZH): MessageTemplate(
        "${project}：逾期付款正式警示",
        "${customer}：根据合同${article}，持续逾期将触发违约金计收程序，请于${pay_within_hours}小时内完成支付以免影响"
        "信用记录。\n${bills}\n合计：${total}，最早一笔已逾期${oldest_days}天，违约金已计${late_fee}。\n联系人：${contact}。",
    ),
    (DunningTier.FORMAL, _F, _EN): MessageTemplate(
        "${project}: formal warning of late payment",
        "${customer}: under ${article} of the lease, continued delay triggers late fees. Please pay within "
        "${pay_within_hours} hours to protect your credit record.\n${bills}\nTotal: ${total}; the oldest "
        "bill is ${oldest_days} days overdue; late fees so far: ${late_fee}.\nContact: ${contact}.",
    ),
    (DunningTier.LEGAL, _F, _ZH): MessageTemplate(
        "${project}：欠款已移交法务处理",
        "${customer}：贵司欠款最早一笔已逾期${oldest_days}天，经多次提醒仍未结清，现已移交我司法务部门处理。\n${bills}\n"
        "合计：${total}，违约金已计${late_fee}。如已付款或需协商，请即联系 ${contact}。",
    ),
    (DunningTier.LEGAL, _F, _EN): MessageTemplate(
        "${project}: your overdue account is with our legal department",
        "${customer}: the oldest bill is ${oldest_days} days overdue and remains unpaid after several "
        "reminders; it has been handed over to our legal department.\n${bills}\nTotal: ${total}; late fees: "
        "${late_fee}. If you have paid or wish to settle, contact ${contact} at once.",
    ),
}


def bill_line(language: str, number: str, due: str, amount: str) -> str:
    """One overdue bill as a line of the message."""
    if language == _EN:
        return f"- {number}, due {due}: {amount} open"
    return f"· {number}（{due} 到期）未付 {amount}"


def default_for(tier: DunningTier, step: Step, language: str) -> MessageTemplate:
    """The built-in template of a tier and step in a language (a tier's follow-up falls back to its first)."""
    language = language if language in LANGUAGES else _ZH
    return DEFAULTS.get((tier, step, language)) or DEFAULTS[(tier, Step.FIRST, language)]


def check_template(field: str, text: str) -> str:
    """A template's text as saved, or a refusal naming the field and the placeholders allowed."""
    text = text.strip()
    if not text:
        raise ValidationFailed.single(field, N_("Must not be empty."))
    if len(text) > MAX_TEMPLATE_LENGTH:
        raise ValidationFailed.single(
            field, Message(N_("Must be at most %(max)s characters."), max=MAX_TEMPLATE_LENGTH)
        )
    template = Template(text)
    if not template.is_valid():
        raise ValidationFailed.single(
            field, N_("A $ must start a placeholder like ${customer}; write $$ for $.")
        )
    unknown = sorted(set(template.get_identifiers()) - set(PLACEHOLDERS))
    if unknown:
        raise ValidationFailed.single(
            field,
            Message(
                N_("Unknown placeholder %(unknown)s; use %(allowed)s."),
                unknown=", ".join(f"${{{name}}}" for name in unknown),
                allowed=", ".join(f"${{{name}}}" for name in PLACEHOLDERS),
            ),
        )
    return text


def render(template: MessageTemplate, values: Mapping[str, str]) -> MessageTemplate:
    """A template filled in; every placeholder has a value (an empty one when there is nothing to say)."""
    filled = {name: values.get(name, "") for name in PLACEHOLDERS}
    return MessageTemplate(
        Template(template.subject).substitute(filled), Template(template.body).substitute(filled)
    )
