"""Two status changes decided on the same version: the database lets only the first one through."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy.exc import OperationalError

from backend.core.domain.access import Scope
from backend.core.domain.errors import Conflict
from backend.org.domain.org import AssetStatus
from backend.org.services.asset_status import change_asset_status
from tests.conftest import SYSTEM


def test_the_second_of_two_racing_changes_is_refused_and_changes_nothing(
    backend: str, db: Any, make_region: Any, make_project: Any, make_asset: Any
) -> None:
    asset = make_asset(make_project(make_region("EAST")))
    with db.unit_of_work() as late:
        stale = late.assets.get(asset.id, Scope(everything=True))
        assert stale.status_version == 1
        with db.unit_of_work() as early:
            change_asset_status(asset.id, AssetStatus.RESERVED, "first", SYSTEM, early)
        if backend == "sqlite":
            # SQLite refuses outright to write from a snapshot older than the last commit.
            with pytest.raises(OperationalError, match="locked"):
                late.assets.set_status(stale, AssetStatus.MAINTENANCE, from_version=1)
        else:
            assert not late.assets.set_status(stale, AssetStatus.MAINTENANCE, from_version=1)
    with db.unit_of_work() as check:
        current = check.assets.find(asset.id)
        assert (current.status, current.status_version) == (AssetStatus.RESERVED, 2)


def test_a_change_decided_on_an_old_version_is_refused_by_the_service(
    db: Any, make_region: Any, make_project: Any, make_asset: Any
) -> None:
    asset = make_asset(make_project(make_region("EAST")))
    with db.unit_of_work() as uow:
        change_asset_status(asset.id, AssetStatus.RESERVED, "first", SYSTEM, uow, expected_version=1)
    with db.unit_of_work() as uow, pytest.raises(Conflict) as refused:
        change_asset_status(asset.id, AssetStatus.VACANT, "second", SYSTEM, uow, expected_version=1)
    assert set(refused.value.fields) == {"status_version"}
