"""Start the dashboard as `python -m streamlit run dashboard/app.py` with production flags."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

APP = Path(__file__).resolve().parent / "app.py"
# Debian's Chromium (scripts/system-deps.sh) and the flags it needs headless in a container: the
# browser tests and the P5 benchmark open the served dashboard with these.
CHROMIUM = "/usr/lib/chromium/chromium"
CHROMIUM_ARGS = (
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
)


def streamlit_command(port: int, host: str, open_browser: bool) -> list[str]:
    return [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(APP),
        f"--server.headless={'false' if open_browser else 'true'}",
        f"--server.address={host}",
        f"--server.port={port}",
        "--browser.gatherUsageStats=false",
        "--server.fileWatcherType=none",
        "--global.developmentMode=false",
        "--client.disableDataExport=true",
        # Streamlit's default forces a full gc.collect(2) after every script run: over the cached
        # snapshot (~10,000 products) that took ~0.23 s per page visit while holding the GIL,
        # delaying the page's messages. Python's own generational collection still runs.
        "--runner.postScriptGC=false",
    ]


class DashboardStartError(RuntimeError):
    """The dashboard process exited or never answered its health check."""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(database_url: str, *, timeout: float = 120.0) -> Iterator[str]:
    """The dashboard in a background process on a free local port, until the block ends.

    Yields its base URL once `/_stcore/health` answers ok (browser tests, benchmarks).
    """
    port = _free_port()
    env = {**os.environ, "OSSIMPACT_DATABASE_URL": database_url}
    env.pop("OSSIMPACT_DASHBOARD_PASSWORD", None)
    process = subprocess.Popen(  # noqa: S603 - our own interpreter and fixed arguments
        streamlit_command(port, "127.0.0.1", open_browser=False),
        cwd=APP.parent.parent,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(f"{base}/_stcore/health", timeout=2).text == "ok":
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                err = process.stderr.read().decode() if process.stderr else ""
                raise DashboardStartError(f"the dashboard did not become healthy: {err[-2000:]}")
            time.sleep(0.3)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def launch(
    database_url: str, *, port: int = 8501, host: str = "127.0.0.1", open_browser: bool = False
) -> int:
    """Run the dashboard until it stops; returns Streamlit's exit code."""
    env = {
        **os.environ,
        "OSSIMPACT_DATABASE_URL": database_url,
        "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
    }
    # The project root holds .streamlit/config.toml; Streamlit reads it from the working directory.
    completed = subprocess.run(  # noqa: S603 - our own interpreter and fixed arguments
        streamlit_command(port, host, open_browser), env=env, cwd=APP.parent.parent, check=False
    )
    return completed.returncode
