"""What the built field app (pwa/dist) loads at start, and how big its files are."""

from __future__ import annotations

import gzip
import json
import re
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

INITIAL_JS_BUDGET = 150 * 1024
# The office app (office/index.html): a desktop page, its screens and libraries loaded when opened.
OFFICE_INITIAL_JS_BUDGET = 250 * 1024
# Static imports in built JS (`import{a as b}from"./x.js"`, `import"./y.js"`), not dynamic `import("./z.js")`.
STATIC_IMPORT = re.compile(
    r"""(?<![\w$.])(?:import|export)\s*(?:[\w$*{}\s,]+?\s*from\s*)?["']([^"'\s]+\.m?js)["']"""
)
# The start of a WebAssembly module ("\0asm") in base64: a wasm inlined into JS.
INLINED_WASM = "AGFzbQ"


class IndexHtml(HTMLParser):
    """The links and scripts of index.html."""

    def __init__(self) -> None:
        super().__init__()
        self.links: list[dict[str, str]] = []
        self.scripts: list[dict[str, str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "link":
            self.links.append(values)
        elif tag == "script":
            self.scripts.append(values)


def read_index(dist: Path, page: str = "index.html") -> IndexHtml:
    """The parsed index.html (or another page) of a build."""
    parser = IndexHtml()
    parser.feed((dist / page).read_text(encoding="utf-8"))
    return parser


def in_dist(dist: Path, url: str, base: str = "/") -> Path:
    """The file of the build that a URL of the app names (absolute, or relative to the page `base`)."""
    path = urlsplit(urljoin(f"http://app{base}", url)).path
    return dist / unquote(path).lstrip("/")


def manifest_of(dist: Path) -> tuple[Path, dict[str, Any]]:
    """The web manifest index.html links, and its content."""
    [link] = [link for link in read_index(dist).links if "manifest" in link.get("rel", "").split()]
    path = in_dist(dist, link["href"])
    assert path.is_file(), f"index.html links a manifest that is not in the build: {link['href']}"
    return path, json.loads(path.read_text(encoding="utf-8"))


def initial_js(dist: Path, page: str = "index.html") -> list[Path]:
    """The entry scripts of a page (the field app's index.html unless told), their modulepreloads, and every
    module they import statically."""
    index = read_index(dist, page)
    urls = [script["src"] for script in index.scripts if script.get("src")]
    urls += [link["href"] for link in index.links if "modulepreload" in link.get("rel", "").split()]
    pending = [(in_dist(dist, url), url) for url in urls]
    seen: dict[Path, None] = {}
    while pending:
        path, url = pending.pop()
        if path in seen:
            continue
        assert path.is_file(), f"{page} loads {url}, which is not in the build"
        seen[path] = None
        base = "/" + path.relative_to(dist).as_posix()
        for imported in STATIC_IMPORT.findall(path.read_text(encoding="utf-8", errors="replace")):
            if imported.startswith((".", "/")):
                pending.append((in_dist(dist, imported, base), imported))
    return sorted(seen)


def gzipped_size(path: Path) -> int:
    """Its size gzipped at level 9."""
    return len(gzip.compress(path.read_bytes(), compresslevel=9))
