"""Fuzzed platform payloads: each parser reads an item or rejects it with a reason, never crashes.

Seeds are real answers of the fake servers; hypothesis mutates them (keys dropped, wrong types,
nulls, huge numbers, negative counts, NaN and infinity as numbers and as text) and every parser
entry point must either return what it read or raise its own rejection with a message. Whatever
gets out must be a finite, non-negative figure: a bad figure is absent, never passed on.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collectors.benchmarks.opencompass import OpenCompassFormatError, parse_opencompass
from collectors.github import parse as gh
from collectors.huggingface.parse import (
    Fetch,
    MalformedItem,
    ParsedArtifact,
    dataset_info_from_item,
    model_info_from_item,
    parse_dataset,
    parse_model,
)
from collectors.opendigger import latest_month_value
from ossimpact.sandbox.world import generate_world
from tests.fixtures.sandbox import (
    SMALL_GH_HANDLES,
    SMALL_HF_HANDLES,
    SMALL_PRODUCT_PATTERNS,
    SMALL_WORLD_SEED,
)
from tests.support.payloads import Seeds, seed_payloads

EXAMPLES = 150  # per parser entry point; 7 of them → 1,050 mutated payloads per run
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
NOW = datetime(2026, 11, 28, tzinfo=UTC)
FETCH = Fetch(NOW, "http://hub.test/api/models")

SEEDS: Seeds = seed_payloads(
    generate_world(
        SMALL_WORLD_SEED,
        40,
        hf_handles=SMALL_HF_HANDLES,
        gh_handles=SMALL_GH_HANDLES,
        product_patterns=SMALL_PRODUCT_PATTERNS,
    )
)

HOSTILE_VALUES: list[Any] = [
    None,
    -1,
    -(10**9),
    -0.5,
    10**30,
    10**400,  # JSON allows any integer; float() of it overflows
    1e308,
    float("nan"),
    float("inf"),
    float("-inf"),
    "NaN",
    "inf",
    "-Infinity",
    "1e400",
    "12",
    "",
    True,
    False,
    [],
    {},
    [1, 2],
    {"nested": None},
    "<script>alert(1)</script>",
    "x" * 5000,
]

Path = tuple[str | int, ...]


def _paths(value: Any, prefix: Path = ()) -> list[Path]:
    """Every key and index path of a JSON value (the root excluded)."""
    found: list[Path] = []
    if isinstance(value, dict):
        for key, child in value.items():
            found.append((*prefix, key))
            found.extend(_paths(child, (*prefix, key)))
    elif isinstance(value, list):
        for index, child in enumerate(value[:5]):
            found.append((*prefix, index))
            found.extend(_paths(child, (*prefix, index)))
    return found


_DROP = object()


def _apply(payload: Any, path: Path, replacement: Any) -> None:
    parent = payload
    for step in path[:-1]:
        try:
            parent = parent[step]
        except (KeyError, IndexError, TypeError):
            return  # an earlier mutation removed or replaced the way there
    last = path[-1]
    present = (isinstance(parent, dict) and last in parent) or (
        isinstance(parent, list) and isinstance(last, int) and last < len(parent)
    )
    if not present:
        return
    if replacement is _DROP:
        del parent[last]
    else:
        parent[last] = replacement


def mutated(seed: Any) -> st.SearchStrategy[Any]:
    """The seed with one to five of its values dropped or replaced by hostile ones."""
    paths = _paths(seed)
    replacement = st.one_of(
        st.just(_DROP),
        st.sampled_from(HOSTILE_VALUES),
        st.integers(min_value=-(10**40), max_value=10**40),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=20),
    )
    changes = st.lists(st.tuples(st.sampled_from(paths), replacement), min_size=1, max_size=5)

    def build(edits: list[tuple[Path, Any]]) -> Any:
        payload = copy.deepcopy(seed)
        for path, value in edits:
            _apply(payload, path, value)
        return payload

    return changes.map(build)


def one_of_seeds(seeds: list[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(*(mutated(seed) for seed in seeds))


def _sound(value: object) -> bool:
    return (
        isinstance(value, (int, float))
        and not isinstance(value, bool)
        and math.isfinite(value)
        and value >= 0
    )


def _assert_sound_counts(value: object, fields: tuple[str, ...]) -> None:
    for name in fields:
        figure = getattr(value, name)
        if figure is not None:
            assert _sound(figure), f"{name} = {figure!r} got out"
            assert math.isfinite(float(figure))


def _assert_sound_parse(parsed: ParsedArtifact) -> None:
    for observation in parsed.observations:
        assert _sound(observation.value), observation
    for result in parsed.benchmark_results:
        assert math.isfinite(result.value), result
    if parsed.children is not None:
        assert all(_sound(count) for count in parsed.children.values()), parsed.children
    assert all(isinstance(problem, str) and problem for problem in parsed.problems)


def _read_or_reject(read: Callable[[], Any], *rejections: type[Exception]) -> Any | None:
    """The parser's result, or None when it rejected the payload with a message."""
    try:
        return read()
    except rejections as rejection:
        reason = str(rejection)
    assert reason, "a rejection without a reason"
    return None


