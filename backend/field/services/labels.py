"""Use cases for QR labels: print a project's label sheet, one asset's label, check decoded labels."""

from __future__ import annotations

import enum
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from ipaddress import ip_address
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from backend.core.domain.access import Permission as P
from backend.core.domain.access import Scope
from backend.core.domain.audit import AuditAction
from backend.core.domain.errors import N_, ValidationFailed
from backend.core.services import audit
from backend.core.services.context import Actor
from backend.core.services.unit_of_work import UnitOfWork
from qr_tools.fonts import find_cjk_font
from qr_tools.payload import Keyring, LabelScan, build, parse, parse_keyring
from qr_tools.render import LabelContent, label_png, label_svg
from qr_tools.sheets import LAYOUTS, Layout, write_pdf
from qr_tools.verify import DecodedCode

SINGLE_LABEL_MM = (50.0, 30.0)
LABEL_FORMATS = ("png", "svg")


@dataclass(frozen=True)
class LabelSettings:
    """Where labels point (the public address), the keys that sign them, the font for their text."""

    base_url: str
    keyring: Keyring
    font_path: str | None = None

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> LabelSettings:
        """The settings of an application's configuration."""
        return cls(
            config["PUBLIC_BASE_URL"],
            parse_keyring(config["LABEL_SIGNING_KEYS"]),
            config.get("LABEL_FONT_PATH"),
        )

    @property
    def is_loopback(self) -> bool:
        """Whether labels would point at this machine only (phones cannot open them)."""
        host = (urlsplit(self.base_url).hostname or "").lower()
        if host == "localhost":
            return True
        try:
            return ip_address(host).is_loopback or ip_address(host).is_unspecified
        except ValueError:
            return False

    def font(self) -> Path:
        """The CJK font file for label text (FontNotFound when none is installed)."""
        return find_cjk_font(self.font_path)


def _layout(name: str) -> Layout:
    layout = LAYOUTS.get(name)
    if layout is None:
        raise ValidationFailed.single("layout", N_("Unknown layout; use a4-3x8, a4-4x10 or roll-50x30."))
    return layout


def _project(project_ref: int | str, scope: Scope, uow: UnitOfWork) -> Any:
    """A project by id or by code, within the scope."""
    if isinstance(project_ref, int):
        return uow.projects.get(project_ref, scope)
    return uow.projects.by_code(project_ref, scope)


def print_sheet(
    project_ref: int | str,
    statuses: Collection[str],
    layout_name: str,
    settings: LabelSettings,
    actor: Actor,
    uow: UnitOfWork,
    out: BinaryIO,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Write the label sheet PDF of a project's assets (optionally only some statuses); returns the count.

    progress(done, total) is called after each page.
    """
    scope = actor.require(P.LABEL_PRINT)
    layout = _layout(layout_name)
    project = _project(project_ref, scope, uow)
    assets = uow.assets.in_project(project.id, statuses, scope)
    if not assets:
        raise ValidationFailed.single("status", N_("The project has no assets to label with these statuses."))
    labels = (
        LabelContent(build(settings.base_url, a.code, settings.keyring), a.code, project.name) for a in assets
    )
    done = 0

    def page_done(on_page: int) -> None:
        nonlocal done
        done += on_page
        if progress is not None:
            progress(done, len(assets))

    count = write_pdf(layout, labels, out, settings.font(), page_done)
    audit.record(
        uow,
        actor,
        AuditAction.PRINT_LABELS,
        "project",
        project.id,
        after={"layout": layout.name, "labels": count, "statuses": sorted(statuses)},
        region_id=project.region_id,
        project_id=project.id,
    )
    uow.commit()
    return count


def asset_label(asset_id: int, fmt: str, settings: LabelSettings, actor: Actor, uow: UnitOfWork) -> bytes:
    """One asset's label, 50 × 30 mm, as PNG (300 dpi) or SVG."""
    if fmt not in LABEL_FORMATS:
        raise ValidationFailed.single("format", N_("Use png or svg."))
    asset = uow.assets.get(asset_id, actor.require(P.LABEL_PRINT))
    content = LabelContent(
        build(settings.base_url, asset.code, settings.keyring), asset.code, asset.project.name
    )
    if fmt == "svg":
        return label_svg(content, SINGLE_LABEL_MM).encode()
    return label_png(content, SINGLE_LABEL_MM, settings.font())


class LabelProblem(enum.StrEnum):
    """Why a decoded label fails the check against the database (besides a refused payload)."""

    UNKNOWN_ASSET = "unknown_asset"
    DUPLICATE = "duplicate"


@dataclass(frozen=True)
class LabelCheck:
    """One decoded code and its verdict: `problem` is None, a payload Rejection or a LabelProblem."""

    decoded: DecodedCode
    scan: LabelScan
    problem: str | None = None
    detail: str = ""

    @property
    def ok(self) -> bool:
        """Whether the label is a valid, signed label of a known asset, seen once."""
        return self.problem is None

    def describe(self) -> str:
        """One line for a report."""
        subject = self.scan.asset_code or repr(self.decoded.text[:60])
        verdict = f"OK (key {self.scan.key_id})" if self.ok else f"{self.problem}: {self.detail}"
        return f"page {self.decoded.page}: {subject}: {verdict}"


def verify_codes(
    codes: Sequence[DecodedCode], settings: LabelSettings, actor: Actor, uow: UnitOfWork
) -> list[LabelCheck]:
    """Check decoded labels: a valid signature, an asset the actor can see, each asset only once."""
    scope = actor.require(P.LABEL_PRINT)
    scans = [parse(code.text, settings.keyring, settings.base_url) for code in codes]
    known = uow.assets.by_codes({s.asset_code for s in scans if s.verified and s.asset_code}, scope)
    first_seen: dict[str, DecodedCode] = {}
    checks = []
    for code, scan in zip(codes, scans, strict=True):
        if scan.rejection is not None:
            checks.append(LabelCheck(code, scan, scan.rejection.value, scan.rejection.description))
        elif scan.asset_code not in known:
            checks.append(LabelCheck(code, scan, LabelProblem.UNKNOWN_ASSET, "no such asset (or not yours)"))
        elif scan.asset_code in first_seen:
            detail = f"already on page {first_seen[scan.asset_code].page}"
            checks.append(LabelCheck(code, scan, LabelProblem.DUPLICATE, detail))
        else:
            first_seen[scan.asset_code] = code
            checks.append(LabelCheck(code, scan))
    return checks
