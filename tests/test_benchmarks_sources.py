"""Per-source readers: trust labels, tolerant OpenCompass parsing, HF leaderboard rows, the
Open LLM Leaderboard Parquet archive, model-name matching, and the model-index contract."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from collectors.benchmarks.hf_eval import (
    LeaderboardFormatError,
    hub_trust,
    parse_leaderboard,
    produced_by_owner,
)
from collectors.benchmarks.matching import ModelMatcher, hf_id_from_url
from collectors.benchmarks.model_index import parse_model_index
from collectors.benchmarks.open_llm import OpenLlmArchiveError, parse_archive, read_archive
from collectors.benchmarks.opencompass import (
    OpenCompassFormatError,
    leaderboard_url,
    parse_opencompass,
)
from ossimpact.domain import ArtifactId
from tests.shared_dir import API_SAMPLES

WHEN = datetime(2026, 11, 1, tzinfo=UTC)
ROBERTA = API_SAMPLES / "huggingface" / "bodies" / "model_info_deepset_roberta-base-squad2.json"
INTERNVL = ArtifactId.hf_model("OpenGVLab/InternVL3-8B")
INTERNLM = ArtifactId.hf_model("internlm/internlm3-8b-instruct")


# -- trust -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "verified", "trust"),
    [
        (
            {"url": "https://huggingface.co/datasets/cais/mmlu", "name": "CAIS"},
            False,
            "independent",
        ),
        ({"url": "https://huggingface.co/spaces/cais/board"}, True, "independent"),
        ({"url": "https://huggingface.co/cais"}, False, "independent"),
        ({"url": "https://example.org/x", "org": "cais"}, False, "independent"),
        ({"url": "https://rank.opencompass.org.cn/mmlu", "name": "OpenCompass"}, True, "verified"),
        ({"url": "https://huggingface.co/datasets/someone/mmlu-copy"}, False, "self_reported"),
        (None, True, "verified"),
        (None, False, "self_reported"),
    ],
)
def test_hub_trust_labels(source: dict[str, Any] | None, verified: bool, trust: str) -> None:
    assert hub_trust("cais/mmlu", verified=verified, source=source) == trust


def test_owner_is_matched_on_the_hub_host_only() -> None:
    assert not produced_by_owner("cais/mmlu", {"url": "https://evil.example/cais/mmlu"})


def leaderboard_row(model_id: str, value: object, **extra: Any) -> dict[str, Any]:
    return {
        "rank": 1,
        "modelId": model_id,
        "value": value,
        "filename": ".eval_results/mmlu.yaml",
        "verified": False,
        "author": {"type": "org", "name": model_id.split("/")[0]},
        **extra,
    }


def test_leaderboard_rows_of_tracked_models_with_trust_and_skips() -> None:
    payload = [
        leaderboard_row("OpenGVLab/InternVL3-8B", 71.2, verified=True, newField={"x": 1}),
        leaderboard_row(
            "internlm/internlm3-8b-instruct",
            66.0,
            source={"url": "https://huggingface.co/datasets/cais/mmlu", "isExternal": False},
        ),
        leaderboard_row("meta-llama/Llama-3.1-8B", 68.0),
        leaderboard_row("OpenGVLab/InternVL3-8B", "n/a"),
        {"rank": 5, "value": 3.0},  # no modelId: the library cannot read it
        "garbage",
    ]
    tracked = {a.repo_id: a for a in (INTERNVL, INTERNLM)}
    parsed = parse_leaderboard(payload, "cais/mmlu", tracked, observed_at=WHEN, source_url="u")
    assert [(r.artifact, r.trust, r.value) for r in parsed.results] == [
        (INTERNVL, "verified", 71.2),
        (INTERNLM, "independent", 66.0),
    ]
    assert parsed.untracked == 1
    assert len(parsed.problems) == 3
    assert any("'n/a' is not a number" in p for p in parsed.problems)
    assert any("row 5" in p and "KeyError" in p for p in parsed.problems)


def test_leaderboard_of_a_changed_shape_is_a_clear_error() -> None:
    with pytest.raises(LeaderboardFormatError, match="cais/mmlu is a dict"):
        parse_leaderboard({"rows": []}, "cais/mmlu", {}, observed_at=WHEN, source_url="u")


# -- OpenCompass -----------------------------------------------------------------------------------


def opencompass_file(**rows: Any) -> dict[str, Any]:
    return {"time": "20250917", "results": rows}


def test_opencompass_reads_the_published_shape() -> None:
    parsed = parse_opencompass(
        opencompass_file(
            **{
                "InternVL3-8B": {
                    "META": {
                        "Method": ["InternVL3-8B", "https://huggingface.co/OpenGVLab/InternVL3-8B"],
                        "Parameters": "8B",
                        "Org": "Shanghai AI Lab",
                        "SomethingNew": [1, 2],
                    },
                    "MMBench_TEST_EN_V11": {"Overall": 81.7, "AR": 80.0},
                    "OCRBench": {"Final Score": "880"},
                    "MMMU_VAL": 62.7,
                }
            }
        )
    )
    assert parsed.time == "20250917"
    assert parsed.problems == []
    got = {(s.benchmark, s.metric, s.value, s.split) for s in parsed.scores}
    assert got == {
        ("MMBench_TEST_EN_V11", "overall", 81.7, "test"),
        ("OCRBench", "final_score", 880.0, None),
        ("MMMU_VAL", "overall", 62.7, "validation"),
    }
    assert {s.url for s in parsed.scores} == {"https://huggingface.co/OpenGVLab/InternVL3-8B"}


def test_opencompass_skips_malformed_rows_with_reasons_and_keeps_the_rest() -> None:
    parsed = parse_opencompass(
        opencompass_file(
            good={"MMLU": {"Overall": 70.0}},
            not_a_row=[1, 2, 3],
            bad_figure={"MMLU": {"Overall": "excellent"}, "CMMLU": {"Overall": 75.5}},
            no_overall={"MMLU": {"AR": 3.0}},
            dash={"MMLU": {"Overall": "-"}},
        )
    )
    assert sorted((s.model_name, s.benchmark) for s in parsed.scores) == [
        ("bad_figure", "CMMLU"),
        ("good", "MMLU"),
    ]
    text = "\n".join(parsed.problems)
    assert "not_a_row: the row is a list" in text
    assert "bad_figure MMLU: overall 'excellent' is not a number" in text
    assert "no_overall MMLU: no overall figure" in text
    assert "dash: no benchmark scores" in text


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([{"model": "x"}], "is a list, not an object with `results`"),
        (
            {"time": "1", "data": {"models": []}},
            r"no `results` object of models \(found keys: data, time\)",
        ),
        ({"results": [["InternVL3-8B", 80.0]]}, "no `results` object"),
    ],
)
def test_opencompass_changed_shape_is_a_clear_error(payload: object, message: str) -> None:
    with pytest.raises(OpenCompassFormatError, match=message):
        parse_opencompass(payload)


def test_opencompass_endpoint_may_be_a_base_or_the_file() -> None:
    assert leaderboard_url("http://h:1/") == "http://h:1/assets/OpenVLM.json"
    assert leaderboard_url("http://h:1/x/board.json") == "http://h:1/x/board.json"


# -- model names -----------------------------------------------------------------------------------


def test_model_matching_steps() -> None:
    other = ArtifactId.hf_model("someone/InternVL3-8B")  # same name part, other owner
    matcher = ModelMatcher([INTERNVL, INTERNLM])
    assert matcher.match("OpenGVLab/InternVL3-8B") == INTERNVL  # exact
    assert matcher.match("opengvlab/internvl3-8b") == INTERNVL  # case-insensitive
    assert matcher.match("InternLM/InternLM3_8B.Instruct") == INTERNLM  # normalised id
    assert matcher.match("InternLM3 8B Instruct (chat)") == INTERNLM  # name part only
    assert (
        matcher.match(None, "https://huggingface.co/OpenGVLab/InternVL3-8B/tree/main") == INTERNVL
    )
    assert matcher.match("GPT-4o") is None
    ambiguous = ModelMatcher([INTERNVL, other])
    assert ambiguous.match("InternVL3-8B") is None  # two owners: not guessed
    assert hf_id_from_url("https://huggingface.co/datasets/cais/mmlu") is None


# -- Open LLM Leaderboard archive ------------------------------------------------------------------


def write_archive(path: Path, rows: list[dict[str, Any]]) -> Path:
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


def archive_row(fullname: str, **overrides: Any) -> dict[str, Any]:
    row: dict[str, Any] = {
        "eval_name": fullname.replace("/", "_") + "_bfloat16",
        "Precision": "bfloat16",
        "Type": "💬 chat models (RLHF, DPO, IFT, ...)",
        "fullname": fullname,
        "Average ⬆️": 30.1,
        "IFEval Raw": 0.78,
        "IFEval": 78.0,
        "BBH Raw": 0.55,
        "BBH": 34.2,
        "MATH Lvl 5 Raw": 0.2,
        "MATH Lvl 5": 20.0,
        "GPQA Raw": 0.31,
        "GPQA": 8.0,
        "MUSR Raw": 0.42,
        "MUSR": 10.5,
        "MMLU-PRO Raw": 0.46,
        "MMLU-PRO": 40.0,
        "#Params (B)": 7.62,
        "Hub License": "apache-2.0",
        "Hub ❤️": 120,
        "MoE": False,
        "Flagged": False,
        "Upload To Hub Date": "2024-09-16",
        "Submission Date": "2024-09-18",
    }
    row.update(overrides)
    return row


def test_archive_results_of_tracked_models(tmp_path: Path) -> None:
    path = write_archive(
        tmp_path / "contents.parquet",
        [
            archive_row("internlm/internlm3-8b-instruct"),
            archive_row("internlm/internlm3-8b-instruct", Precision="float16", GPQA=None),
            archive_row("meta-llama/Llama-3.1-8B"),
            archive_row("OpenGVLab/InternVL3-8B", Flagged=True),
        ],
    )
    tracked = {a.repo_id: a for a in (INTERNVL, INTERNLM)}
    parsed = parse_archive(read_archive(path), tracked, observed_at=WHEN)
    assert parsed.rows == 4
    assert parsed.untracked == 1
    assert len(parsed.results) == 6 + 5  # both precisions kept; a missing figure is absent
    bbh = next(r for r in parsed.results if r.benchmark == "BBH")
    assert (bbh.value, bbh.metric, bbh.scaled, bbh.trust) == (0.55, "raw", 0.342, "independent")
    assert parsed.problems == ["OpenGVLab/InternVL3-8B: flagged by the leaderboard, skipped"]


def test_archive_without_raw_columns_keeps_the_normalised_score(tmp_path: Path) -> None:
    path = write_archive(
        tmp_path / "old.parquet", [{"fullname": "internlm/internlm3-8b-instruct", "IFEval": 70.0}]
    )
    parsed = parse_archive(read_archive(path), {INTERNLM.repo_id: INTERNLM}, observed_at=WHEN)
    assert [(r.value, r.metric, r.scaled) for r in parsed.results] == [(70.0, "normalized", 0.7)]


def test_archive_errors_name_what_failed(tmp_path: Path) -> None:
    with pytest.raises(OpenLlmArchiveError, match="does not exist"):
        read_archive(tmp_path / "missing.parquet")
    junk = tmp_path / "junk.parquet"
    junk.write_text("not parquet")
    with pytest.raises(OpenLlmArchiveError, match="not a readable Parquet file"):
        read_archive(junk)
    other = write_archive(tmp_path / "other.parquet", [{"model": "x", "score": 1.0}])
    with pytest.raises(OpenLlmArchiveError, match="needs `fullname`"):
        read_archive(other)


# -- model-index contract --------------------------------------------------------------------------


def test_model_index_contract_on_the_recorded_roberta_card() -> None:
    body = json.loads(ROBERTA.read_text(encoding="utf-8"))
    artifact = ArtifactId.hf_model(body["id"])
    parsed = parse_model_index(
        body["model-index"], artifact, observed_at=WHEN, source_url="https://huggingface.co/x"
    )
    assert len(parsed.results) == 17
    assert parsed.problems == []
    first = parsed.results[0]
    assert (first.benchmark, first.metric, first.value, first.split) == (
        "squad_v2",
        "exact_match",
        79.9309,
        "validation",
    )
    assert {r.trust for r in parsed.results} == {"self_reported"}
    assert {r.source for r in parsed.results} == {"model_index"}
    # the card data carries the same index
    again = parse_model_index(
        body["cardData"]["model-index"], artifact, observed_at=WHEN, source_url="u"
    )
    assert len(again.results) == 17


def test_model_index_tolerates_free_text_and_broken_indexes() -> None:
    index = [
        {
            "name": "m",
            "results": [
                {
                    "task": {"type": "text-generation"},
                    "dataset": {"name": "MMLU", "type": "cais/mmlu"},
                    "metrics": [
                        {"type": "acc", "value": "see paper"},
                        {"type": "acc", "value": 61},
                    ],
                }
            ],
        }
    ]
    parsed = parse_model_index(index, INTERNLM, observed_at=WHEN, source_url="u")
    assert [r.value for r in parsed.results] == [61.0]
    assert "'see paper' is not a number" in parsed.problems[0]
    broken = parse_model_index({"name": "m"}, INTERNLM, observed_at=WHEN, source_url="u")
    assert broken.results == []
    assert "not a list" in broken.problems[0]
