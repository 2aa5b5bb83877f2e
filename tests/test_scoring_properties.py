"""Properties of the scoring that must hold for any inputs (hypothesis)."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ossimpact.domain import Category, Metric
from scoring import load_methodology, reweighted_totals, score_products, scores_csv_bytes
from scoring.inputs import ScoringInputs
from tests.test_scoring_support import AS_OF, T0, inputs, product

POSITIVE = {
    "model": [Metric.DOWNLOADS_30D, Metric.DOWNLOADS_ALL_TIME, Metric.LIKES, Metric.SPACES],
    "community": [
        Metric.STARS,
        Metric.FORKS,
        Metric.CONTRIBUTORS,
        Metric.OPENRANK,
        Metric.COMMITS_90D,
    ],
}
METHODOLOGY = load_methodology()
SETTINGS = settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow], derandomize=True
)

counts = st.one_of(st.none(), st.integers(min_value=0, max_value=10**7))


@st.composite
def worlds(
    draw: st.DrawFn, category: Category
) -> tuple[ScoringInputs, list[tuple[str, str, float]]]:
    n = draw(st.integers(min_value=2, max_value=6))
    metrics = POSITIVE[category]
    prefix = "hf:model:lab/m" if category == "model" else "gh:lab/r"
    products = [product(f"p{i}", category) for i in range(n)]
    members = {p.id: [f"{prefix}{i}"] for i, p in enumerate(products)}
    values = []
    for i in range(n):
        for metric in metrics:
            v = draw(counts)
            if v is not None:
                values.append((f"{prefix}{i}", str(metric), float(v)))
    rows = [(a, m, v, T0) for a, m, v in values]
    return inputs(products, members, rows), values


def _totals(data: ScoringInputs) -> dict[str, float]:
    return {r.product_id: r.total for r in score_products(data, METHODOLOGY, draws=0).rows}


@SETTINGS
@given(data=st.data(), category=st.sampled_from(["model", "community"]))
def test_raising_a_positive_signal_never_lowers_the_score(
    data: st.DataObject, category: Category
) -> None:
    base, values = data.draw(worlds(category))
    if not values:
        return
    index = data.draw(st.integers(min_value=0, max_value=len(values) - 1))
    bump = data.draw(st.integers(min_value=1, max_value=10**6))
    artifact = values[index][0]
    raised = [(a, m, v + bump if i == index else v, T0) for i, (a, m, v) in enumerate(values)]
    product_id = "p" + artifact.rsplit("m" if category == "model" else "r", 1)[1]
    before = _totals(base)[product_id]
    after = _totals(
        inputs(base.products, {k: [str(x) for x in v] for k, v in base.members.items()}, raised)
    )[product_id]
    assert after >= before - 1e-12


@SETTINGS
@given(data=st.data(), category=st.sampled_from(["model", "community"]))
def test_permuting_products_and_rows_does_not_change_scores(
    data: st.DataObject, category: Category
) -> None:
    base, values = data.draw(worlds(category))
    order = data.draw(st.permutations(list(range(len(base.products)))))
    shuffled_rows = data.draw(st.permutations(values))
    members = {k: [str(x) for x in v] for k, v in base.members.items()}
    permuted = inputs(
        [base.products[i] for i in order],
        dict(reversed(list(members.items()))),
        [(a, m, v, T0) for a, m, v in shuffled_rows],
    )
    first = score_products(base, METHODOLOGY, seed=5, draws=50)
    second = score_products(permuted, METHODOLOGY, seed=5, draws=50)
    assert scores_csv_bytes(first.rows) == scores_csv_bytes(second.rows)


@SETTINGS
@given(data=st.data(), scale=st.floats(min_value=0.01, max_value=1000))
def test_scaling_all_weights_does_not_change_ranks(data: st.DataObject, scale: float) -> None:
    base, _ = data.draw(worlds("model"))
    result = score_products(base, METHODOLOGY, draws=0)
    raw_weights = {
        name: data.draw(st.floats(min_value=0.01, max_value=1.0))
        for name in METHODOLOGY.weights("model")
    }
    models = result.signals[result.signals["category"] == "model"]
    plain = reweighted_totals(models, raw_weights, METHODOLOGY.min_coverage)
    scaled = reweighted_totals(
        models, {k: v * scale for k, v in raw_weights.items()}, METHODOLOGY.min_coverage
    )
    assert plain["what_if_rank"].tolist() == scaled["what_if_rank"].tolist()


@SETTINGS
@given(
    data=st.data(),
    later=st.lists(
        st.tuples(st.integers(0, 5), st.integers(1, 400), st.integers(0, 10**7)), max_size=8
    ),
)
def test_as_of_excludes_later_observations(
    data: st.DataObject, later: list[tuple[int, int, int]]
) -> None:
    base, values = data.draw(worlds("model"))
    n = len(base.products)
    extra = [
        (f"hf:model:lab/m{i % n}", str(Metric.DOWNLOADS_30D), float(v), AS_OF + timedelta(hours=h))
        for i, h, v in later
    ]
    members = {k: [str(x) for x in v] for k, v in base.members.items()}
    with_later = inputs(base.products, members, [*[(a, m, v, T0) for a, m, v in values], *extra])
    first = score_products(base, METHODOLOGY, seed=2, draws=30)
    second = score_products(with_later, METHODOLOGY, seed=2, draws=30)
    assert scores_csv_bytes(first.rows) == scores_csv_bytes(second.rows)
