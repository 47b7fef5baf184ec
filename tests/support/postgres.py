"""Throwaway PostgreSQL server for tests, started from the system's PostgreSQL binaries."""

import atexit
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Self

import psycopg
from psycopg import sql

# Debian's postgresql package installs one bin dir per major version here.
_DEBIAN_PG_GLOB = "/usr/lib/postgresql/*/bin"

# Fallback when TMPDIR is unusable for the unprivileged server user (not traversable,
# or so long that the unix socket path would exceed the kernel's ~107 byte limit).
# Safe despite being shared: mkdtemp creates a private directory with a random name.
_FALLBACK_TMP = "/tmp"  # noqa: S108

_HOST = "127.0.0.1"
_SUPERUSER = "postgres"
_SOCKET_PATH_MAX = 100
_LOG_TAIL_LINES = 40
_START_ATTEMPTS = 3

# Durability is worthless for a database that is deleted after the run; these make
# DDL-heavy test suites several times faster. max_connections leaves room for
# pytest-xdist workers plus connection pools.
_TEST_SETTINGS = {
    "listen_addresses": _HOST,
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
    "max_connections": "200",
}


def _version_key(bin_dir: Path) -> tuple[int, ...]:
    """Sort key turning /usr/lib/postgresql/9.6/bin into (9, 6)."""
    return tuple(int(part) for part in re.findall(r"\d+", bin_dir.parent.name))


def _has_server_tools(bin_dir: Path) -> bool:
    """Whether a directory holds the tools needed to create and run a cluster."""
    return all((bin_dir / tool).is_file() for tool in ("initdb", "pg_ctl"))


def find_pg_bin_dir() -> Path | None:
    """Return the directory holding initdb and pg_ctl, or None when PostgreSQL is absent."""
    on_path = shutil.which("initdb")
    if on_path is not None:
        # Debian ships no initdb in /usr/bin; a PATH entry is usually a symlink into
        # the versioned bin dir, whose siblings (pg_ctl, postgres) we need too.
        bin_dir = Path(on_path).resolve().parent
        if _has_server_tools(bin_dir):
            return bin_dir
    candidates = [d for d in Path("/").glob(_DEBIAN_PG_GLOB.lstrip("/")) if _has_server_tools(d)]
    if not candidates:
        return None
    return max(candidates, key=_version_key)


def postgres_unavailable_reason() -> str | None:
    """Return why PostgreSQL tests cannot run here, or None when they can."""
    if find_pg_bin_dir() is None:
        return "PostgreSQL binaries not found (install Debian package 'postgresql'); PostgreSQL tests skipped"
    return None


