"""Test-wide set-up: nothing reaches the internet, huggingface_hub stays quiet and local."""

from __future__ import annotations

import os
import tempfile

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
