"""Test-wide set-up: nothing reaches the internet, huggingface_hub stays quiet and local.

`--database sqlite|postgres` picks the backend of the `database_url` fixtures (tests/fixtures/db.py).
"""

from __future__ import annotations

import os
import tempfile

import pytest

# huggingface_hub reads these at import time; its telemetry side call would go to huggingface.co.
os.environ["HF_HUB_DISABLE_TELEMETRY"] = "1"
os.environ["HF_HUB_DISABLE_UPDATE_CHECK"] = "1"
os.environ.setdefault("HF_HOME", tempfile.mkdtemp(prefix="ossimpact-hf-home-"))
os.environ.pop("HF_TOKEN", None)
os.environ.pop("GITHUB_TOKEN", None)

pytest_plugins = [
    "tests.fixtures.db",
    "tests.fixtures.sandbox",
    "tests.fixtures.hf_sandbox",
    "tests.fixtures.gh_sandbox",
]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database",
        choices=("sqlite", "postgres"),
        default=None,
        help=(
            "backend of the tests that need a store (database_url): sqlite or postgres "
            "(default: $OSSIMPACT_TEST_DATABASE, else sqlite); store_url tests run both"
        ),
    )
