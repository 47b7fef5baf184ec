"""Serving the built front end (pwa/dist) on the same origin as the API."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, Response, redirect, send_from_directory
from werkzeug.exceptions import NotFound
from werkzeug.routing import PathConverter


class AppPathConverter(PathConverter):
    """Any path but the API's and the health checks', so those keep their own method lists."""

    regex = r"(?!api(?:/|$)|healthz$|readyz$)[^/].*?"


def register_front_end(app: Flask) -> None:
    """Serve the field app (`/`), the office app (`/office/`) and the API docs (`/api/docs`) from the build;
    without a build, `/` leads to the OpenAPI document."""
    dist = Path(app.config["PWA_DIST_DIR"])
    app.url_map.converters["app_path"] = AppPathConverter

    def page(folder: str) -> Response:
        """A page of the build, or a plain 404 that says how to build it."""
        if not (dist / folder / "index.html").is_file():
            raise NotFound(f"The front end is not built ({folder}/index.html is missing): `make frontend`.")
        return send_from_directory(dist / folder, "index.html")

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
            return send_from_directory(dist / "office", path)
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
            return send_from_directory(dist, path)
        # Client-side routes (e.g. /a/<asset code> from a QR label) all load the app shell.
        return send_from_directory(dist, "index.html")
