"""A registry of the small world's handles and the environment of an `ossimpact` subprocess."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from ossimpact.sandbox.runner import Sandbox
from tests.fixtures.sandbox import SMALL_GH_HANDLES, SMALL_HF_HANDLES

REPO = Path(__file__).resolve().parents[2]

_REGISTRY = """
organizations:
  - id: shanghai-test
    name: Shanghai Test Organisation
    city: Shanghai
    evidence: ["https://example.org/shanghai"]
    huggingface: [{hf}]
    github: [{gh}]
products: []
"""


def write_registry(directory: Path) -> Path:
    """A registry whose one organisation owns the small world's handles."""
    path = directory / "registry.yaml"
    path.write_text(
        _REGISTRY.format(hf=", ".join(SMALL_HF_HANDLES), gh=", ".join(SMALL_GH_HANDLES)),
        encoding="utf-8",
    )
    return path


def refresh_environment(
    sandbox: Sandbox, directory: Path, database_url: str, **extra: str
) -> dict[str, str]:
    """What `ossimpact refresh` in a subprocess needs to collect from the sandbox into the store."""
    env = {
        **os.environ,
        **sandbox.environment(),
        "PYTHONPATH": str(REPO),
        "HF_HOME": str(directory / "hf-home"),
        "OSSIMPACT_DATA_DIR": str(directory / "data"),
        "OSSIMPACT_DATABASE_URL": database_url,
        "OSSIMPACT_REGISTRY": str(write_registry(directory)),
        "COLUMNS": "160",
    }
    env.update(extra)
    return env


def ossimpact_command(*arguments: str) -> list[str]:
    """The CLI as a subprocess command, run by this interpreter."""
    return [sys.executable, "-m", "ossimpact.cli", *arguments]
