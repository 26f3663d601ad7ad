"""``press serve``: build, serve the output on localhost, rebuild on change."""

from __future__ import annotations

import http.server
import time
from pathlib import Path

from . import statichttp
from .build import BuildFailed, build
from .problems import PressError

WATCHED = ("content", "editorial", "theme", "pelicanconf.py", "publishconf.py")


def snapshot(root: Path) -> dict[str, tuple[float, int]]:
    """Modification time and size of everything a build reads."""
    stamps: dict[str, tuple[float, int]] = {}
    for name in WATCHED:
        path = root / name
        for child in [path] if path.is_file() else (path.rglob("*") if path.is_dir() else ()):
            if child.is_file():
                stat = child.stat()
                stamps[str(child.relative_to(root))] = (stat.st_mtime, stat.st_size)
    return stamps


class DevServer:
    """Serves the built site and rebuilds it when a source changes."""

    def __init__(self, root: Path, output: Path | None, echo=print, now=None):
        self.now = now
        self.root = Path(root).resolve()
        self.output = output
        self.echo = echo
        self.seen = snapshot(self.root)
        self.site = self.rebuild()
        self.httpd: http.server.ThreadingHTTPServer | None = None

    def rebuild(self) -> Path | None:
        try:
            result = build(self.root, self.output, notice=self.echo, now=self.now)
        except PressError as exc:
            if not hasattr(self, "site"):
                raise  # the first build: the output path itself is wrong
            self.echo(f"press: {exc}")
            self.echo("build failed; still serving the previous site")
            return None
        except BuildFailed as exc:
            for reason in exc.reasons:
                self.echo(reason)
            self.echo("build failed; still serving the previous site")
            return None
        for line in result.summary():
            self.echo(line)
        return result.output

    def rebuild_if_changed(self) -> bool:
        now = snapshot(self.root)
        if now == self.seen:
            return False
        self.seen = now
        self.echo("change detected; rebuilding")
        self.rebuild()
        return True

    def start(self, bind: str, port: int) -> tuple[str, int]:
        """Serve in a background thread; returns the bound address (port 0 picks a free one)."""
        # The output path is a link to the current build: each request follows it, so a rebuild is
        # served from the moment it is swapped in.
        self.httpd = statichttp.server(self.site, bind, port)
        return self.httpd.server_address[:2]

    def stop(self) -> None:
        if self.httpd:
            self.httpd.shutdown()
            self.httpd.server_close()


def serve(root: Path, output: Path | None, bind: str, port: int, echo=print, interval: float = 1.0, now=None) -> None:
    """``now``: build every time as of this instant (default: the clock at each rebuild)."""
    server = DevServer(root, output, echo, now)
    if server.site is None:
        raise SystemExit(1)
    host, port = server.start(bind, port)
    echo(f"serving http://{host}:{port}/ — rebuilding on changes; Ctrl-C to stop")
    try:
        while True:
            time.sleep(interval)
            server.rebuild_if_changed()
    except KeyboardInterrupt:
        server.stop()
