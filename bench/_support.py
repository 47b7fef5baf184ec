"""Benchmark plumbing: the bare ceiling app, a gunicorn subprocess and two HTTP load generators."""

from __future__ import annotations

import http.client
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from flask import Flask

REPO_ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
# Generous on purpose: a queued request on a saturated server is slow, not failed.
REQUEST_TIMEOUT_SECONDS = 30
_LOG_TAIL_LINES = 30
_WRK_MARKER = "BENCH_RESULT "

# The ceiling: the same gunicorn, Flask and HTTP stack as the real app, minus everything LeaseKeeper adds
# (auth, database, marshmallow). Kept at module level so gunicorn can load `bench._support:ceiling_app`.
ceiling_app = Flask(__name__)
CEILING_PATH = "/ping"


@ceiling_app.get(CEILING_PATH)
def ping() -> dict[str, str]:
    """A small JSON body, no database."""
    return {"status": "ok"}


def free_port() -> int:
    """A loopback TCP port that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


class GunicornServer:
    """gunicorn serving one WSGI app on a free loopback port, as a subprocess in its own session."""

    def __init__(
        self,
        app: str,
        env: Mapping[str, str],
        log_path: Path,
        workers: int,
        threads: int,
        *,
        gunicorn: Sequence[str] = (sys.executable, "-m", "gunicorn"),
        port: int | None = None,
    ) -> None:
        """Prepare to serve app (a gunicorn app spec) with env as the whole environment.

        `gunicorn` is the command that starts it (another virtualenv's, say); `port` a fixed port to
        bind instead of a free one (for apps whose configuration names their own address).
        """
        self.app = app
        self.gunicorn = tuple(gunicorn)
        self.fixed_port = port
        self.env = dict(env)
        self.log_path = log_path
        self.workers = workers
        self.threads = threads
        self.port = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._log: IO[bytes] | None = None

    def start(self, ready_path: str, timeout: float = 60) -> None:
        """Start gunicorn and wait until ready_path answers 200."""
        self.port = self.fixed_port or free_port()
        self._log = self.log_path.open("wb")
        self._process = subprocess.Popen(
            [
                *self.gunicorn,
                "--workers",
                str(self.workers),
                "--threads",
                str(self.threads),
                "--bind",
                f"{HOST}:{self.port}",
                # Otherwise gunicorn puts a control socket in the home directory, shared by every
                # server we start; it plays no part in serving requests.
                "--no-control-socket",
                self.app,
            ],
            cwd=REPO_ROOT,
            env=self.env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            # Own process group: stop() can reach the workers even if the master misbehaves, and
            # Ctrl-C in the terminal reaches only us, whose finally blocks then shut gunicorn down.
            start_new_session=True,
        )
        self._wait_ready(ready_path, timeout)

    def _wait_ready(self, path: str, timeout: float) -> None:
        """Poll path until it answers 200; fail with gunicorn's log if it dies or never gets ready."""
        assert self._process is not None
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self._process.returncode}\n{self.log_tail()}")
            connection = http.client.HTTPConnection(HOST, self.port, timeout=5)
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                body = response.read()
                if response.status == 200:
                    return
                last = f"HTTP {response.status}: {body[:200]!r}"
            except OSError as exc:
                last = str(exc)
            finally:
                connection.close()
            time.sleep(0.2)
        raise RuntimeError(f"gunicorn not ready on {path} after {timeout:.0f} s ({last})\n{self.log_tail()}")

    def log_tail(self) -> str:
        """The last lines gunicorn wrote, for error messages."""
        try:
            lines = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError as exc:
            return f"(gunicorn log unavailable: {exc})"
        return "\n".join(["--- gunicorn log (tail) ---", *lines[-_LOG_TAIL_LINES:]])

    def stop(self) -> None:
        """Stop gunicorn and its workers; safe to call twice."""
        process, self._process = self._process, None
        if process is not None and process.poll() is None:
            # SIGTERM is gunicorn's graceful stop; idle workers exit at once.
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        if self._log is not None:
            self._log.close()
            self._log = None


