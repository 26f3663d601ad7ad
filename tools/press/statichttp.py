"""Serving a built site over HTTP on this machine, as a static host serves it: files as they are, and
for a path that is not there, the site's ``404.html`` with status 404 (GitHub Pages does the same)."""

from __future__ import annotations

import functools
import http.server
import threading
from contextlib import contextmanager
from pathlib import Path


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Quiet; answers a missing page with the site's own 404 page."""

    def log_message(self, format, *args):  # noqa: A002  (the signature is the standard library's)
        pass

    def send_error(self, code, message=None, explain=None):
        page = Path(self.directory) / "404.html"
        if code != 404 or self.command not in ("GET", "HEAD") or not page.is_file():
            return super().send_error(code, message, explain)
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command == "GET":
            self.wfile.write(body)


def server(folder: Path, bind: str = "127.0.0.1", port: int = 0) -> http.server.ThreadingHTTPServer:
    """A server of ``folder`` running in a background thread (port 0: a free one)."""
    httpd = http.server.ThreadingHTTPServer((bind, port), functools.partial(SiteHandler, directory=str(folder)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd


@contextmanager
def serving(folder: Path):
    """Serve ``folder`` on a free port on 127.0.0.1; yields the base URL."""
    httpd = server(folder)
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
