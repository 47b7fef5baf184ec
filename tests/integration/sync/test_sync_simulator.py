"""The sync simulator in a small configuration: every fault on, and nothing lost or applied twice."""

from __future__ import annotations

import re

import pytest

from sync.commands import COMMANDS
from sync.sim import simulate
from tests.conftest import IN_CI
from tests.support.postgres import postgres_unavailable_reason

SMALL = ["--devices", "10", "--commands", "10", "--faults", "drop,duplicate,reorder,restart", "--seed", "3"]
# One restart per phase: each costs a gunicorn boot, the rest of the run is fast.
SMALL += ["--restarts", "1", "--fault-rate", "0.15"]


def figure(output: str, name: str) -> int:
    """A figure from the summary table."""
    match = re.search(rf"^\s+{re.escape(name)}\s+([\d,]+)$", output, re.MULTILINE)
    assert match is not None, output
    return int(match.group(1).replace(",", ""))


def run_small(database: str, capsys: pytest.CaptureFixture[str]) -> str:
    """Run the small configuration on a database engine and return its summary."""
    status = simulate.main([*SMALL, "--database", database])
    output = capsys.readouterr().out
    assert status == 0, output
    return output


def test_simulated_phones_lose_and_duplicate_nothing_under_every_fault_on_sqlite(
    capsys: pytest.CaptureFixture[str],
) -> None:
    output = run_small("sqlite", capsys)
    assert figure(output, "lost") == 0
    assert figure(output, "duplicated effects") == 0
    # Ten each in the first two phases, then the inspectors' follow-ups (evidence, cancellations).
    assert figure(output, "commands sent") > 100
    for name in COMMANDS:
        assert figure(output, f"sent {name}") > 0, name
    assert figure(output, "server restarts") >= 1
    assert figure(output, "acknowledged duplicate") > 0


@pytest.mark.skipif(not IN_CI, reason="the PostgreSQL run of the simulator is part of CI (CI=true)")
def test_simulated_phones_lose_and_duplicate_nothing_under_every_fault_on_postgresql(
    capsys: pytest.CaptureFixture[str],
) -> None:
    reason = postgres_unavailable_reason()
    if reason is not None:
        pytest.fail(f"CI must run the PostgreSQL simulation: {reason}")
    output = run_small("postgresql", capsys)
    assert figure(output, "lost") == 0
    assert figure(output, "duplicated effects") == 0
