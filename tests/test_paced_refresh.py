"""A refresh paced to the platforms' limits meets no limit answer from servers that enforce them.

The fake GitHub and Hub enforce small limits on a fast clock (a "minute" of one second) so the
run takes seconds; the collectors pace to the same figures, given as settings. That a client
that does not pace is refused by the same servers is shown in tests/test_sandbox_limits.py.
"""

from __future__ import annotations

from pathlib import Path

from ossimpact.pipeline import collect, make_collector
from ossimpact.registry import load_registry
from ossimpact.sandbox.limits import LimitPolicy, Window
from ossimpact.sandbox.runner import start_sandbox, world_for_registry
from ossimpact.settings import Settings
from ossimpact.store import open_store

SMALL_REGISTRY = """
organizations:
  - id: shanghai-ai-lab
    name: Shanghai Artificial Intelligence Laboratory
    city: Shanghai
    huggingface: [internlm, OpenGVLab]
    github: [InternLM, OpenGVLab, open-compass]
products:
  - id: internvl3
    name: InternVL3
    category: model
    organization: shanghai-ai-lab
    include: ["hf:model:OpenGVLab/InternVL3-*"]
"""

SCALE = 60.0  # a minute lasts a second
GITHUB = LimitPolicy(
    "github",
    (Window("rest", 120, 60), Window("graphql", 200, 60), Window("hourly", 5000, 3600)),
    max_concurrency=6,
    time_scale=SCALE,
)
HUB = LimitPolicy("huggingface", (Window("api", 200, 300),), time_scale=SCALE * 5)


def test_a_paced_refresh_meets_no_limit_answer(tmp_path: Path, database_url: str) -> None:
    path = tmp_path / "registry.yaml"
    path.write_text(SMALL_REGISTRY)
    registry = load_registry(path)
    world = world_for_registry(registry, size=80)
    limits = {"github": GITHUB, "huggingface": HUB}
    with start_sandbox(world, only=("github", "huggingface"), limits=limits) as sandbox:
        settings = Settings(
            data_dir=tmp_path,
            database_url_override=database_url,
            registry_path=path,
            **{
                **sandbox.settings_overrides(),
                "pacing_time_scale": SCALE,
                "github_requests_per_minute": 120,
                "github_graphql_points_per_minute": 200,
                "github_max_concurrency": 6,
                "hf_requests_per_window": 200,
                "hf_window_seconds": 60,  # the Hub's 300 s window on a 5 × faster clock
            },
        )
        outcomes = collect(settings, ["github", "huggingface"], registry=registry)
        enforcers = dict(sandbox.enforcers)
    by_source = {o.source: o for o in outcomes}
    assert by_source["github"].status in {"succeeded", "partial"}, by_source["github"].message
    assert by_source["huggingface"].status == "succeeded", by_source["huggingface"].message
    assert enforcers["github"].log.requests > 120  # more than one "minute" of requests
    assert enforcers["github"].log.limited == 0, enforcers["github"].log.by_window
    assert enforcers["huggingface"].log.requests > 0
    assert enforcers["huggingface"].log.limited == 0
    # more than a "minute" of requests at 120 a minute: the run waited for the limit's tokens
    assert by_source["github"].stats.paced_seconds > 0.5
    store = open_store(database_url, read_only=True)
    try:
        assert store.artifacts()
        recorded = {run.source: run for run in store.runs()}
        assert recorded["github"].paced_seconds == by_source["github"].stats.paced_seconds
    finally:
        store.close()


def test_collectors_are_paced_from_the_settings(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, github_requests_per_minute=450, hf_requests_per_window=100
    )
    github = make_collector("github", settings, cache=_NoCache())
    hub = make_collector("huggingface", settings, cache=_NoCache())
    assert github.pacer is not None  # type: ignore[attr-defined]
    assert github.pacer.limits["rest"].amount == 450  # type: ignore[attr-defined]
    assert hub.pacer.limits["api"].amount == 100  # type: ignore[attr-defined]


class _NoCache:
    def cached_response(self, url: str) -> None:
        return None

    def store_cached_response(
        self, url: str, etag: str | None, last_modified: str | None, body: bytes
    ) -> None:
        return None
