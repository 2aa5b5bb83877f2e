"""Start the dashboard as `python -m streamlit run dashboard/app.py` with production flags."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

APP = Path(__file__).resolve().parent / "app.py"


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
    ]


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
