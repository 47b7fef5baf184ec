"""The in-memory unit of work keeps to the real storage: the same columns and defaults, scoping, rollback."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest

from backend.core.db.base import Base
from backend.core.domain.access import Scope
from backend.core.domain.errors import NotFound
from backend.org.domain.org import AssetStatus
from tests.support import fake_rows
from tests.support.fake_uow import FakeUnitOfWork, Given

for context in ("core", "org", "field", "leasing", "notify"):
    importlib.import_module(f"backend.{context}.db.models")  # registers the context's mapped classes
MAPPED = {mapper.local_table.name: mapper for mapper in Base.registry.mappers}


@pytest.mark.parametrize("row", fake_rows.ROWS, ids=lambda row: row.table)
def test_a_fake_row_has_its_tables_columns_defaults_and_secrets(row: type[fake_rows.Row]) -> None:
    mapper = MAPPED[row.table]
    columns = {attr.key: attr.columns[0] for attr in mapper.column_attrs}
    assert row.columns == tuple(columns)
    assert set(row.defaults) == {name for name, column in columns.items() if column.default is not None}
    for name, column in columns.items():
        if column.default is not None and column.default.is_scalar:
            assert row.defaults[name] == column.default.arg, name
    assert row.secret == {name for name, column in columns.items() if column.info.get("secret")}


def test_ids_and_defaults_come_at_the_flush_and_every_read_flushes(uow: FakeUnitOfWork, given: Given) -> None:
    project = given.project(given.region())
    asset = uow.assets.create(project_id=project.id, code="A-1", kind="space", asset_type="office")
    assert (asset.id, asset.status) == (None, None)
    assert uow.assets.find(1) is asset
    assert (asset.id, asset.status, asset.status_version) == (1, AssetStatus.VACANT, 1)
    assert asset.project is project


def test_a_rollback_returns_every_row_to_the_last_commit(uow: FakeUnitOfWork, given: Given) -> None:
    project = given.project(given.region())
    kept, dropped = given.asset(project), given.asset(project)
    kept.status, kept.area_m2 = AssetStatus.RESERVED, Decimal("99.00")
    uow.assets.delete(dropped)
    staged = uow.assets.create(project_id=project.id, code="NEW", kind="space", asset_type="office")
    assert len(uow.uncommitted()) == 4

    uow.rollback()

    assert (kept.status, kept.area_m2) == (AssetStatus.VACANT, Decimal("120.50"))
    assert uow.rows("assets") == [kept, dropped]
    assert staged not in uow.rows("assets")
    assert uow.uncommitted() == []
    assert uow.commits == 0


def test_a_row_out_of_scope_is_not_found_like_a_missing_one(uow: FakeUnitOfWork, given: Given) -> None:
    region = given.region()
    asset = given.asset(given.project(region))
    elsewhere = Scope(region_ids=frozenset({region.id + 1}))
    assert uow.assets.get(asset.id, Scope(region_ids=frozenset({region.id}))) is asset
    for scope, asset_id in ((elsewhere, asset.id), (Scope(everything=True), asset.id + 1)):
        with pytest.raises(NotFound):
            uow.assets.get(asset_id, scope)