@dataclass(frozen=True)
class Measurement:
    """What one load run observed."""

    requests: int
    seconds: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    first_error: str = ""

    @property
    def requests_per_second(self) -> float:
        """Completed requests (errors included) per second of wall time."""
        return self.requests / self.seconds if self.seconds > 0 else 0.0


def percentile(sorted_values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values (0 for none)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(fraction * len(sorted_values)))
    return sorted_values[rank - 1]


def wrk_version() -> str | None:
    """wrk's version line when wrk is installed, else None."""
    executable = shutil.which("wrk")
    if executable is None:
        return None
    # wrk has no --version that exits 0; the banner is the first line of its usage text.
    result = subprocess.run([executable, "--version"], capture_output=True, text=True, check=False)
    first = (result.stdout or result.stderr).splitlines()
    return first[0].split(" Copyright")[0].strip() if first else "wrk"


class PythonLoad:
    """Closed-loop load from threads, one http.client connection each (reopened when the server closes)."""

    name = "python"

    def __init__(self, connections: int) -> None:
        """Use this many concurrent connections."""
        self.connections = connections

    def run(self, port: int, paths: Sequence[str], headers: Mapping[str, str], seconds: float) -> Measurement:
        """Request paths round-robin (each connection from its own offset) for seconds."""
        latencies: list[list[float]] = [[] for _ in range(self.connections)]
        errors: list[list[str]] = [[] for _ in range(self.connections)]
        started = time.perf_counter()
        deadline = started + seconds
        threads = [
            threading.Thread(
                target=self._connection,
                args=(port, paths, dict(headers), deadline, index * len(paths) // self.connections),
                kwargs={"latencies": latencies[index], "errors": errors[index]},
                daemon=True,
            )
            for index in range(self.connections)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        merged = sorted(value for chunk in latencies for value in chunk)
        failures = [message for chunk in errors for message in chunk]
        return Measurement(
            requests=len(merged),
            seconds=elapsed,
            p50_ms=percentile(merged, 0.50) * 1000,
            p95_ms=percentile(merged, 0.95) * 1000,
            p99_ms=percentile(merged, 0.99) * 1000,
            errors=len(failures),
            first_error=failures[0] if failures else "",
        )

    @staticmethod
    def _connection(
        port: int,
        paths: Sequence[str],
        headers: dict[str, str],
        deadline: float,
        offset: int,
        *,
        latencies: list[float],
        errors: list[str],
    ) -> None:
        """One connection's loop; each thread appends only to its own lists."""
        connection = http.client.HTTPConnection(HOST, port, timeout=REQUEST_TIMEOUT_SECONDS)
        index = offset
        try:
            while True:
                began = time.perf_counter()
                if began >= deadline:
                    return
                path = paths[index % len(paths)]
                index += 1
                try:
                    connection.request("GET", path, headers=headers)
                    response = connection.getresponse()
                    body = response.read()
                except (OSError, http.client.HTTPException) as exc:
                    connection.close()
                    latencies.append(time.perf_counter() - began)
                    errors.append(f"GET {path}: {type(exc).__name__}: {exc}")
                    continue
                latencies.append(time.perf_counter() - began)
                if not 200 <= response.status < 300:
                    errors.append(f"GET {path}: HTTP {response.status} {body[:200]!r}")
        finally:
            connection.close()


# Per-thread counters live in each wrk thread's own Lua state; done() collects them through setup().
_WRK_SCRIPT = r"""
local paths = {paths}
local headers = {headers}
local threads = {{}}
local next_id = 0

-- Keeps error text safe inside a JSON string: no quotes, backslashes, control or non-ASCII bytes.
local function clean(text)
  local short = string.gsub(string.sub(text, 1, 200), "[^ -~]", "?")
  return (string.gsub(short, '["\\]', "'"))
end

function setup(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

function init(args)
  index = thread_id * 7919
  bad = 0
  first_bad = ""
end

function request()
  index = index + 1
  return wrk.format("GET", paths[(index % #paths) + 1], headers)
end

function response(status, response_headers, body)
  if status < 200 or status > 299 then
    if bad == 0 then
      -- No path: with several connections per thread, the last request built is not this one.
      first_bad = clean("HTTP " .. status .. " " .. (body or ""))
    end
    bad = bad + 1
  end
end

function done(summary, latency, requests)
  local bad_total = 0
  local first = ""
  for _, thread in ipairs(threads) do
    bad_total = bad_total + thread:get("bad")
    if first == "" then first = thread:get("first_bad") end
  end
  local e = summary.errors
  io.write("{marker}")
  io.write(string.format(
    '{{"requests": %d, "duration_us": %d, "p50_us": %d, "p95_us": %d, "p99_us": %d, ' ..
    '"non_2xx": %d, "socket_errors": %d, "first_error": "%s"}}\n',
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    bad_total, e.connect + e.read + e.write + e.timeout, first))
end
"""


def _lua_string(value: str) -> str:
    """A Lua string literal (JSON string escapes are valid Lua for the ASCII we send)."""
    return json.dumps(value, ensure_ascii=True)


class WrkLoad:
    """Load from wrk with a Lua script that rotates paths, sets headers and counts non-2xx answers."""

    name = "wrk"

    def __init__(self, connections: int, script_dir: Path) -> None:
        """Use this many connections; write Lua scripts into script_dir."""
        self.connections = connections
        self.script_dir = script_dir
        self._scripts = 0

    def run(self, port: int, paths: Sequence[str], headers: Mapping[str, str], seconds: float) -> Measurement:
        """Run wrk for seconds (whole seconds, at least one) and parse the figures its done() prints."""
        self._scripts += 1
        script = self.script_dir / f"load-{self._scripts}.lua"
        script.write_text(
            _WRK_SCRIPT.format(
                paths="{" + ", ".join(_lua_string(path) for path in paths) + "}",
                headers="{"
                + ", ".join(f"[{_lua_string(k)}] = {_lua_string(v)}" for k, v in headers.items())
                + "}",
                marker=_WRK_MARKER,
            ),
            encoding="utf-8",
        )
        wrk = shutil.which("wrk")
        if wrk is None:
            raise RuntimeError("wrk disappeared from PATH")
        result = subprocess.run(
            [
                wrk,
                # One thread drives all connections: this 2-core machine also runs the server.
                "--threads",
                "1",
                "--connections",
                str(self.connections),
                "--duration",
                f"{max(1, round(seconds))}s",
                "--timeout",
                f"{REQUEST_TIMEOUT_SECONDS}s",
                "--script",
                str(script),
                f"http://{HOST}:{port}",
            ],
            capture_output=True,
            text=True,
            errors="replace",
            check=False,
            timeout=seconds + REQUEST_TIMEOUT_SECONDS + 30,
        )
        lines = [line for line in result.stdout.splitlines() if line.startswith(_WRK_MARKER)]
        if result.returncode != 0 or not lines:
            raise RuntimeError(f"wrk failed (exit {result.returncode})\n{result.stdout}{result.stderr}")
        figures = json.loads(lines[-1].removeprefix(_WRK_MARKER))
        return Measurement(
            requests=figures["requests"],
            seconds=figures["duration_us"] / 1e6,
            p50_ms=figures["p50_us"] / 1000,
            p95_ms=figures["p95_us"] / 1000,
            p99_ms=figures["p99_us"] / 1000,
            errors=figures["non_2xx"] + figures["socket_errors"],
            first_error=figures["first_error"]
            or (f"{figures['socket_errors']} socket errors" if figures["socket_errors"] else ""),
        )
