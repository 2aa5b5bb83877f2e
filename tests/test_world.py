"""The synthetic world: deterministic, the requested shape, consistent histories, planted gaming."""

from __future__ import annotations

import itertools
import statistics
from datetime import UTC, datetime, time

import pytest

from ossimpact.sandbox.model import HfDataset, HfModel, World
from ossimpact.sandbox.world import WorldSpecError, generate_world, world_fingerprint
from tests.fixtures.sandbox import (
    SMALL_GH_HANDLES,
    SMALL_HF_HANDLES,
    SMALL_PRODUCT_PATTERNS,
    SMALL_WORLD_SEED,
    SMALL_WORLD_SIZE,
)


def small(seed: int = SMALL_WORLD_SEED, **kwargs: object) -> World:
    arguments: dict[str, object] = {
        "hf_handles": SMALL_HF_HANDLES,
        "gh_handles": SMALL_GH_HANDLES,
        "product_patterns": SMALL_PRODUCT_PATTERNS,
        **kwargs,
    }
    return generate_world(seed, SMALL_WORLD_SIZE, **arguments)  # type: ignore[arg-type]


def tracked_models(world: World) -> list[str]:
    return [m.id for m in world.models.values() if m.author in SMALL_HF_HANDLES]


def robust_z(values: list[int], index: int) -> float:
    """Robust z-score of the day-over-day change at `index` among all changes of the series."""
    changes = [b - a for a, b in itertools.pairwise(values)]
    median = statistics.median(changes)
    mad = statistics.median(abs(c - median) for c in changes) or 1.0
    return (changes[index - 1] - median) / (1.4826 * mad)


def test_same_arguments_give_the_same_world(small_world: World) -> None:
    assert world_fingerprint(small()) == world_fingerprint(small_world)


def test_another_seed_gives_another_world(small_world: World) -> None:
    other = small(seed=SMALL_WORLD_SEED + 1)
    assert world_fingerprint(other) != world_fingerprint(small_world)


def test_fingerprint_sees_a_single_change(small_world: World) -> None:
    changed = small()
    next(iter(changed.repos.values())).stars += 1
    assert world_fingerprint(changed) != world_fingerprint(small_world)


def test_size_within_ten_percent(small_world: World) -> None:
    tracked = len(tracked_models(small_world)) + len(small_world.datasets) + len(small_world.repos)
    assert abs(tracked - SMALL_WORLD_SIZE) <= SMALL_WORLD_SIZE * 0.1
    assert small_world.synthetic is True


def test_owners_are_registry_handles_except_derivatives(small_world: World) -> None:
    for model in small_world.models.values():
        if model.author not in SMALL_HF_HANDLES:
            assert model.base_model is not None, model.id
            assert model.base_relation in {"finetune", "adapter", "quantized", "merge"}
        assert model.id.startswith(f"{model.author}/")
    assert {d.author for d in small_world.datasets.values()} <= set(SMALL_HF_HANDLES)
    assert {r.owner for r in small_world.repos.values()} <= set(SMALL_GH_HANDLES)
    assert set(small_world.orgs) == set(SMALL_GH_HANDLES)
    assert not set(small_world.orgs) & set(small_world.users)
    assert small_world.hf_authors == list(SMALL_HF_HANDLES)


def test_third_party_derivatives_reference_existing_bases(small_world: World) -> None:
    derivatives = [m for m in small_world.models.values() if m.author not in SMALL_HF_HANDLES]
    assert len(derivatives) >= 20
    assert {m.author for m in derivatives} & {"bartowski", "unsloth", "mlx-community", "TheBloke"}
    for model in small_world.models.values():
        if model.base_model is not None:
            assert model.base_model in small_world.models, model.id
            assert small_world.models[model.base_model].author in SMALL_HF_HANDLES


def test_histories_are_consistent(small_world: World) -> None:
    days = small_world.history_days
    records: list[HfModel | HfDataset] = [
        *(small_world.models[i] for i in tracked_models(small_world)),
        *small_world.datasets.values(),
    ]
    for record in records:
        assert len(record.downloads_history) == days, record.id
        assert len(record.likes_history) == days, record.id
        assert record.downloads_history[-1] == record.downloads_30d, record.id
        assert record.likes_history[-1] == record.likes, record.id
        assert record.downloads_all_time >= record.downloads_30d >= 0
        assert min(record.downloads_history) >= 0
        assert record.likes_history == sorted(record.likes_history), record.id
    for repo in small_world.repos.values():
        assert len(repo.stars_history) == days
        assert repo.stars_history[-1] == repo.stars
        assert repo.stars_history == sorted(repo.stars_history)
        assert min(repo.stars_history) >= 0
        assert repo.forks >= 0
        assert repo.watchers >= 0