def _free_port() -> int:
    """Return a TCP port on the loopback address that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((_HOST, 0))
        port: int = sock.getsockname()[1]
        return port


def _unprivileged_account() -> pwd.struct_passwd:
    """Return the account to run the server as when we are root."""
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("running as root but neither user 'postgres' nor 'nobody' exists")


def _drop_privileges_prefix(account: pwd.struct_passwd) -> list[str]:
    """Return the command prefix that runs a program as the given account."""
    runuser = shutil.which("runuser")
    if runuser is not None:
        return [runuser, "-u", account.pw_name, "--"]
    setpriv = shutil.which("setpriv")
    if setpriv is not None:
        return [
            setpriv,
            f"--reuid={account.pw_uid}",
            f"--regid={account.pw_gid}",
            "--init-groups",
            "--",
        ]
    raise RuntimeError("running as root but neither 'runuser' nor 'setpriv' is available")


class PostgresServer:
    """A private PostgreSQL cluster on a free loopback port, deleted on stop."""

    def __init__(self, bin_dir: Path | None = None) -> None:
        """Prepare a server using bin_dir, or the binaries find_pg_bin_dir() locates."""
        self._bin_dir = bin_dir if bin_dir is not None else find_pg_bin_dir()
        self._dir: Path | None = None
        self._port: int | None = None
        # initdb and postgres refuse to run as root (CI runs as root).
        self._account = _unprivileged_account() if os.geteuid() == 0 else None
        self._prefix = _drop_privileges_prefix(self._account) if self._account else []

    @property
    def host(self) -> str:
        """Address the server listens on."""
        return _HOST

    @property
    def port(self) -> int:
        """TCP port the server listens on."""
        if self._port is None:
            raise RuntimeError("PostgreSQL server is not running")
        return self._port

    @property
    def directory(self) -> Path:
        """Temporary directory holding the data dir, socket and server log."""
        if self._dir is None:
            raise RuntimeError("PostgreSQL server is not running")
        return self._dir

    @property
    def log_path(self) -> Path:
        """The server's log file."""
        return self.directory / "server.log"

    def url(self, dbname: str) -> str:
        """Return a SQLAlchemy URL for database dbname on this server."""
        return f"postgresql+psycopg://{_SUPERUSER}@{self.host}:{self.port}/{dbname}"

    def create_database(self, name: str, template: str | None = None) -> str:
        """Create database name (optionally as a copy of a template) and return its SQLAlchemy URL."""
        statement = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template is not None:
            statement = sql.SQL("{} TEMPLATE {}").format(statement, sql.Identifier(template))
        self._execute_admin(statement)
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop database name, disconnecting any sessions still attached to it."""
        self._execute_admin(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))

    def start(self) -> None:
        """Create a fresh cluster in a temporary directory and start the server."""
        if self._dir is not None:
            raise RuntimeError("PostgreSQL server already started")
        if self._bin_dir is None:
            raise RuntimeError(postgres_unavailable_reason())
        # Registered before anything can fail so a half-started server is still cleaned up.
        atexit.register(self.stop)
        try:
            self._dir = self._make_directory()
            self._initdb()
            self._configure()
            self._start_server()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Stop the server immediately and delete its directory; safe to call twice."""
        atexit.unregister(self.stop)
        directory, self._dir, self._port = self._dir, None, None
        if directory is None:
            return
        data_dir = directory / "data"
        if (data_dir / "postmaster.pid").exists():
            # Immediate mode: the data is thrown away, so a clean checkpoint is wasted time.
            self._run(
                [self._tool("pg_ctl"), "-D", str(data_dir), "-m", "immediate", "-w", "stop"],
                cwd=directory,
                check=False,
            )
        shutil.rmtree(directory, ignore_errors=True)

    def __enter__(self) -> Self:
        """Start the server for the duration of a with block."""
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server at the end of a with block."""
        self.stop()

    def _tool(self, name: str) -> str:
        """Absolute path of a PostgreSQL program."""
        assert self._bin_dir is not None
        return str(self._bin_dir / name)

    def _run(self, args: list[str], *, cwd: Path, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run a PostgreSQL program as the server's user, capturing its output."""
        return subprocess.run(
            [*self._prefix, *args],
            cwd=cwd,  # the unprivileged user may not be allowed into our working dir
            capture_output=True,
            text=True,
            check=check,
            timeout=120,
        )

    def _make_directory(self) -> Path:
        """Create the private temp dir, owned by the user the server runs as."""
        for base in (tempfile.gettempdir(), _FALLBACK_TMP):
            directory = Path(tempfile.mkdtemp(prefix="pgtest-", dir=base))
            if self._account is not None:
                os.chown(directory, self._account.pw_uid, self._account.pw_gid)
            if self._directory_usable(directory):
                return directory
            shutil.rmtree(directory, ignore_errors=True)
        raise RuntimeError(
            f"no temporary directory usable by the PostgreSQL server "
            f"(tried {tempfile.gettempdir()!r} and {_FALLBACK_TMP!r})"
        )

    def _directory_usable(self, directory: Path) -> bool:
        """Whether the server user can reach directory and fit its socket path in it."""
        socket_path = directory / "socket" / ".s.PGSQL.65535"
        if len(str(socket_path)) > _SOCKET_PATH_MAX:
            return False
        if self._account is None:
            return True
        # Asking the kernel as that user covers every parent, ACLs and all; guessing
        # from mode bits would not.
        probe = self._run(["test", "-x", str(directory)], cwd=Path("/"), check=False)
        return probe.returncode == 0

    def _initdb(self) -> None:
        """Create the cluster, falling back to the C locale where C.UTF-8 is missing."""
        data_dir = self.directory / "data"
        failures: list[str] = []
        for locale in ("C.UTF-8", "C"):
            result = self._run(
                [
                    self._tool("initdb"),
                    "-D",
                    str(data_dir),
                    "-U",
                    _SUPERUSER,
                    "--auth=trust",
                    "--encoding=UTF8",
                    f"--locale={locale}",
                    "--no-sync",  # nothing to protect; skips seconds of fsync
                ],
                cwd=self.directory,
                check=False,
            )
            if result.returncode == 0:
                return
            failures.append(f"--locale={locale}:\n{result.stdout}{result.stderr}")
            shutil.rmtree(data_dir, ignore_errors=True)
        raise RuntimeError("initdb failed\n" + "\n".join(failures))

    def _configure(self) -> None:
        """Append the test settings to postgresql.conf."""
        socket_dir = self.directory / "socket"
        socket_dir.mkdir()
        if self._account is not None:
            os.chown(socket_dir, self._account.pw_uid, self._account.pw_gid)
        settings = {**_TEST_SETTINGS, "unix_socket_directories": str(socket_dir)}
        # Written to the config file rather than passed via pg_ctl -o, which goes
        # through a shell and would mangle paths with spaces or quotes.
        lines = [f"{key} = '{_quote_conf(value)}'" for key, value in settings.items()]
        with (self.directory / "data" / "postgresql.conf").open("a", encoding="utf-8") as conf:
            conf.write("\n# Added by tests/support/postgres.py\n" + "\n".join(lines) + "\n")

    def _start_server(self) -> None:
        """Start postgres on a free port, retrying if another process grabs the port first."""
        for _attempt in range(_START_ATTEMPTS):
            port = _free_port()
            result = self._run(
                [
                    self._tool("pg_ctl"),
                    "-D",
                    str(self.directory / "data"),
                    "-l",
                    str(self.log_path),
                    "-o",
                    f"-p {port}",
                    "-t",
                    "60",
                    "-w",
                    "start",
                ],
                cwd=self.directory,
                check=False,
            )
            if result.returncode == 0:
                self._port = port
                return
            log = self._log_tail()
            # The port is only reserved until _free_port() returns, so losing a race
            # for it is expected now and then; anything else is a real failure.
            if "could not bind" not in log:
                break
        raise RuntimeError(
            f"PostgreSQL server failed to start (pg_ctl exit {result.returncode})\n"
            f"{result.stdout}{result.stderr}\n"
            f"--- last lines of {self.log_path} ---\n{log}"
        )

    def _log_tail(self) -> str:
        """Last lines of the server log, for error messages."""
        try:
            lines = self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()
        except OSError as exc:
            return f"(log unavailable: {exc})"
        return "\n".join(lines[-_LOG_TAIL_LINES:])

    def _execute_admin(self, statement: sql.Composed) -> None:
        """Run a statement that cannot run inside a transaction, as the superuser."""
        with psycopg.connect(
            host=self.host,
            port=self.port,
            user=_SUPERUSER,
            dbname="postgres",
            autocommit=True,  # CREATE/DROP DATABASE refuse to run in a transaction
            connect_timeout=10,
        ) as conn:
            conn.execute(statement)


def _quote_conf(value: str) -> str:
    """Escape a value for a single-quoted postgresql.conf string."""
    return value.replace("\\", "\\\\").replace("'", "''")
