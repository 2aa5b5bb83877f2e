"""Membership end to end on a real store: what scoring grouped is what the store records, the
dashboard shows and the exports write; as-of exports reproduce byte for byte."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from dashboard.frames.product import product_members_frame, product_view
from dashboard.frames.snapshot import load_snapshot
from ossimpact.cli import app
from ossimpact.domain import (
    ArtifactId,
    ArtifactRecord,
    CollectionResult,
    Edge,
    Metric,
    Observation,
    Organization,
    Product,
)
from ossimpact.export import csv_bytes, export_rows, members_rows
from ossimpact.export.files import parquet_bytes
from ossimpact.registry import Registry
from ossimpact.scoring_service import run_scoring
from ossimpact.store import Store, open_store
from scoring import load_methodology

DAY = datetime(2026, 10, 1, 3, tzinfo=UTC)
AS_OF = date(2026, 10, 5)
LAB = Organization(
    "shanghai-ai-lab",
    "Shanghai AI Lab",
    huggingface=("OpenGVLab", "internlm"),
    github=("InternLM",),
)
INTERNVL3 = Product(
    "internvl3", "InternVL3", "model", LAB.id, include=("hf:model:opengvlab/internvl3-*",)
)
MODELS = (
    "OpenGVLab/InternVL3-8B",
    "OpenGVLab/InternVL3-2B",
    "OpenGVLab/InternVL3-8B-hf",
    "OpenGVLab/InternVL3-2B-hf",
    "OpenGVLab/InternVL2_5-8B",
    "OpenGVLab/InternVL2_5-78B-MPO-AWQ",
    "OpenGVLab/InternVL2_5-78B-MPO",
    "internlm/internlm2_5-1_8b-chat",
    "internlm/internlm2_5-7b-chat-1m",
    "internlm/internlm2_5-20b",
    "internlm/internlm2-chat-7b",
    "internlm/Model-8",
)
runner = CliRunner()


def _registry(*, exclude_hf: bool = True) -> Registry:
    options = {"internvl3": (["hf:model:OpenGVLab/InternVL3-*-hf"] if exclude_hf else [], False)}
    return Registry({LAB.id: LAB}, {INTERNVL3.id: INTERNVL3}, [], Path("r.yaml"), options)


def _collection(day: datetime, scale: float) -> CollectionResult:
    result = CollectionResult(source="test")
    artifacts = [ArtifactId.hf_model(m) for m in MODELS]
    repo = ArtifactId.gh_repo("InternLM/lmdeploy")
    result.artifacts = [
        ArtifactRecord(a, a.owner, created_at=datetime(2025, 1, 1, tzinfo=UTC))
        for a in (*artifacts, repo)
    ]
    for k, artifact in enumerate(artifacts):
        for metric, value in (
            (Metric.DOWNLOADS_30D, 1000.0 * (k + 1) * scale),
            (Metric.DOWNLOADS_ALL_TIME, 9000.0 * (k + 1) * scale),
            (Metric.LIKES, 10.0 * (k + 1)),
        ):
            result.observations.append(Observation(artifact, metric, value, day, "test://"))
    result.observations.append(Observation(repo, Metric.STARS, 5000.0 * scale, day, "test://"))
    result.observations.append(Observation(repo, Metric.FORKS, 500.0, day, "test://"))
    base, build = ArtifactId.hf_model(MODELS[6]), ArtifactId.hf_model(MODELS[5])
    result.edges = [Edge(base, build, "quantized", day, "test://")]
    return result


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = open_store(database_url)
    try:
        opened.sync_registry([LAB], [INTERNVL3], "r.yaml")
        for day, scale in ((DAY, 1.0), (DAY + timedelta(days=10), 3.0)):
            run_id = opened.start_run("collect", "test")
            opened.record_collection(run_id, _collection(day, scale))
            opened.finish_run(run_id, "succeeded")
        yield opened
    finally:
        opened.close()


def _as_of(day: date) -> datetime:
    return datetime.combine(day, datetime.max.time(), tzinfo=UTC)


def _triples(rows: pd.DataFrame) -> list[tuple[str, str, str]]:
    return list(zip(rows["product_id"], rows["artifact_id"], rows["grouped_by"], strict=True))


def test_scoring_records_the_rules_members_and_every_reader_shows_them(store: Store) -> None:
    registry = _registry()
    scoring_id, result = run_scoring(store, registry, load_methodology(), None, draws=20)
    tracked = [r.id for r in store.artifacts() if r.tracked]
    expected = sorted(
        (m.product.id, str(m.artifact), m.grouped_by)
        for m in registry.group(tracked, store.edges()).rows()
    )
    recorded = store.scoring_members(scoring_id)
    assert sorted((m.product_id, m.artifact, m.grouped_by) for m in recorded) == expected
    assert {m.product_id for m in recorded} == {row.product_id for row in result.rows}
    by_how = {(pid, how) for pid, _, how in expected}
    assert ("internvl3", "registry") in by_how
    assert ("family:hf:model:OpenGVLab/InternVL3", "family") in by_how  # the excluded -hf ports
    assert ("family:hf:model:internlm/internlm2_5", "family") in by_how
    # the MPO build joins its release through its name; the lone 8B stays alone
    assert ("family:hf:model:OpenGVLab/InternVL2_5-MPO", "family") in by_how
    assert ("hf:model:OpenGVLab/InternVL2_5-8B", "own") in by_how
    assert ("gh:InternLM/lmdeploy", "own") in by_how

    # the dashboard: the same members, family products named as recorded
    snap = load_snapshot(store)
    assert (
        sorted(
            (pid, str(a), how)
            for pid, artifacts in snap.members.items()
            for a in artifacts
            for how in [next(m.grouped_by for m in recorded if m.artifact == str(a))]
        )
        == expected
    )
    names = dict(zip(snap.products["product_id"], snap.products["name"], strict=True))
    assert names["family:hf:model:internlm/internlm2_5"] == "internlm2_5"

    # the members export: one row per (product, artifact), the same triples and real figures
    rows = members_rows(store)
    assert sorted(_triples(rows)) == expected
    row = rows[rows["artifact_id"] == "hf:model:internlm/internlm2_5-20b"].iloc[0]
    assert (row["product_name"], row["organization"], row["platform"]) == (
        "internlm2_5", "Shanghai AI Lab", "huggingface",
    )  # fmt: skip
    assert row["downloads_30d"] == 1000 * 10 * 3
    assert row["likes"] == 100
    assert row["url"] == "https://huggingface.co/internlm/internlm2_5-20b"
    assert pd.isna(row["stars"])

    # the product page: the same rows, for its product
    page = product_members_frame(store, snap, "family:hf:model:internlm/internlm2_5")
    export_part = rows[rows["product_id"] == "family:hf:model:internlm/internlm2_5"]
    pd.testing.assert_frame_equal(page, export_part.reset_index(drop=True))
    view = product_view(snap, "family:hf:model:internlm/internlm2_5", (), page)
    assert view is not None
    assert set(view.artifacts["artifact"]) == set(page["artifact_id"])

    # the ranking export names the family as recorded and links its first member
    ranking = export_rows(store, category="model")
    family_row = ranking[ranking["product_id"] == "family:hf:model:internlm/internlm2_5"].iloc[0]
    assert family_row["product_name"] == "internlm2_5"
    assert family_row["url"] == "https://huggingface.co/internlm/internlm2_5-1_8b-chat"


def test_as_of_exports_reproduce_byte_for_byte_and_survive_registry_changes(
    store: Store,
) -> None:
    methodology = load_methodology()
    first, _ = run_scoring(store, _registry(), methodology, _as_of(AS_OF), draws=20)

    def exports() -> list[bytes]:
        ranking = export_rows(store, category="all", as_of=AS_OF)
        members = members_rows(store, as_of=AS_OF)
        return [csv_bytes(ranking), csv_bytes(members), parquet_bytes(members)]

    before = exports()
    second, _ = run_scoring(store, _registry(), methodology, _as_of(AS_OF), draws=20)
    assert second != first
    assert exports() == before  # same inputs and methodology: the same files
    # the two runs share one recorded membership rather than storing it twice
    with store.engine.connect() as connection:
        sets = connection.exec_driver_sql(
            f"SELECT DISTINCT member_set_id FROM scoring_runs WHERE id IN ({first}, {second})"
        ).all()
    assert len(sets) == 1
    assert sets[0][0] is not None

    # The registry changes (the -hf ports join InternVL3) and the ecosystem is scored again now:
    # the as-of ranking still shows what it scored.
    store.sync_registry([LAB], [INTERNVL3], "r.yaml")
    latest, _ = run_scoring(store, _registry(exclude_hf=False), methodology, None, draws=20)
    assert exports() == before
    now_members = {m.artifact: m.product_id for m in store.scoring_members(latest)}
    assert now_members["hf:model:OpenGVLab/InternVL3-8B-hf"] == "internvl3"


def test_members_cli_export_writes_csv_and_parquet(
    store: Store, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_scoring(store, _registry(), load_methodology(), _as_of(AS_OF), draws=20)
    monkeypatch.setenv("OSSIMPACT_DATABASE_URL", database_url)
    out = tmp_path / "members.csv"
    args = ["export", "--what", "members", "--category", "model", "--as-of", str(AS_OF)]
    result = runner.invoke(app, [*args, "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(
        b"\xef\xbb\xbfproduct_id,product_name,category,organization,artifact_id,platform,"
        b"grouped_by,downloads_30d,downloads_all_time,likes,stars,url,"
    )
    frame = pd.read_csv(out, encoding="utf-8-sig")
    assert set(frame["category"]) == {"model"}
    assert len(frame) == len(MODELS)
    parquet = tmp_path / "members.parquet"
    result = runner.invoke(app, [*args, "--format", "parquet", "--output", str(parquet)])
    assert result.exit_code == 0, result.output
    assert pd.read_parquet(parquet)["artifact_id"].tolist() == frame["artifact_id"].tolist()


def test_a_run_scored_before_members_were_recorded_gets_the_same_rule(store: Store) -> None:
    """Runs of store revision 0003 recorded no members: readers apply the one rule to the stored
    registry products (no second matcher), kept to the products the run scored."""
    methodology = load_methodology()
    scoring_id, _ = run_scoring(store, _registry(exclude_hf=False), methodology, None, draws=20)
    recorded = sorted(_triples(members_rows(store)))
    with store.engine.begin() as connection:
        connection.exec_driver_sql(
            f"UPDATE scoring_runs SET member_set_id = NULL WHERE id = {int(scoring_id)}"
        )
    assert store.scoring_members(scoring_id) == []
    assert sorted(_triples(members_rows(store))) == recorded


def test_registry_suggest_prints_the_inferred_families_of_an_organisation(
    store: Store, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import yaml

    registry_file = tmp_path / "registry.yaml"
    registry_file.write_text(
        yaml.safe_dump(
            {
                "organizations": [
                    {
                        "id": LAB.id,
                        "name": LAB.name,
                        "huggingface": list(LAB.huggingface),
                        "github": list(LAB.github),
                    }
                ],
                "products": [
                    {
                        "id": "internvl3",
                        "name": "InternVL3",
                        "category": "model",
                        "organization": LAB.id,
                        "include": ["hf:model:OpenGVLab/InternVL3-*"],
                    }
                ],
            }
        )
    )
    monkeypatch.setenv("OSSIMPACT_DATABASE_URL", database_url)
    monkeypatch.setenv("OSSIMPACT_REGISTRY", str(registry_file))
    result = runner.invoke(app, ["registry", "suggest", "--organization", LAB.id])
    assert result.exit_code == 0, result.output
    products = yaml.safe_load(result.output)["products"]
    by_name = {p["name"]: p["include"] for p in products}
    assert by_name == {
        "InternVL2_5-MPO": [
            "hf:model:OpenGVLab/InternVL2_5-78B-MPO",
            "hf:model:OpenGVLab/InternVL2_5-78B-MPO-AWQ",
        ],
        "internlm2_5": [
            "hf:model:internlm/internlm2_5-1_8b-chat",
            "hf:model:internlm/internlm2_5-20b",
            "hf:model:internlm/internlm2_5-7b-chat-1m",
        ],
    }
    assert all(p["organization"] == LAB.id for p in products)
    unknown = runner.invoke(app, ["registry", "suggest", "--organization", "nobody"])
    assert unknown.exit_code == 2
    assert "unknown organisation 'nobody'" in unknown.output
