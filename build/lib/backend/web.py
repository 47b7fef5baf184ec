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
    """Serve the app shell and its assets; without a build, `/` leads to the API docs."""
    dist = Path(app.config["PWA_DIST_DIR"])
    app.url_map.converters["app_path"] = AppPathConverter

    @app.get("/")
    @app.get("/<app_path:path>")
    def front_end(path: str = "") -> Response:
        if not (dist / "index.html").is_file():
            if path:
                raise NotFound()
            return redirect("/api/docs")  # type: ignore[return-value]
        if path and (dist / path).is_file():
            return send_from_directory(dist, path)
        # Client-side routes (e.g. /a/<asset code> from a QR label) all load the app shell.
        return send_from_directory(dist, "index.html")
