"""The import rule (STYLE.md, "The house"): each floor imports only what it may touch, named file:line."""

from __future__ import annotations

import ast
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("backend", "sync", "qr_tools")
FIRST_PARTY = frozenset({*PACKAGES, "tests"})

# Libraries a domain may use: computation only, no I/O, framework or global state. babel stays out on purpose:
# formatting for people happens at the edges (the API, the notification texts), not in the rules.
# APScheduler is used for its cron triggers only (when a job is due), never for its schedulers. defusedxml and
# mt940 parse bank statements handed to them as text or bytes; rapidfuzz compares names.
PURE = frozenset(
    {"apscheduler", "dateutil", "defusedxml", "holidays", "mt940", "numpy", "rapidfuzz", "shapely"}
)
SQL = frozenset({"sqlalchemy", "alembic"})
WEB = frozenset({"flask", "flask_babel", "flask_smorest", "flask_wtf", "werkzeug", "webargs", "apispec"})
SCHEMAS = frozenset({"marshmallow"})

# Imports the rule refuses but the code needs today, each with its reason. An entry that no longer matches any
# import fails the suite, so the list only shrinks.
EXCEPTIONS: dict[tuple[str, str], str] = {
    ("backend/field/domain/requests.py", "backend.org.domain.org"): (
        "a project's field policy says where its assets go when a lease ends (LeaseEndStatus) and which "
        "of its settings decide whether a confirmation proves presence (PROJECT_FIELD_SETTINGS)"
    ),
    ("backend/field/domain/checklists.py", "backend.org.domain.org"): (
        "the default checklists are written per asset type (AssetType)"
    ),
    ("backend/iot/domain/flags.py", "backend.org.domain.org"): (
        "a flag reads the asset's letting status and kind (AssetStatus, AssetKind) against its signals"
    ),
    ("backend/iot/domain/audit.py", "backend.org.domain.org"): (
        "the audit compares the asset's status (AssetStatus) with its leases, work and field requests"
    ),
    ("backend/api/context.py", "backend.core.db.database"): "opens each request's unit of work",
    ("backend/api/context.py", "backend.core.db.uow"): "opens each request's unit of work",
    ("backend/api/errors.py", "sqlalchemy.exc"): (
        "the one error shape maps the database's refusals: integrity 409, out of range 422, unavailable 503"
    ),
    ("backend/api/errors.py", "backend.core.db.uow"): "names the constraint behind an integrity 409",
    ("backend/api/health/routes.py", "backend.core.db.migrate"): (
        "the health check reports whether the schema is migrated"
    ),
    ("backend/api/sync/routes.py", "backend.core.db.uow"): (
        "hands the sync engine the database's error classifiers, so the engine itself knows no SQLAlchemy"
    ),
    ("sync/sim/simulate.py", "sqlalchemy"): "the simulator counts rows in the server's database after a run",
    ("sync/sim/simulate.py", "tests.support.postgres"): (
        "the simulator's PostgreSQL mode starts the test suite's throwaway server"
    ),
}


def module_of(path: str) -> str:
    """`backend/org/db/models.py` → `backend.org.db.models`; a package's `__init__.py` is the package."""
    parts = path.removesuffix(".py").split("/")
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: str, source: str) -> list[tuple[int, str]]:
    """Every module `source` imports, absolute, with its line; `from a import b` names `a.b` when b is a
    module of this project."""
    package = module_of(path).split(".")
    if not path.endswith("__init__.py"):
        package = package[:-1]
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source, path)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *([node.module] if node.module else [])])
            for alias in node.names:
                submodule = f"{module}.{alias.name}"
                folder = ROOT.joinpath(*submodule.split("."))
                is_module = folder.is_dir() or folder.with_suffix(".py").is_file()
                found.append((node.lineno, submodule if is_module else module))
    return found


def floor_of(path: str) -> tuple[str, str]:
    """The floor a file stands on, and its context (empty outside a context)."""
    parts = path.split("/")
    floor, context = "app", ""
    match parts:
        case ["qr_tools", *_]:
            floor = "qr_tools"
        case ["sync", "db", *_]:
            floor, context = "db", "sync"
        case ["backend", "models.py"]:
            floor = "db"
        case ["sync", "client" | "sim" as package, *_]:
            floor, context = package, "sync"
        case ["sync", _]:
            floor, context = "sync", "sync"
        case ["backend", "api" | "adapters" | "demo" as package, *_]:
            floor = package
        case ["backend", name, "domain" | "services" | "db" as package, *_]:
            floor, context = package, name
        case ["backend", name, "jobs.py"]:
            floor, context = "jobs", name
        case ["backend", name, _]:
            floor, context = "edge", name
    return floor, context


def layer_of(module: str) -> str:
    """The floor an imported module of this project stands on ("" when none of domain, services, db)."""
    parts = module.split(".")
    if module == "backend.models" or parts[:2] == ["sync", "db"]:
        return "db"
    if parts[0] == "backend" and len(parts) > 2 and parts[2] in {"domain", "services", "db"}:
        return parts[2]
    return ""


def _top(module: str) -> str:
    return module.partition(".")[0]


def _within(module: str, *packages: str) -> bool:
    return any(module == package or module.startswith(package + ".") for package in packages)


