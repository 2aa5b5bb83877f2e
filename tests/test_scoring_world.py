"""The default methodology on a synthetic world: planted gaming is flagged, clean products are not."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from functools import lru_cache

import pandas as pd
import pytest

from ossimpact.domain import (
    STARGAZERS_LOW_ACTIVITY,
    STARGAZERS_SAMPLED,
    ArtifactId,
    ArtifactRecord,
    BenchmarkResult,
    Edge,
    Metric,
    Organization,
    Product,
)
from ossimpact.sandbox.backfill import history_observations
from ossimpact.sandbox.model import World
from ossimpact.sandbox.world import generate_world
from scoring import ScoringInputs, load_methodology, score_products
from scoring.eligibility import ELIGIBILITY_FLAGS
from scoring.engine import ScoringResult

HF = ("OpenGVLab", "internlm", "shanghai-ai-lab", "fudan-nlp")
GH = ("OpenGVLab", "InternLM", "fudan-nlp")


@lru_cache(maxsize=1)
def demo_world() -> World:
    return generate_world(seed=20251, size=400, hf_handles=HF, gh_handles=GH)


def _stamp(world: World) -> datetime:
    return datetime.combine(world.today, time(6, 0), tzinfo=UTC)


def world_inputs(world: World) -> ScoringInputs:
    """What the collectors would have stored after a backfill and one refresh, as scoring inputs.

    Each tracked artifact is its own product; the GitHub stargazer sample is turned into the
    StarScout evidence figures the GitHub collector records.
    """
    now = _stamp(world)
    rows: list[tuple[str, str, float, datetime]] = [
        (str(o.artifact), o.metric, o.value, o.observed_at)
        for o in history_observations(world).observations
    ]
    owners = {h.casefold() for h in world.hf_authors}
    products: list[Product] = []
    artifacts: dict[ArtifactId, ArtifactRecord] = {}
    edges: list[Edge] = []
    benchmarks: list[BenchmarkResult] = []

    def product(aid: ArtifactId, owner: str) -> None:
        products.append(
            Product(str(aid), aid.repo_id, aid.default_category, owner.casefold(), implicit=True)
        )

    for m in world.models.values():
        aid = ArtifactId.hf_model(m.id)
        if m.author.casefold() in owners and not m.renamed_to and not m.disabled:
            product(aid, m.author)
            artifacts[aid] = ArtifactRecord(aid, m.author, created_at=m.created_at)
            for metric, value in (
                (Metric.DOWNLOADS_30D, m.downloads_30d),
                (Metric.DOWNLOADS_ALL_TIME, m.downloads_all_time),
                (Metric.LIKES, m.likes),
                (Metric.SPACES, len(m.spaces)),
            ):
                rows.append((str(aid), metric, float(value), now))
            if m.parameters:
                rows.append((str(aid), Metric.PARAMETERS, float(m.parameters), now))
            for r in m.eval_results:
                benchmarks.append(
                    BenchmarkResult(
                        aid,
                        r.task_id,
                        r.task_id,
                        "score",
                        r.value,
                        "model_index",
                        "verified" if r.verified else "self_reported",
                        now,
                        "sandbox://",
                    )
                )
        if m.base_model and m.base_relation:
            edges.append(
                Edge(ArtifactId.hf_model(m.base_model), aid, m.base_relation, now, "sandbox://")  # type: ignore[arg-type]
            )
    for d in world.datasets.values():
        aid = ArtifactId.hf_dataset(d.id)
        if d.author.casefold() in owners:
            product(aid, d.author)
            artifacts[aid] = ArtifactRecord(aid, d.author, created_at=d.created_at)
            rows.append((str(aid), Metric.DOWNLOADS_30D, float(d.downloads_30d), now))
            rows.append((str(aid), Metric.DOWNLOADS_ALL_TIME, float(d.downloads_all_time), now))
            rows.append((str(aid), Metric.LIKES, float(d.likes), now))
    for repo in world.repos.values():
        if repo.renamed_to:
            continue
        aid = ArtifactId.gh_repo(repo.full_name)
        product(aid, repo.owner)
        artifacts[aid] = ArtifactRecord(aid, repo.owner, created_at=repo.created_at)
        rows.append((str(aid), Metric.STARS, float(repo.stars), now))
        rows.append((str(aid), Metric.FORKS, float(repo.forks), now))
        rows.append((str(aid), Metric.CONTRIBUTORS, float(len(repo.contributors)), now))
        rows.append((str(aid), Metric.COMMITS_90D, float(repo.commits_90d), now))
        rows.append((str(aid), Metric.RELEASES, float(len(repo.releases)), now))
        if repo.stargazers and not repo.stargazers_restricted:
            users = [world.users.get(s.user) for s in repo.stargazers]
            low = sum(
                1
                for u in users
                if u is not None and u.active_days <= 1 and u.events <= 2 and u.public_repos <= 1
            )
            rows.append((str(aid), STARGAZERS_SAMPLED, float(len(users)), now))
            rows.append((str(aid), STARGAZERS_LOW_ACTIVITY, float(low), now))
    orgs = {
        p.organization: Organization(
            p.organization, p.organization, huggingface=(p.organization,), github=(p.organization,)
        )
        for p in products
    }
    history = pd.DataFrame(rows, columns=["artifact", "metric", "value", "observed_at"])
    history["observed_at"] = pd.to_datetime(history["observed_at"], utc=True)
    return ScoringInputs(
        as_of=now + timedelta(hours=1),
        products=products,
        members={p.id: [ArtifactId.parse(p.id)] for p in products},
        organizations=orgs,
        artifacts=artifacts,
        history=history,
        edges=edges,
        benchmarks=benchmarks,
        synthetic=True,
    )


@lru_cache(maxsize=1)
def world_result() -> ScoringResult:
    return score_products(world_inputs(demo_world()), load_methodology(), seed=7, draws=300)


def _flagged() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for row in world_result().rows:
        for f in row.flags:
            if f.kind not in ELIGIBILITY_FLAGS:  # integrity only: eligibility is another question
                out.setdefault(row.product_id, set()).add(f.kind)
    return out


def test_every_planted_gaming_is_flagged() -> None:
    flagged = _flagged()
    expected = {
        "star_burst": "star_burst",
        "download_spike": "download_spike",
        "fake_stargazers": "fake_stargazers",
        "likes_outlier": "ratio_outlier",
    }
    planted = demo_world().planted
    assert planted
    missed = [
        (p.artifact, p.kind)
        for p in planted
        if expected[p.kind] not in flagged.get(p.artifact, set())
    ]
    assert missed == []


def test_no_clean_product_is_flagged() -> None:
    planted = {p.artifact for p in demo_world().planted}
    false_positives = {pid: kinds for pid, kinds in _flagged().items() if pid not in planted}
    assert false_positives == {}


def test_flags_carry_evidence_and_window() -> None:
    bursts = [f for r in world_result().rows for f in r.flags if f.kind == "star_burst"]
    assert bursts
    for f in bursts:
        assert "stars rose by" in f.evidence
        assert f.window_start is not None
        assert f.window_end is not None
        assert (f.window_end - f.window_start).days <= 3


@pytest.mark.parametrize("category", ["model", "corpus", "community"])
def test_every_category_is_ranked_with_intervals(category: str) -> None:
    rows = [r for r in world_result().rows if r.category == category]
    assert [r.rank for r in rows] == list(range(1, len(rows) + 1))
    assert all(r.rank_low <= r.rank <= r.rank_high for r in rows)