# -- Hugging Face -----------------------------------------------------------------------------


@FUZZ
@given(one_of_seeds(SEEDS.hf_models))
def test_hf_model_listing_items(item: Any) -> None:
    parsed = _read_or_reject(
        lambda: parse_model(
            model_info_from_item(item), owner_handle="internlm", tracked=True, fetch=FETCH
        ),
        MalformedItem,
    )
    if parsed is not None:
        _assert_sound_parse(parsed)


@FUZZ
@given(one_of_seeds(SEEDS.hf_datasets))
def test_hf_dataset_listing_items(item: Any) -> None:
    parsed = _read_or_reject(
        lambda: parse_dataset(
            dataset_info_from_item(item), owner_handle="opendatalab", tracked=True, fetch=FETCH
        ),
        MalformedItem,
    )
    if parsed is not None:
        _assert_sound_parse(parsed)


@pytest.mark.parametrize("field", ["downloads", "likes", "downloadsAllTime"])
@pytest.mark.parametrize("value", [-1, 10**400, float("nan"), float("inf"), "12", True])
def test_hf_bad_count_is_absent_and_named(field: str, value: object) -> None:
    item = {**SEEDS.hf_models[0], field: value}
    parsed = parse_model(model_info_from_item(item), owner_handle="x", tracked=True, fetch=FETCH)
    metric = {"downloads": "downloads_30d", "likes": "likes"}.get(field, "downloads_all_time")
    assert metric not in {o.metric for o in parsed.observations}
    assert any(field in problem or metric in problem for problem in parsed.problems)


# -- GitHub -----------------------------------------------------------------------------------

_REPO_COUNTS: tuple[str, ...] = (
    "stars",
    "forks",
    "watchers",
    "open_issues_and_prs",
    "open_issues",
    "open_prs",
    "releases",
    "release_downloads",
    "commits_90d",
)


@FUZZ
@given(one_of_seeds(SEEDS.gh_repos))
def test_github_rest_repositories(payload: Any) -> None:
    facts = _read_or_reject(lambda: gh.repo_from_rest(payload), gh.MalformedPayload)
    if facts is not None:
        _assert_sound_counts(facts, _REPO_COUNTS)


@FUZZ
@given(mutated(SEEDS.gh_graphql_page))
def test_github_graphql_repository_pages(body: Any) -> None:
    page = _read_or_reject(
        lambda: gh.graphql_repo_page(body), gh.MalformedPayload, gh.GraphqlFailure
    )
    if page is not None:
        assert page.total_count >= 0
        for repo in page.repos:
            _assert_sound_counts(repo, _REPO_COUNTS)
            if repo.activity is not None:
                assert all(item.comments >= 0 for item in repo.activity.items)


@FUZZ
@given(mutated(SEEDS.gh_contributors))
def test_github_contributor_listings(body: Any) -> None:
    people = _read_or_reject(lambda: gh.contributors(body), gh.MalformedPayload)
    for person in people or []:
        assert _sound(person.contributions), person


@pytest.mark.parametrize("value", [-1, -(10**9), 10**400])
def test_github_negative_or_huge_star_count_is_rejected_with_its_field(value: int) -> None:
    payload = {**SEEDS.gh_repos[0], "stargazers_count": value}
    with pytest.raises(gh.MalformedPayload, match="stargazers_count"):
        gh.repo_from_rest(payload)


# -- OpenDigger -------------------------------------------------------------------------------


@FUZZ
@given(one_of_seeds(SEEDS.opendigger))
def test_opendigger_monthly_series(payload: Any) -> None:
    latest = latest_month_value(payload, NOW)
    if latest is not None:
        month, value = latest
        assert month < f"{NOW:%Y-%m}"
        assert _sound(value), latest


@pytest.mark.parametrize("bad", [-3.0, float("nan"), float("inf"), 10**400])
def test_opendigger_bad_newest_month_is_not_a_figure(bad: object) -> None:
    series = {"2026-09": 4.0, "2026-10": bad}
    assert latest_month_value(series, NOW) == ("2026-09", 4.0)


# -- OpenCompass ------------------------------------------------------------------------------


@FUZZ
@given(mutated(SEEDS.opencompass))
def test_opencompass_leaderboard(payload: Any) -> None:
    parsed = _read_or_reject(lambda: parse_opencompass(payload), OpenCompassFormatError)
    if parsed is not None:
        assert all(_sound(score.value) for score in parsed.scores), parsed.scores
        assert all(isinstance(problem, str) and problem for problem in parsed.problems)
