"""The naive baseline: the straightforward per-artifact loop a first tracker would write.

Hugging Face: `HfApi.model_info(id, expand=[...])` / `dataset_info` per artifact, then the
derivatives listing of each model with children and the trained-on listing of each dataset.
GitHub: PyGithub's `get_repo` per repository, then `get_contributors().totalCount`,
`get_releases().totalCount` and the 90-day `get_commits(since=…).totalCount`.
It runs sequentially on a sample of the world's tracked artifacts against the same sandbox (same
world, same latency); requests are counted server side and the time is extrapolated.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from github import Auth, Github, GithubException
from huggingface_hub import HfApi
from huggingface_hub.errors import HfHubHTTPError

from benchmarks.traffic import Traffic, since, total
from collectors.huggingface.collector import DATASET_EXPAND, MODEL_EXPAND
from ossimpact.sandbox.model import World
from ossimpact.sandbox.process import ProcessSandbox
from ossimpact.sandbox.runner import SANDBOX_GITHUB_TOKEN, SANDBOX_HF_TOKEN, Sandbox

HfError = (HfHubHTTPError, OSError, ValueError, KeyError, TypeError)


@dataclass(frozen=True)
class NaiveSample:
    models: list[str]
    datasets: list[str]
    repos: list[str]

    @property
    def size(self) -> int:
        return len(self.models) + len(self.datasets) + len(self.repos)


@dataclass(frozen=True)
class NaiveRun:
    artifacts: int
    requests: int
    bulk_requests: int  # the requests that bring downloads/likes/stars/forks (one per artifact)
    seconds: float
    failures: int
    hf_requests: int
    gh_requests: int

    @property
    def requests_per_artifact(self) -> float:
        return self.requests / self.artifacts if self.artifacts else 0.0

    @property
    def seconds_per_artifact(self) -> float:
        return self.seconds / self.artifacts if self.artifacts else 0.0


def tracked_sample(world: World, size: int, seed: int = 7) -> NaiveSample:
    """A deterministic sample of tracked artifacts in the world's own mix of kinds."""
    owners = {handle.casefold() for handle in world.hf_authors}
    models = sorted(m.id for m in world.models.values() if m.author.casefold() in owners)
    datasets = sorted(d.id for d in world.datasets.values() if d.author.casefold() in owners)
    repos = sorted(r.full_name for r in world.repos.values())
    everything = len(models) + len(datasets) + len(repos)
    rng = random.Random(seed)

    def part(ids: list[str]) -> list[str]:
        want = min(len(ids), max(1, round(size * len(ids) / everything))) if ids else 0
        return sorted(rng.sample(ids, want))

    return NaiveSample(part(models), part(datasets), part(repos))


def _hf(api: HfApi, sample: NaiveSample) -> int:
    failures = 0
    for model_id in sample.models:
        try:
            info = api.model_info(model_id, expand=MODEL_EXPAND)  # type: ignore[arg-type]
            children = getattr(info, "children_model_count", None) or 0
            if children:
                list(api.list_models(filter=f"base_model:{model_id}"))
        except HfError:
            failures += 1
    for dataset_id in sample.datasets:
        try:
            api.dataset_info(dataset_id, expand=DATASET_EXPAND)  # type: ignore[arg-type]
            list(api.list_models(filter=f"dataset:{dataset_id}"))
        except HfError:
            failures += 1
    return failures


def _gh(client: Github, sample: NaiveSample, now: datetime) -> int:
    failures = 0
    for full_name in sample.repos:
        try:
            repo = client.get_repo(full_name)
            _ = repo.stargazers_count, repo.forks_count
            _ = repo.get_contributors().totalCount
            _ = repo.get_releases().totalCount
            _ = repo.get_commits(since=now - timedelta(days=90)).totalCount
        except (GithubException, OSError, ValueError, KeyError, TypeError):
            failures += 1
    return failures


def run_naive(sandbox: Sandbox | ProcessSandbox, traffic: Traffic, sample: NaiveSample) -> NaiveRun:
    """The naive loop over the sample, sequential, against the running sandbox."""
    api = HfApi(endpoint=sandbox.url("huggingface"), token=SANDBOX_HF_TOKEN)
    client = Github(
        auth=Auth.Token(SANDBOX_GITHUB_TOKEN), base_url=sandbox.url("github"), retry=None
    )
    before = traffic.snapshot()
    started = time.perf_counter()
    failures = _hf(api, sample) + _gh(client, sample, datetime.now(UTC))
    seconds = time.perf_counter() - started
    client.close()
    counts = since(traffic.snapshot(), before)
    hf = total(counts, servers=("huggingface",))
    gh = total(counts, servers=("github",))
    return NaiveRun(
        artifacts=sample.size,
        requests=hf + gh,
        bulk_requests=sample.size,  # model_info / dataset_info / get_repo: one per artifact
        seconds=seconds,
        failures=failures,
        hf_requests=hf,
        gh_requests=gh,
    )
