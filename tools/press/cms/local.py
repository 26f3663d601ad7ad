"""The writers' desk on one machine: decap-server over a press repository, and the pinned Decap
script served from the npm install (``npm ci``). Used by the browser tests and the screenshots;
nothing here is needed to build or publish a press.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import threading
from contextlib import contextmanager
from pathlib import Path

from . import DECAP_SCRIPT, DECAP_VERSION

REPO = Path(__file__).resolve().parents[3]
NODE_MODULES = Path(os.environ.get("PRESS_NODE_MODULES", REPO / "node_modules"))


def decap_dist() -> Path:
    return NODE_MODULES / "decap-cms" / "dist"


def server_script() -> Path:
    return NODE_MODULES / "decap-server" / "dist" / "index.js"


def missing() -> str | None:
    """Why the desk cannot run here, or None."""
    if shutil.which("node") is None:
        return "Node.js is not installed (Debian: apt-get install nodejs npm)"
    if not server_script().is_file() or not (decap_dist() / "decap-cms.js").is_file():
        return f"the pinned npm packages are not installed (run: npm ci, in {REPO})"
    import json

    installed = json.loads((NODE_MODULES / "decap-cms" / "package.json").read_text())["version"]
    if installed != DECAP_VERSION:
        return f"node_modules has decap-cms {installed}, admin/ loads {DECAP_VERSION} (run: npm ci)"
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def decap_server(repository: Path, timeout: float = 60):
    """Run decap-server in git mode over ``repository`` on 127.0.0.1; yields its API URL."""
    port = free_port()
    env = {
        **os.environ,
        "MODE": "git",
        "GIT_REPO_DIRECTORY": str(repository),
        "PORT": str(port),
        "BIND_HOST": "127.0.0.1",
        "LOG_LEVEL": "info",
        "NO_COLOR": "1",
    }
    process = subprocess.Popen(
        ["node", str(server_script())], cwd=repository, env=env, stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    log: list[str] = []
    ready = threading.Event()

    def read() -> None:
        for line in process.stdout:
            log.append(line.rstrip())
            if "listening on" in line:
                ready.set()
        ready.set()

    threading.Thread(target=read, daemon=True).start()
    try:
        if not ready.wait(timeout) or process.poll() is not None:
            raise RuntimeError("decap-server did not start:\n" + "\n".join(log))
        yield f"http://127.0.0.1:{port}/api/v1", log
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def use_local_server(config_yml: str, api: str) -> str:
    """The generated config, pointed at a decap-server on another port than Decap's default 8081."""
    replaced, n = re.subn(r"(?m)^local_backend: true$", f"local_backend:\n  url: {api}\n  allowed_hosts: [127.0.0.1]", config_yml)
    assert n == 1, "admin/config.yml has no 'local_backend: true'"
    return replaced


def offline(page, blocked: list[str]) -> None:
    """Serve the pinned Decap files from node_modules; refuse every request that would leave 127.0.0.1."""
    prefix = DECAP_SCRIPT.rsplit("/", 1)[0] + "/"

    def handle(route) -> None:
        url = route.request.url
        if url.startswith(prefix):
            name = url[len(prefix) :].split("?")[0]
            path = decap_dist() / name
            if "/" not in name and path.is_file():
                kind = "application/wasm" if name.endswith(".wasm") else "text/javascript"
                route.fulfill(status=200, body=path.read_bytes(), headers={"content-type": kind, "access-control-allow-origin": "*"})
                return
        if url.startswith(("http://127.0.0.1", "data:", "blob:")):
            route.continue_()
            return
        blocked.append(url)
        route.abort()

    page.route("**/*", handle)
