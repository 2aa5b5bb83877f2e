"""Builders for small hand-made scoring inputs (no tests here; shared by the scoring tests)."""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import pandas as pd
import yaml

from ossimpact.domain import (
    ArtifactId,
    ArtifactRecord,
    BenchmarkResult,
    Category,
    Edge,
    EdgeRelation,
    Organization,
    Product,
    Trust,
)
from scoring.inputs import ScoringInputs
from scoring.methodology import DEFAULT_PATH, Methodology, parse_methodology

T0 = datetime(2026, 6, 1, tzinfo=UTC)
AS_OF = datetime(2026, 10, 31, tzinfo=UTC)

Row = tuple[str, str, float, datetime]


def default_data() -> dict[str, Any]:
    data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def methodology(
    signals: Mapping[str, Sequence[tuple[str, float, dict[str, Any]]]] | None = None,
    **top: Any,
) -> Methodology:
    """The default methodology with some categories' signals replaced by (name, weight, transform)."""
    data = copy.deepcopy(default_data())
    for category, items in (signals or {}).items():
        data["categories"][category]["signals"] = [
            {"name": name, "group": "g", "weight": weight, "transform": transform}
            for name, weight, transform in items
        ]
    for key, value in top.items():
        if isinstance(value, dict) and isinstance(data.get(key), dict):
            data[key] = {**data[key], **value}
        else:
            data[key] = value
    return parse_methodology(data)


LOG = {"kind": "log_cap", "cap": 1000}


def product(pid: str, category: Category = "model", org: str = "lab") -> Product:
    return Product(pid, pid, category, org)


def inputs(
    products: Sequence[Product],
    members: Mapping[str, Sequence[str]],
    rows: Iterable[Row],
    *,
    edges: Sequence[tuple[str, str, EdgeRelation]] = (),
    benchmarks: Sequence[tuple[str, str, float, Trust, float | None]] = (),
    organizations: Mapping[str, Organization] | None = None,
    created: Mapping[str, datetime] | None = None,
    as_of: datetime = AS_OF,
) -> ScoringInputs:
    history = pd.DataFrame(list(rows), columns=["artifact", "metric", "value", "observed_at"])
    history["observed_at"] = pd.to_datetime(history["observed_at"], utc=True)
    all_ids = {a for ms in members.values() for a in ms}
    artifacts = {
        ArtifactId.parse(a): ArtifactRecord(
            ArtifactId.parse(a),
            ArtifactId.parse(a).owner,
            created_at=(created or {}).get(a, datetime(2024, 1, 1, tzinfo=UTC)),
        )
        for a in sorted(all_ids)
    }
    orgs = organizations or {
        "lab": Organization("lab", "Lab", huggingface=("lab",), github=("lab",))
    }
    return ScoringInputs(
        as_of=as_of,
        products=list(products),
        members={k: [ArtifactId.parse(a) for a in v] for k, v in members.items()},
        organizations=orgs,
        artifacts=artifacts,
        history=history,
        edges=[
            Edge(ArtifactId.parse(s), ArtifactId.parse(t), rel, T0, "test://")
            for s, t, rel in edges
        ],
        benchmarks=[
            BenchmarkResult(
                ArtifactId.parse(a),
                bench,
                bench,
                "acc",
                value,
                "test",
                trust,
                T0,
                "test://",
                scaled=scaled,
            )
            for a, bench, value, trust, scaled in benchmarks
        ],
    )
