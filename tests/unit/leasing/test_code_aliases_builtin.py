"""Organisation aliases never override or shadow built-in codes and aliases, whatever their spelling."""

from __future__ import annotations

import pytest

from backend.leasing.domain import codes
from backend.leasing.domain.schedule import Frequency
from backend.leasing.services import leases
from tests.support import fake_rows as rows
from tests.support.fake_uow import FakeUnitOfWork

ORG = {"两月付款": "bimonthly"}


@pytest.mark.parametrize("alias", ["季付", " 季付 ", "季 付", "季\u200b付", "季\u3000付"])
def test_a_built_in_alias_cannot_be_pointed_elsewhere(alias: str) -> None:
    clash = codes.alias_clash("frequency", alias, "monthly", Frequency, ORG)
    assert clash is not None
    assert clash == f"“{alias}” is a built-in alias of quarterly; it cannot be redefined."


def test_a_built_in_alias_cannot_be_added_again_even_with_its_own_meaning() -> None:
    assert codes.alias_clash("frequency", "季付", "quarterly", Frequency, ORG) is not None


@pytest.mark.parametrize("alias", ["quarterly", "QUARTERLY", "ｑｕａｒｔｅｒｌｙ", " Quarterly "])
def test_a_canonical_code_cannot_become_an_alias(alias: str) -> None:
    clash = codes.alias_clash("frequency", alias, "monthly", Frequency, ORG)
    assert clash == f"“{alias}” is a frequency code itself; it cannot be an alias."


def test_one_of_the_organisations_aliases_keeps_its_meaning() -> None:
    clash = codes.alias_clash("frequency", "两月 付款", "monthly", Frequency, ORG)
    assert clash == "“两月 付款” already means bimonthly."
    assert codes.alias_clash("frequency", "两月付款", "bimonthly", Frequency, ORG) is None


def test_a_new_spelling_is_accepted() -> None:
    assert codes.alias_clash("frequency", "每三个月一付", "quarterly", Frequency, ORG) is None


def test_normalisation_ignores_width_case_invisible_characters_and_spaces_between_ideographs() -> None:
    assert codes.normalise("季\u200b 付") == codes.normalise("季付") == "季付"
    assert codes.normalise("ＥＶＥＲＹ  3—Months") == "every 3 months"
    assert codes.normalise("押一付 三") == "押一付三"


def test_a_built_in_alias_wins_over_a_stored_row_that_says_otherwise() -> None:
    uow = FakeUnitOfWork()
    uow.seed(rows.CodeAlias(domain="frequency", alias="季付", canonical="monthly"))
    uow.seed(rows.CodeAlias(domain="frequency", alias="两月付款", canonical="bimonthly"))
    merged = leases.aliases(uow, "frequency")
    assert codes.parse_code("frequency", "季付", Frequency, merged) is Frequency.QUARTERLY
    assert codes.parse_code("frequency", "两月付款", Frequency, merged) is Frequency.BIMONTHLY
