"""Export rows from a real store: columns, types, choice of ranking, shortlists, bad input."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest

from ossimpact.domain import (
    ArtifactId,
    ArtifactRecord,
    CollectionResult,
    IntegrityFlag,
    Observation,
    Organization,
    Product,
    ScoreRow,
    SignalContribution,
)
from ossimpact.export import (
    EXPORT_COLUMNS_BASE,
    ExportError,
    csv_bytes,
    export_rows,
    observations_frame,
    picked_rows,
    shortlist_csv_bytes,
    write_export,
)
from ossimpact.store import Store

EARLY = datetime(2026, 6, 30, 12, 0, tzinfo=UTC)
LATE = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
SANDBOX = "http://127.0.0.1:8123/api/models/internlm/internlm3-8b"

ORGS = [
    Organization(
        "shlab", "Shanghai AI Laboratory", name_zh="上海人工智能实验室", huggingface=("internlm",)
    ),
    Organization("mallory", '=HYPERLINK("http://x")', github=("mallory",)),
]
PRODUCTS = [
    Product("internlm", "书生·浦语", "model", "shlab", include=("hf:model:internlm/internlm3-*",)),
    Product("evil-model", "+1", "model", "mallory", include=("hf:model:mallory/m",)),
    Product("wanjuan", "-cmd", "corpus", "shlab", include=("hf:dataset:internlm/wanjuan",)),
    Product("lmdeploy", "@SUM(A1:A2)", "community", "shlab", include=("gh:internlm/lmdeploy",)),
]


def _signal(name: str, raw: float | None, contribution: float = 0.1) -> SignalContribution:
    return SignalContribution(name, raw, None if raw is None else 0.5, 0.2, 0.2, contribution)


def _row(
    pid: str,
    category: str,
    rank: int,
    total: float,
    *signals: SignalContribution,
    flags: tuple[IntegrityFlag, ...] = (),
) -> ScoreRow:
    return ScoreRow(
        product_id=pid,
        category=category,  # type: ignore[arg-type]
        methodology_version="2026.1",
        total=total,
        rank=rank,
        rank_low=rank,
        rank_high=rank + 1,
        top_n_share=0.9,
        coverage=1.0,
        contributions=signals,
        flags=flags,
    )


def _score(store: Store, as_of: datetime, rows: list[ScoreRow]) -> int:
    run = store.start_run("score")
    scoring = store.record_scores(run, "2026.1", as_of, [], rows)
    store.finish_run(run, "succeeded")
    return scoring


def _fill(store: Store, source_url: str = SANDBOX) -> None:
    store.sync_registry(ORGS, PRODUCTS, "test-registry.yaml")
    run = store.start_run("collect", "huggingface")
    artifact = ArtifactId.hf_model("internlm/internlm3-8b")
    store.record_collection(
        run,
        CollectionResult(
            source="huggingface",
            artifacts=[
                ArtifactRecord(id=artifact, owner_handle="internlm", license="apache-2.0"),
            ],
            observations=[
                Observation(artifact, "downloads_30d", 1200.0, EARLY, source_url),
                Observation(artifact, "downloads_30d", 5400.0, LATE, source_url),
            ],
        ),
    )
    store.finish_run(run, "succeeded")
    burst = IntegrityFlag("star_burst", None, "=1+1 stars in a day")
    _score(store, EARLY, [_row("internlm", "model", 1, 0.5, _signal("downloads_30d", 1200.0))])
    _score(
        store,
        LATE,
        [
            _row(
                "internlm",
                "model",
                2,
                0.61,
                _signal("downloads_30d", 5400.0),
                _signal("likes", None, 0.0),
                _signal("benchmark_score", 0.72),
                _signal("spaces", 3.0),
            ),
            _row("evil-model", "model", 1, 0.75, _signal("downloads_30d", 0.0), flags=(burst,)),
            _row("hf:model:internlm/solo", "model", 3, -0.25, _signal("downloads_30d", None, 0.0)),
            _row("wanjuan", "corpus", 1, 0.4, _signal("models_trained_on", 17.0)),
            _row("lmdeploy", "community", 1, 0.8, _signal("stars", 6500.0), _signal("forks", None)),
        ],
    )


@pytest.fixture
def filled(store: Store) -> Store:
    _fill(store)
    return store


def test_mandated_columns_in_order_per_category(filled: Store) -> None:
    model = export_rows(filled, category="model")
    assert tuple(model.columns[:13]) == EXPORT_COLUMNS_BASE
    assert list(model.columns[13:18]) == [
        "downloads_30d",
        "downloads_all_time",
        "likes",
        "derivatives",
        "benchmark_score",
    ]
    assert list(model.columns[18:20]) == ["top_n_share", "coverage"]
    corpus = export_rows(filled, category="corpus")
    assert list(corpus.columns[13:17]) == [
        "downloads_30d",
        "downloads_all_time",
        "likes",
        "derivatives",
    ]
    community = export_rows(filled, category="community")
    assert list(community.columns[13:16]) == ["stars", "forks", "contributors"]
    assert "note" not in community.columns


def test_ranking_rows_and_values(filled: Store) -> None:
    frame = export_rows(filled, category="model")
    assert frame["product_id"].tolist() == ["evil-model", "internlm", "hf:model:internlm/solo"]
    assert frame["rank"].tolist() == [1, 2, 3]
    first = frame.iloc[1]
    assert first["product_name"] == "书生·浦语"
    assert first["organization"] == "Shanghai AI Laboratory"
    assert first["organization_zh"] == "上海人工智能实验室"
    assert first["url"] == "https://huggingface.co/internlm/internlm3-8b"  # first stored match
    assert first["benchmark_score"] == pytest.approx(0.72)
    assert first["downloads_30d"] == 5400
    assert pd.isna(first["likes"])  # unknown stays unknown
    assert first["spaces"] == 3  # a further signal of the methodology
    assert first["contribution_benchmark_score"] == pytest.approx(0.1)
    assert first["methodology_version"] == "2026.1"
    assert first["data_as_of"] == pd.Timestamp(LATE)
    assert bool(first["synthetic"]) is True
    evil = frame.iloc[0]
    assert evil["flags"] == "star_burst"
    assert evil["downloads_30d"] == 0  # a real zero stays zero
    assert evil["url"] == "https://huggingface.co/mallory/m"
    solo = frame.iloc[2]
    assert solo["product_name"] == "internlm/solo"
    assert solo["organization"] == "Shanghai AI Laboratory"
    assert solo["url"] == "https://huggingface.co/internlm/solo"
    assert solo["score"] == pytest.approx(-0.25)


def test_licence_and_openness_follow_the_mandated_columns(filled: Store) -> None:
    frame = export_rows(filled, category="model").set_index("product_id")
    columns = list(frame.columns)
    assert columns[columns.index("coverage") + 1 : columns.index("coverage") + 3] == [
        "licence",
        "openness",
    ]
    assert frame.loc["internlm", "licence"] == "Apache-2.0"
    assert frame.loc["internlm", "openness"] == "open"
    assert frame["licence"].isna()["evil-model"]  # nothing known of its artifact
    assert frame.loc["evil-model", "openness"] == "unknown"
    # downloads per hub follow: the Hub's own figure, nothing from hubs it is not on
    after = columns[columns.index("openness") + 1 : columns.index("openness") + 6]
    assert after == [
        "hf_downloads_30d",
        "hf_downloads_all_time",
        "ms_downloads_30d",
        "ms_downloads_all_time",
        "odl_downloads_all_time",
    ]
    assert frame.loc["internlm", "hf_downloads_30d"] == 5400
    assert frame["ms_downloads_all_time"].isna().all()


def test_corpus_derivatives_are_models_trained_on(filled: Store) -> None:
    frame = export_rows(filled, category="corpus")
    assert frame["derivatives"].tolist() == [17]
    assert frame["url"].tolist() == ["https://huggingface.co/datasets/internlm/wanjuan"]


def test_all_categories_model_first_and_top_per_category(filled: Store) -> None:
    frame = export_rows(filled, category="all", top=1)
    assert frame["product_id"].tolist() == ["evil-model", "wanjuan", "lmdeploy"]
    assert pd.isna(frame.iloc[0]["stars"])
    assert frame.iloc[2]["stars"] == 6500
    assert pd.isna(frame.iloc[2]["forks"])


def test_csv_of_the_ranking_is_safe_and_empty_for_unknown(filled: Store) -> None:
    data = csv_bytes(export_rows(filled, category="model"))
    assert data.startswith(b"\xef\xbb\xbfrank,rank_low,rank_high,product_id,product_name,")
    lines = data.decode("utf-8-sig").split("\r\n")
    assert lines[1].startswith(
        '1,1,2,evil-model,\'+1,"\'=HYPERLINK(""http://x"")",model,0.75,star_burst,'
    )
    internlm = next(line for line in lines if line.startswith("2,"))
    assert ",5400,,,,0.72," in internlm  # downloads_30d, 3 unknown, benchmark_score
    assert ",true," in internlm
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert back.loc[1, "product_name"] == "书生·浦语"
    assert back.loc[2, "score"] == -0.25


def test_as_of_picks_the_ranking_of_that_date(filled: Store) -> None:
    early = export_rows(filled, category="model", as_of=date(2026, 7, 15))
    assert early["product_id"].tolist() == ["internlm"]
    assert early["data_as_of"].tolist() == [pd.Timestamp(EARLY)]
    same_day = export_rows(filled, category="model", as_of=date(2026, 11, 28))
    assert len(same_day) == 3


def test_as_of_before_any_ranking_is_an_export_error(filled: Store) -> None:
    with pytest.raises(ExportError, match=r"no scoring run on or before 2025-01-01.*2026-06-30"):
        export_rows(filled, category="model", as_of=date(2025, 1, 1))


def test_empty_store_is_an_export_error(store: Store) -> None:
    with pytest.raises(ExportError, match="no finished scoring run"):
        export_rows(store, category="model")
    with pytest.raises(ExportError, match="no observations"):
        observations_frame(store)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"category": "models"}, "unknown category 'models'"),
        ({"category": "all", "top": 0}, "--top must be at least 1"),
        ({"category": "all", "shortlist": "nope"}, "no shortlist named 'nope' \\(known: final\\)"),
    ],
)
def test_bad_input_is_an_export_error(
    filled: Store, kwargs: dict[str, object], message: str
) -> None:
    filled.save_shortlist("final", "secretariat", [("internlm", "")])
    with pytest.raises(ExportError, match=message):
        export_rows(filled, **kwargs)  # type: ignore[arg-type]


def test_shortlist_keeps_its_order_notes_and_unscored_products(filled: Store) -> None:
    filled.save_shortlist(
        "final",
        "secretariat",
        [("lmdeploy", "@SUM(1) strong community"), ("internlm", "书生 — 首选"), ("gone", "")],
    )
    frame = export_rows(filled, category="all", shortlist="final")
    assert frame["product_id"].tolist() == ["lmdeploy", "internlm", "gone"]
    assert frame["note"].tolist() == ["@SUM(1) strong community", "书生 — 首选", ""]
    assert pd.isna(frame.iloc[2]["rank"])
    assert list(frame.columns).index("note") > list(frame.columns).index("contributors")
    only_models = export_rows(filled, category="model", shortlist="final")
    assert only_models["product_id"].tolist() == ["internlm"]
    data = shortlist_csv_bytes(filled, "final")
    back = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig")
    assert back["note"].tolist()[:2] == ["'@SUM(1) strong community", "书生 — 首选"]
    assert back["product_name"].tolist()[:2] == ["'@SUM(A1:A2)", "书生·浦语"]


def test_picked_rows_match_the_saved_shortlist(filled: Store) -> None:
    filled.save_shortlist("final", "secretariat", [("internlm", "a"), ("wanjuan", "b")])
    saved = export_rows(filled, category="all", shortlist="final")
    picked = picked_rows(filled, [("internlm", "a"), ("wanjuan", "b")])
    pd.testing.assert_frame_equal(saved, picked)


def test_real_sources_are_not_synthetic_unless_the_store_says_so(store: Store) -> None:
    _fill(store, source_url="https://huggingface.co/api/models/internlm/internlm3-8b")
    assert not export_rows(store, category="model")["synthetic"].any()
    assert not observations_frame(store)["synthetic"].any()
    store.set_meta("synthetic", "true")
    assert export_rows(store, category="model")["synthetic"].all()
    assert observations_frame(store)["synthetic"].all()


def test_parquet_round_trip_keeps_types(filled: Store, tmp_path: Path) -> None:
    frame = export_rows(filled, category="all")
    target = tmp_path / "ranking.parquet"
    write_export(frame, target, "parquet")
    schema = pq.read_schema(target)
    assert str(schema.field("rank").type) == "int64"
    assert str(schema.field("score").type) == "double"
    assert str(schema.field("synthetic").type) == "bool"
    assert str(schema.field("product_name").type) in ("string", "large_string")
    assert str(schema.field("data_as_of").type) == "timestamp[us, tz=UTC]"
    assert str(schema.field("stars").type) == "int64"
    back = pd.read_parquet(target)
    pd.testing.assert_frame_equal(back, frame, check_dtype=False)
    assert back["stars"].isna().sum() == len(back) - 1  # unknown is null, not 0


def test_observations_export(filled: Store, tmp_path: Path) -> None:
    frame = observations_frame(filled)
    assert frame[["artifact", "metric", "value"]].values.tolist() == [
        ["hf:model:internlm/internlm3-8b", "downloads_30d", 1200.0],
        ["hf:model:internlm/internlm3-8b", "downloads_30d", 5400.0],
    ]
    assert frame["owner"].tolist() == ["internlm", "internlm"]
    assert frame["synthetic"].all()
    early = observations_frame(filled, as_of=date(2026, 7, 1))
    assert early["value"].tolist() == [1200.0]
    with pytest.raises(ExportError, match="no observations on or before 2026-01-01"):
        observations_frame(filled, as_of=date(2026, 1, 1))
    target = tmp_path / "observations.parquet"
    write_export(frame, target, "parquet")
    back = pd.read_parquet(target)
    assert str(back["observed_at"].dtype).startswith("datetime64")
    assert back["observed_at"].dt.tz is not None
    assert back["value"].tolist() == [1200.0, 5400.0]


def test_product_url_without_a_stored_match_is_the_owner_page() -> None:
    from ossimpact.export.links import product_url

    family = PRODUCTS[0]
    assert product_url(family.id, family, list) == "https://huggingface.co/internlm"
    repo = Product("x", "x", "community", "o", include=("gh:o/r*",))
    assert product_url("x", repo, list) == "https://github.com/o"
    assert product_url("not an id", None, list) is None