def test_figures_are_heavy_tailed(small_world: World) -> None:
    downloads = sorted(small_world.models[i].downloads_30d for i in tracked_models(small_world))
    stars = sorted(r.stars for r in small_world.repos.values())
    assert downloads[-1] >= 1_000_000 / 2
    assert statistics.median(downloads) < 5_000
    assert stars[-1] > 20 * statistics.median(stars)


def test_product_patterns_are_honoured(small_world: World) -> None:
    family = [i for i in small_world.models if i.startswith("OpenGVLab/InternVL3-")]
    assert {
        "OpenGVLab/InternVL3-8B",
        "OpenGVLab/InternVL3-38B",
        "OpenGVLab/InternVL3-8B-AWQ",
    } <= set(family)
    quant = small_world.models["OpenGVLab/InternVL3-8B-AWQ"]
    assert (quant.base_model, quant.base_relation) == ("OpenGVLab/InternVL3-8B", "quantized")
    assert "internlm/internlm3-8b-instruct" in small_world.models
    assert "opendatalab/OmniDocBench" in small_world.datasets
    assert {"InternLM/lmdeploy", "opendatalab/MinerU"} <= set(small_world.repos)
    # flagships lead the ranking, as the real ones do
    top = max(small_world.models.values(), key=lambda m: m.downloads_30d)
    assert top.id.startswith("OpenGVLab/InternVL3-")


def test_unreadable_pattern_is_a_clear_error() -> None:
    with pytest.raises(WorldSpecError, match="hf:space:x/y"):
        small(product_patterns=["hf:space:x/y"])


def test_planted_star_bursts_are_in_the_history(small_world: World) -> None:
    bursts = [p for p in small_world.planted if p.kind == "star_burst"]
    assert len(bursts) >= 2
    for planted in bursts:
        repo = small_world.repos[planted.artifact.removeprefix("gh:")]
        history = repo.stars_history
        gained = history[planted.day_index + 2] - history[planted.day_index - 1]
        assert gained >= 2_000
        assert robust_z(history, planted.day_index) > 20


def test_burst_stargazers_are_fresh_low_activity_accounts(small_world: World) -> None:
    for planted in (p for p in small_world.planted if p.kind == "fake_stargazers"):
        repo = small_world.repos[planted.artifact.removeprefix("gh:")]
        assert not repo.stargazers_restricted
        noon = datetime.combine(small_world.today, time(12), UTC)
        first = small_world.history_days - 1 - planted.day_index  # days before today
        window = [
            s
            for s in repo.stargazers
            if first - 3 <= (noon - s.starred_at).total_seconds() / 86_400 <= first + 1
        ]
        fakes = [small_world.users[s.user] for s in repo.stargazers[:2_000]]
        assert len(window) >= 1_900
        for user in fakes:
            assert user.followers <= 1
            assert user.public_repos <= 1
            assert user.active_days == 1
            assert user.events <= 2
        created = sorted(u.created_at for u in fakes)
        assert (created[-1] - created[0]).days <= 7


def test_planted_download_spikes_are_in_the_history(small_world: World) -> None:
    spikes = [p for p in small_world.planted if p.kind == "download_spike"]
    assert len(spikes) >= 2
    for planted in spikes:
        model = small_world.models[planted.artifact.removeprefix("hf:model:")]
        assert robust_z(model.downloads_history, planted.day_index) > 20


def test_clean_artifacts_show_no_burst(small_world: World) -> None:
    planted = {p.artifact for p in small_world.planted}
    start = small_world.history_days // 2
    flagged = []
    for repo in small_world.repos.values():
        if f"gh:{repo.full_name}" in planted or repo.stars < 200:
            continue
        history = repo.stars_history
        scores = [robust_z(history, i) for i in range(start, len(history))]
        if max(scores) > 20:
            flagged.append(repo.full_name)
    assert flagged == []


def test_planted_gaming_avoids_flagships(small_world: World) -> None:
    for planted in small_world.planted:
        assert "InternVL3" not in planted.artifact
        assert "lmdeploy" not in planted.artifact
        assert "MinerU" not in planted.artifact


