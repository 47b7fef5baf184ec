"""Free-text codes: normalisation, the default aliases, refusals naming field, value and choices."""

from __future__ import annotations

import pytest

from backend.core.domain.errors import ValidationFailed
from backend.leasing.domain.codes import DEFAULT_ALIASES, normalise, parse_code
from backend.leasing.domain.schedule import BusinessDayRule, ChargeType, Frequency, Timing

ENUMS = {
    "frequency": Frequency,
    "timing": Timing,
    "business_day_rule": BusinessDayRule,
    "charge_type": ChargeType,
}

ISSUE_EXAMPLES = (
    [
        ("frequency", text, expected)
        for expected, texts in {
            Frequency.MONTHLY: ["每月", "月付", "按月", "一月一次", "monthly", "every month", "per month"],
            Frequency.BIMONTHLY: [
                "两月一次",
                "每两个月",
                "双月付",
                "bi-monthly",
                "every 2 months",
                "every two months",
            ],
            Frequency.QUARTERLY: ["季付", "按季", "每季度", "三个月一次", "quarterly", "every 3 months"],
            Frequency.SEMIANNUAL: ["半年付", "每半年", "semi-annual", "every 6 months"],
            Frequency.ANNUAL: ["年付", "每年", "按年", "annual", "yearly"],
            Frequency.ONE_OFF: ["一次性", "one-off", "once"],
        }.items()
        for text in texts
    ]
    + [
        ("timing", text, expected)
        for expected, texts in {
            Timing.PREPAID: ["预付", "先付", "提前支付", "in advance", "prepaid"],
            Timing.ARREARS: ["后付", "到期支付", "in arrears"],
        }.items()
        for text in texts
    ]
    + [
        ("business_day_rule", "顺延", BusinessDayRule.FOLLOWING),
        ("business_day_rule", "following", BusinessDayRule.FOLLOWING),
        ("business_day_rule", "修正顺延", BusinessDayRule.MODIFIED_FOLLOWING),
        ("business_day_rule", "modified following", BusinessDayRule.MODIFIED_FOLLOWING),
    ]
    + [
        ("charge_type", text, expected)
        for expected, texts in {
            ChargeType.RENT: ["租金", "rent"],
            ChargeType.SERVICE_FEE: ["物业费", "管理费", "服务费", "service fee"],
            ChargeType.PARKING: ["停车费", "车位费", "parking"],
            ChargeType.OTHER: ["其他", "other"],
        }.items()
        for text in texts
    ]
)


def test_normalising_folds_width_and_case_and_collapses_separators() -> None:
    assert normalise("  Bi-Monthly ") == "bi monthly"
    assert normalise("ＥＶＥＲＹ__２  months") == "every 2 months"
    assert normalise("one_off") == "one off"
    assert normalise(" 两月一次\u3000") == "两月一次"


@pytest.mark.parametrize(("domain", "text", "expected"), ISSUE_EXAMPLES)
def test_every_example_of_the_issue_maps_to_its_code(domain: str, text: str, expected: str) -> None:
    assert parse_code(domain, text, ENUMS[domain], DEFAULT_ALIASES[domain]) is expected


@pytest.mark.parametrize("domain", sorted(ENUMS))
def test_every_default_alias_points_to_an_accepted_value(domain: str) -> None:
    accepted = {member.value for member in ENUMS[domain]}
    assert set(DEFAULT_ALIASES[domain].values()) <= accepted
    for alias in DEFAULT_ALIASES[domain]:
        assert parse_code(domain, alias, ENUMS[domain], DEFAULT_ALIASES[domain]).value in accepted


def test_canonical_values_and_their_spelled_variants_need_no_alias() -> None:
    assert parse_code("frequency", "ONE_OFF", Frequency, {}) is Frequency.ONE_OFF
    assert parse_code("frequency", "one-off", Frequency, {}) is Frequency.ONE_OFF
    assert parse_code("timing", " Arrears ", Timing, {}) is Timing.ARREARS


def test_aliases_are_matched_after_normalising_their_keys_too() -> None:
    assert (
        parse_code("frequency", "FORT_NIGHTLY", Frequency, {"Fort-Nightly": "monthly"}) is Frequency.MONTHLY
    )


def test_unknown_text_is_refused_with_the_field_the_value_and_the_accepted_values() -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_code("frequency", "每周", Frequency, DEFAULT_ALIASES["frequency"])
    assert refused.value.status == 422
    assert refused.value.fields == {
        "frequency": [
            "Unknown value “每周”; accepted values: "
            "monthly, bimonthly, quarterly, semiannual, annual, one_off."
        ]
    }


def test_an_alias_to_a_value_that_is_not_accepted_is_refused_not_guessed() -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_code("timing", "月底", Timing, {"月底": "end_of_month"})
    assert refused.value.fields == {
        "timing": ["The alias “月底” points to “end_of_month”, which is not an accepted value."]
    }


def test_empty_text_is_refused() -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_code("charge_type", "   ", ChargeType, DEFAULT_ALIASES["charge_type"])
    assert list(refused.value.fields) == ["charge_type"]


@pytest.mark.parametrize("domain", sorted(ENUMS))
def test_no_two_default_aliases_normalise_alike_but_point_apart(domain: str) -> None:
    targets: dict[str, set[str]] = {}
    for alias, canonical in DEFAULT_ALIASES[domain].items():
        targets.setdefault(normalise(alias), set()).add(canonical)
    assert {alias: found for alias, found in targets.items() if len(found) > 1} == {}
