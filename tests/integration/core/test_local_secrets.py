"""The embedded default's generated secrets: made once, shared by every server process that starts at once."""

from __future__ import annotations

import multiprocessing
import secrets
import stat
from pathlib import Path

import pytest

from backend import config


def _read_secret(barrier: object, results: object) -> None:
    barrier.wait()  # type: ignore[attr-defined]
    results.put(config._kept_secret("label_signing_keys", lambda: secrets.token_urlsafe(32)))  # type: ignore[attr-defined]


def test_worker_processes_starting_together_all_use_the_one_secret_that_was_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(config, "VAR_DIR", tmp_path / "var")
    context = multiprocessing.get_context("fork")
    barrier, results = context.Barrier(8), context.Queue()
    workers = [context.Process(target=_read_secret, args=(barrier, results)) for _ in range(8)]
    for worker in workers:
        worker.start()
    seen = {results.get(timeout=30) for _ in workers}
    for worker in workers:
        worker.join(timeout=30)

    kept = (tmp_path / "var" / "label_signing_keys").read_text()
    assert seen == {kept}
    assert len(kept) >= 32
    assert stat.S_IMODE((tmp_path / "var" / "label_signing_keys").stat().st_mode) == 0o600
    assert [path.name for path in (tmp_path / "var").iterdir()] == ["label_signing_keys"]


def test_a_kept_secret_is_read_back_and_not_made_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(config, "VAR_DIR", tmp_path)
    first = config._kept_secret("secret_key", lambda: "first")
    again = config._kept_secret("secret_key", lambda: "second")
    assert (first, again) == ("first", "first")
