"""``press serve``: build, serve the output on localhost, rebuild on change."""

from __future__ import annotations

import functools
import http.server
import threading
import time
from pathlib import Path

from .build import BuildFailed, build

WATCHED = ("content", "editorial", "theme", "pelicanconf.py", "publishconf.py")


def snapshot(root: Path) -> dict[str, float]:
    """Modification times of everything a build reads."""
    stamps: dict[str, float] = {}
    for name in WATCHED:
        path = root / name
        if path.is_file():
            stamps[name] = path.stat().st_mtime
        for child in path.rglob("*") if path.is_dir() else ():
            if child.is_file():
                stamps[str(child)] = child.stat().st_mtime
    return stamps


def _build(root: Path, output: Path | None, echo) -> Path | None:
    try:
        result = build(root, output)
    except BuildFailed as exc:
        for reason in exc.reasons:
            echo(reason)
        echo("build failed; still serving the previous site")
        return None
    for line in result.summary():
        echo(line)
    return result.output


def serve(root: Path, output: Path | None, bind: str, port: int, echo=print, interval: float = 1.0) -> None:
    root = Path(root).resolve()
    site = _build(root, output, echo)
    if site is None:
        raise SystemExit(1)
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer((bind, port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    echo(f"serving http://{bind}:{port}/ — rebuilding on changes; Ctrl-C to stop")
    seen = snapshot(root)
    try:
        while True:
            time.sleep(interval)
            now = snapshot(root)
            if now != seen:
                seen = now
                echo("change detected; rebuilding")
                _build(root, output, echo)
    except KeyboardInterrupt:
        server.shutdown()
