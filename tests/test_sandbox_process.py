"""The fake servers in a child process: same answers, counts exact and server side."""

from __future__ import annotations

import httpx
import pytest

from benchmarks.traffic import BULK, OTHER, Traffic, total
from ossimpact.sandbox.http import SandboxServerError
from ossimpact.sandbox.model import World
from ossimpact.sandbox.process import start_sandbox_process
from ossimpact.sandbox.runner import SANDBOX_GITHUB_TOKEN, start_sandbox


def _requests(hub: str, github: str, world: World) -> list[tuple[str, int]]:
    author = sorted(world.hf_authors)[0]
    repo = sorted(world.repos)[0]
    headers = {"Authorization": f"Bearer {SANDBOX_GITHUB_TOKEN}"}
    got = []
    with httpx.Client(timeout=10) as client:
        for url in (
            f"{hub}/api/models?author={author}&limit=5",
            f"{hub}/api/models/{author}/no-such-model",
            f"{github}/repos/{repo}",
            f"{github}/repos/{repo}/contributors?per_page=100&page=1",
        ):
            answer = client.get(url, headers=headers)
            body = answer.text.replace(hub, "HUB").replace(github, "GITHUB")
            got.append((body, answer.status_code))
    return got


def test_child_answers_and_counts_as_the_threads_do(small_world: World) -> None:
    local_traffic, child_traffic = Traffic(), Traffic()
    with start_sandbox(small_world) as local:
        local_traffic.attach(local)
        expected = _requests(local.url("huggingface"), local.url("github"), small_world)
    with start_sandbox_process(small_world) as child:
        child_traffic.attach(child)
        assert child.settings_overrides()["github_api_url"] == child.url("github")
        assert child.environment()["HF_ENDPOINT"] == child.url("huggingface")
        got = _requests(child.url("huggingface"), child.url("github"), small_world)
        counts = child_traffic.snapshot()
        assert child.cpu_seconds() > 0  # the servers' work is the child's, not ours
        assert child_traffic.snapshot() == counts  # each answer is delivered once
    assert got == expected  # the same answers, byte for byte (but the servers' own URLs)
    assert counts == local_traffic.snapshot()
    assert total(counts) == 4
    assert total(counts, servers=("huggingface",), route=BULK) == 1
    assert total(counts, servers=("huggingface",), route=OTHER, status=404) == 1


def test_a_stopped_child_says_so(small_world: World) -> None:
    child = start_sandbox_process(small_world)
    child.stop()
    assert not child.process.is_alive()
    with pytest.raises(SandboxServerError, match="has stopped"):
        child.deliver_answers()
    with pytest.raises(SandboxServerError, match="has stopped"):
        child.cpu_seconds()
    child.stop()  # twice is harmless
