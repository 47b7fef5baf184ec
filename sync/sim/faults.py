"""Fault injection for the sync simulator: a transport that drops, duplicates, reorders; a killable server."""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO
from urllib.parse import urlsplit

from sync.client import HttpResponse, Transport, urllib_transport

FAULTS = ("drop", "duplicate", "reorder", "restart")
HOST = "127.0.0.1"
CUT_BEFORE = "cut before the request"
CUT_AFTER = "response lost after the server answered"
DUPLICATED = "batch duplicated"
REORDERED = "later half sent first"
INJECTED = (CUT_BEFORE, CUT_AFTER, DUPLICATED, REORDERED)


@dataclass(frozen=True)
class FaultRates:
    """Probability of each transport fault per push request."""

    drop_before: float = 0.0
    drop_after: float = 0.0
    duplicate: float = 0.0
    reorder: float = 0.0

    @classmethod
    def for_faults(cls, faults: frozenset[str], rate: float) -> FaultRates:
        """The rates for the named faults, each at `rate` (`drop` covers both cut points)."""
        drop = rate if "drop" in faults else 0.0
        return cls(
            drop_before=drop,
            drop_after=drop,
            duplicate=rate if "duplicate" in faults else 0.0,
            reorder=rate if "reorder" in faults else 0.0,
        )


class FaultyTransport:
    """Wraps a transport and injects faults into pushes; counts what it injected (thread-safe)."""

    def __init__(
        self,
        rates: FaultRates,
        rng: random.Random,
        counts: Counter[str],
        lock: threading.Lock,
        inner: Transport = urllib_transport,
    ) -> None:
        """Draw faults from rng (one per device, so a seed replays the same faults) into shared counts."""
        self.rates = rates
        self.rng = rng
        self.counts = counts
        self.lock = lock
        self.inner = inner

    def _count(self, fault: str) -> None:
        with self.lock:
            self.counts[fault] += 1

    def __call__(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | None, timeout: float
    ) -> HttpResponse:
        """Send one request, perhaps with a fault (pushes only: pulls pass untouched)."""
        if method != "POST" or body is None or not urlsplit(url).path.endswith("/sync/push"):
            return self.inner(method, url, headers, body, timeout)
        draw = self.rng.random
        if draw() < self.rates.drop_before:
            self._count(CUT_BEFORE)
            raise ConnectionResetError("injected: connection cut before the request was sent")
        if draw() < self.rates.reorder:
            self._send_later_half_first(url, headers, body, timeout)
        answer = self.inner(method, url, headers, body, timeout)
        if draw() < self.rates.duplicate:
            self._count(DUPLICATED)
            replay = self.inner(method, url, headers, body, timeout)
            # Either answer may be the one that reaches the phone.
            answer = replay if draw() < 0.5 else answer
        if draw() < self.rates.drop_after:
            self._count(CUT_AFTER)
            raise ConnectionResetError("injected: connection cut after the server answered")
        return answer

    def _send_later_half_first(
        self, url: str, headers: Mapping[str, str], body: bytes, timeout: float
    ) -> None:
        """Send the later half of the batch on its own before the whole batch (a reordered retry)."""
        document = json.loads(body)
        commands = document["commands"]
        if len(commands) < 2:
            return
        self._count(REORDERED)
        later = dict(document, commands=commands[len(commands) // 2 :])
        self.inner("POST", url, headers, json.dumps(later, ensure_ascii=False).encode(), timeout)


class ServerProcess:
    """The app under gunicorn on a fixed loopback port, which can be killed and started again."""

    def __init__(self, env: Mapping[str, str], log_path: Path, workers: int = 2, threads: int = 4) -> None:
        """Prepare to serve `backend:create_app()` with env as the whole environment."""
        self.env = dict(env)
        self.log_path = log_path
        self.workers = workers
        self.threads = threads
        self.port = _free_port()
        self.restarts = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    @property
    def url(self) -> str:
        """The base URL the devices talk to."""
        return f"http://{HOST}:{self.port}"

    def start(self, timeout: float = 60) -> None:
        """Start gunicorn and wait for /readyz."""
        self._log = self.log_path.open("ab")
        self._process = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
            [
                sys.executable,
                "-m",
                "gunicorn",
                "--workers",
                str(self.workers),
                "--threads",
                str(self.threads),
                "--bind",
                f"{HOST}:{self.port}",
                "--no-control-socket",
                "backend:create_app()",
            ],
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self._process.returncode}\n{self.log_tail()}")
            if _answers_ready(self.port):
                return
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn not ready after {timeout:.0f} s\n{self.log_tail()}")

    def exit_code(self) -> int | None:
        """The exit status of a server that stopped by itself; None while it runs (or was never started)."""
        process = self._process
        return None if process is None else process.poll()

    def kill(self) -> None:
        """SIGKILL the whole process group: requests in flight die wherever they are."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None

    def restart(self) -> None:
        """Kill the server mid-work and start it again on the same port."""
        self.kill()
        self.restarts += 1
        self.start()

    def stop(self) -> None:
        """Stop gracefully (SIGTERM), killing after a grace period; safe to call twice."""
        process = self._process
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=20)
        self.kill()

    def log_tail(self, lines: int = 30) -> str:
        """The last lines gunicorn wrote."""
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            return f"(no server log: {exc})"
        return "\n".join(text.splitlines()[-lines:])


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _answers_ready(port: int) -> bool:
    connection = http.client.HTTPConnection(HOST, port, timeout=5)
    try:
        connection.request("GET", "/readyz")
        response = connection.getresponse()
        response.read()
        return response.status == 200
    except OSError:
        return False
    finally:
        connection.close()