def _domain(module: str, context: str) -> bool:
    return _top(module) in PURE or _within(module, "backend.core.domain", f"backend.{context}.domain")


def _services(module: str, _context: str) -> bool:
    if _top(module) in PURE or _within(module, "backend.adapters", "qr_tools"):
        return True
    # sync's repository ports sit beside its engine, which is sync's service layer.
    return layer_of(module) in {"domain", "services"} or module == "sync.ports"


def _jobs(module: str, context: str) -> bool:
    return layer_of(module) != "db" and _within(module, "backend.core", f"backend.{context}")


def _no_http(module: str, _context: str) -> bool:
    return _top(module) not in WEB | SCHEMAS and not _within(module, "backend.api")


def _no_db(module: str, _context: str) -> bool:
    return layer_of(module) != "db"


def _sync(module: str, context: str) -> bool:
    return _no_db(module, context) and _top(module) not in WEB and not _within(module, "backend.api")


def _edge(module: str, context: str) -> bool:
    return _no_db(module, context) and _no_http(module, context)


def _adapters(module: str, context: str) -> bool:
    # A context's domain holds the interfaces adapters implement and the values they carry (the channels).
    own = (
        _top(module) not in FIRST_PARTY or _within(module, "backend.adapters") or layer_of(module) == "domain"
    )
    return own and _no_http(module, context)


def _client(module: str, _context: str) -> bool:
    return _top(module) not in FIRST_PARTY or _within(module, "sync.client", "sync.protocol")


def _qr_tools(module: str, _context: str) -> bool:
    return _top(module) not in FIRST_PARTY or _within(module, "qr_tools")


def _anything(_module: str, _context: str) -> bool:
    return True


# What each floor may import besides the standard library, and what a refusal says.
RULES: dict[str, tuple[Callable[[str, str], bool], str]] = {
    "domain": (_domain, "a domain imports only the standard library, the PURE libraries and core's domain"),
    "services": (
        _services,
        "services import domains, services, adapters, qr_tools: no db, Flask or marshmallow",
    ),
    "jobs": (_jobs, "a context's jobs call its own services and core's"),
    "api": (_no_db, "the API reaches the database through services and the unit of work, never a db package"),
    "sync": (_sync, "sync knows no Flask and no db package: the view decodes, the engine calls services"),
    "db": (_no_http, "db code knows nothing of HTTP"),
    "demo": (_edge, "demo data goes in through services and the unit of work, knowing nothing of HTTP"),
    "edge": (_edge, "a context's own modules know neither db packages nor HTTP"),
    "adapters": (_adapters, "adapters know only the domains (errors, the interfaces), each other, no HTTP"),
    "client": (_client, "the reference client talks to the server over HTTP only, as a phone does"),
    "qr_tools": (_qr_tools, "qr_tools is a library of its own"),
    "sim": (_anything, ""),
    "app": (_anything, ""),
}


def refusal(path: str, module: str) -> str | None:
    """Why `path` may not import `module`, or None when it may."""
    floor, context = floor_of(path)
    top = _top(module)
    if top in sys.stdlib_module_names:
        return None
    if top in SQL and floor != "db":
        return "only db packages know SQL"
    if top == "tests":
        return "the product never imports its tests"
    allowed, reason = RULES[floor]
    return None if allowed(module, context) else reason


def project_files() -> dict[str, str]:
    """Every Python file of the packages, by path, except the migrations' revisions."""
    return {
        path.relative_to(ROOT).as_posix(): path.read_text(encoding="utf-8")
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "versions" not in path.parts
    }


def violations(files: dict[str, str]) -> tuple[list[str], set[tuple[str, str]]]:
    """Every refused import as `file:line: module (reason)`, and the exceptions that were used."""
    found, used = [], set()
    for path, source in files.items():
        for line, module in imports_of(path, source):
            reason = refusal(path, module)
            if reason is None:
                continue
            if (path, module) in EXCEPTIONS:
                used.add((path, module))
                continue
            found.append(f"{path}:{line}: imports {module} ({reason})")
    return found, used


def test_every_floor_imports_only_what_it_may_touch() -> None:
    found, _ = violations(project_files())
    assert not found, "the import rule is broken:\n" + "\n".join(found)


def test_every_exception_is_still_needed() -> None:
    _, used = violations(project_files())
    stale = sorted(f"{path} → {module}" for path, module in EXCEPTIONS.keys() - used)
    assert not stale, "these exceptions match no refused import any more; delete them:\n" + "\n".join(stale)


def test_a_planted_violation_is_named_by_file_and_line() -> None:
    planted = {
        "backend/field/domain/planted.py": (
            '"""Planted."""\n\nimport sqlalchemy\nfrom backend.leasing.domain import leases\n'
        ),
        "backend/leasing/services/planted.py": "from backend.leasing.db import repositories\n",
        "backend/api/planted/routes.py": "from ...org.db import models\n",
    }
    found, _ = violations(planted)
    assert [entry.partition(" (")[0] for entry in found] == [
        "backend/field/domain/planted.py:3: imports sqlalchemy",
        "backend/field/domain/planted.py:4: imports backend.leasing.domain.leases",
        "backend/leasing/services/planted.py:1: imports backend.leasing.db.repositories",
        "backend/api/planted/routes.py:1: imports backend.org.db.models",
    ]
