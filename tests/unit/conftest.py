"""Fixtures of the unit tests: an in-memory unit of work and the rows given to it."""

from __future__ import annotations

import pytest

from tests.support.fake_uow import FakeUnitOfWork, Given


@pytest.fixture
def uow() -> FakeUnitOfWork:
    """An empty in-memory unit of work."""
    return FakeUnitOfWork()


@pytest.fixture
def given(uow: FakeUnitOfWork) -> Given:
    """Stores rows in `uow` as if committed before the test."""
    return Given(uow)