def test_stargazers_and_community_use_known_users(small_world: World) -> None:
    planted = {p.artifact for p in small_world.planted}
    for repo in small_world.repos.values():
        if f"gh:{repo.full_name}" in planted:
            continue
        assert len(repo.stargazers) <= min(repo.stars, 200)
        times = [s.starred_at for s in repo.stargazers]
        assert times == sorted(times)
        for star in repo.stargazers:
            assert star.user in small_world.users
        for login, contributions in repo.contributors:
            assert login in small_world.users
            assert contributions >= 0
        for issue in repo.issues:
            assert issue.author in small_world.users
            if issue.first_response_at is not None:
                assert issue.first_response_at >= issue.created_at
                assert issue.first_responder in small_world.users
    restricted = sum(r.stargazers_restricted for r in small_world.repos.values())
    assert 0 < restricted < len(small_world.repos) / 2


def test_opendigger_covers_most_repos_monthly(small_world: World) -> None:
    covered = {repo for repo, _ in small_world.opendigger}
    assert 0.7 * len(small_world.repos) <= len(covered) < len(small_world.repos)
    series = small_world.opendigger[(sorted(covered)[0], "openrank")]
    assert len(series.values) <= 24
    assert max(series.values) == "2026-10"


def test_evaluations_and_leaderboard(small_world: World) -> None:
    results = [r for m in small_world.models.values() for r in m.eval_results]
    assert results
    assert any(r.verified for r in results)
    assert not all(r.verified for r in results)
    assert all(0 < r.value < 100 for r in results)
    self_reported: dict[tuple[str, str | None], float] = {
        (m.id, r.dataset_id): r.value for m in small_world.models.values() for r in m.eval_results
    }
    board = [e for e in small_world.leaderboard if e.source == "opencompass"]
    assert board
    for entry in board:
        reported = self_reported[(entry.model_id, entry.dataset_id)]
        assert entry.value != reported
        assert abs(entry.value - reported) < 6


def test_spaces_and_collections_point_to_models(small_world: World) -> None:
    assert small_world.spaces
    assert small_world.collections
    for space, models in small_world.spaces.items():
        for model_id in models:
            assert space in small_world.models[model_id].spaces
    for collection in small_world.collections:
        assert all(item in small_world.models for item in collection.items)


def test_troublemakers_present(small_world: World) -> None:
    renamed = [m for m in small_world.models.values() if m.renamed_to]
    assert len(renamed) == 1
    assert renamed[0].renamed_to in small_world.models
    assert sum(m.disabled for m in small_world.models.values()) == 1
    assert sum(m.gated == "manual" for m in small_world.models.values()) == 1
    moved = [r for r in small_world.repos.values() if r.renamed_to]
    assert len(moved) == 1
    assert moved[0].renamed_to in small_world.repos
    assert moved[0].name not in small_world.orgs[moved[0].owner].repos
    assert sum(r.empty for r in small_world.repos.values()) == 1
    assert sum(r.unavailable_legal for r in small_world.repos.values()) == 1


def test_troublemakers_absent_on_request() -> None:
    world = small(troublemakers=False)
    assert not any(m.renamed_to or m.disabled or m.gated == "manual" for m in world.models.values())
    assert not any(r.renamed_to or r.empty or r.unavailable_legal for r in world.repos.values())


@pytest.mark.parametrize("size", [0, 39])
def test_too_small_world_is_a_clear_error(size: int) -> None:
    with pytest.raises(WorldSpecError, match="at least 40"):
        generate_world(size=size, hf_handles=["a"], gh_handles=["a"])


def test_a_world_needs_handles() -> None:
    with pytest.raises(WorldSpecError, match="handle"):
        generate_world(size=100, hf_handles=[], gh_handles=["a"])


@pytest.mark.parametrize(("size", "history_days"), [(40, 30), (60, 45), (300, 120)])
def test_planted_gaming_is_visible_in_any_world(size: int, history_days: int) -> None:
    world = generate_world(
        7, size, hf_handles=["acme"], gh_handles=["acme"], history_days=history_days
    )
    kinds = sorted(p.kind for p in world.planted)
    assert kinds.count("star_burst") == 2
    assert kinds.count("download_spike") == 2
    for planted in world.planted:
        if planted.kind == "star_burst":
            history = world.repos[planted.artifact.removeprefix("gh:")].stars_history
        elif planted.kind == "download_spike":
            history = world.models[planted.artifact.removeprefix("hf:model:")].downloads_history
        else:
            continue
        assert len(history) == history_days
        assert robust_z(history, planted.day_index) > 20, planted
