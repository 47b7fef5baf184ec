"""Serving the built front end (pwa/dist) on the same origin as the API.

Files whose names carry their content hash (`assets/`, `office/_app/`) are cached for a year and never
revalidated; the pages, the service worker and the manifest are revalidated on every load, so a deployment
reaches phones at their next start. Text files go gzip-compressed to clients that accept it.
"""

from __future__ import annotations

import gzip
import mimetypes
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from flask import Flask, Response, redirect, request
from werkzeug.exceptions import NotFound
from werkzeug.routing import PathConverter
from werkzeug.security import safe_join

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
# Folders of the build whose file names change with their content.
HASHED_FOLDERS = ("assets/", "office/_app/", "api-docs/assets/")
COMPRESSIBLE = (".js", ".css", ".html", ".json", ".webmanifest", ".svg", ".wasm", ".map", ".txt")
_MIN_COMPRESS_BYTES = 1024


class AppPathConverter(PathConverter):
    """Any path but the API's and the health checks', so those keep their own method lists."""

    regex = r"(?!api(?:/|$)|healthz$|readyz$)[^/].*?"


@lru_cache(maxsize=256)
def _gzipped(path: str, _mtime_ns: int, _size: int) -> bytes:
    """A file's bytes, gzip-compressed once per version of the file (its mtime and size are the key)."""
    return gzip.compress(Path(path).read_bytes(), compresslevel=9, mtime=0)


def _file_response(dist: Path, name: str) -> Response:
    """One file of the build, compressed where it pays, with the cache policy its name calls for."""
    joined = safe_join(str(dist), name)
    if joined is None or not Path(joined).is_file():
        raise NotFound()
    path = Path(joined)
    stat = path.stat()
    mimetype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.suffix == ".webmanifest":
        mimetype = "application/manifest+json"
    hashed = name.startswith(HASHED_FOLDERS)
    accepts_gzip = "gzip" in request.headers.get("Accept-Encoding", "").lower()
    if accepts_gzip and path.suffix in COMPRESSIBLE and stat.st_size >= _MIN_COMPRESS_BYTES:
        response = Response(_gzipped(str(path), stat.st_mtime_ns, stat.st_size), mimetype=mimetype)
        response.headers["Content-Encoding"] = "gzip"
    else:
        response = Response(path.read_bytes(), mimetype=mimetype)
    response.vary.add("Accept-Encoding")
    response.headers["Cache-Control"] = IMMUTABLE if hashed else REVALIDATE
    response.set_etag(
        f"{stat.st_mtime_ns:x}-{stat.st_size:x}-{'gz' if 'Content-Encoding' in response.headers else 'id'}"
    )
    response.last_modified = datetime.fromtimestamp(stat.st_mtime, UTC)
    response.make_conditional(request)
    return response


def register_front_end(app: Flask) -> None:
    """Serve the field app (`/`), the office app (`/office/`) and the API docs (`/api/docs`) from the build;
    without a build, `/` leads to the OpenAPI document."""
    dist = Path(app.config["PWA_DIST_DIR"])
    app.url_map.converters["app_path"] = AppPathConverter

    def page(folder: str) -> Response:
        """A page of the build, or a plain 404 that says how to build it."""
        if not (dist / folder / "index.html").is_file():
            raise NotFound(f"The front end is not built ({folder}/index.html is missing): `make frontend`.")
        return _file_response(dist, f"{folder}/index.html")

    @app.get("/api/docs")
    def api_docs() -> Response:
        return page("api-docs")

    @app.get("/office")
    def office_root() -> Response:
        return redirect("/office/")  # type: ignore[return-value]

    @app.get("/office/")
    @app.get("/office/<path:path>")
    def office(path: str = "") -> Response:
        if path and (dist / "office" / path).is_file():
            return _file_response(dist, f"office/{path}")
        if path.startswith("_app/"):  # a file of the build that is not there
            raise NotFound()
        # The office app's own routes (/office/leases/12) all load its shell.
        return page("office")

    @app.get("/")
    @app.get("/<app_path:path>")
    def front_end(path: str = "") -> Response:
        if not (dist / "index.html").is_file():
            if path:
                raise NotFound()
            return redirect("/api/openapi.json")  # type: ignore[return-value]
        if path and (dist / path).is_file():
            return _file_response(dist, path)
        if path.startswith(HASHED_FOLDERS):  # an old build's file: not the app shell under its name
            raise NotFound()
        # Client-side routes (e.g. /a/<asset code> from a QR label) all load the app shell.
        return _file_response(dist, "index.html")
