"""The members export: one row per (product, artifact) of a scoring run, with its figures.

The membership is what the run scored (`ossimpact.scoring_service.run_members`), so the file
shows the artifacts behind each score even after the registry changed. Figures are each
artifact's newest counted value on or before the run's as-of, so an as-of export is the same file
on every re-run. The dashboard's product page shows these rows for one product.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

import pandas as pd

from ossimpact.domain import ArtifactId
from ossimpact.export.errors import ExportError
from ossimpact.export.provenance import store_has_synthetic_data
from ossimpact.export.rows import check_category, choose_scoring_run
from ossimpact.scoring_service import run_members
from ossimpact.store import ScoringRunRecord, Store

MEMBER_FIGURES: tuple[str, ...] = ("downloads_30d", "downloads_all_time", "likes", "stars")
MEMBER_COLUMNS: tuple[str, ...] = (
    "product_id",
    "product_name",
    "category",
    "organization",
    "artifact_id",
    "platform",
    "grouped_by",
    *MEMBER_FIGURES,
    "url",
    "methodology_version",
    "data_as_of",
    "synthetic",
)
PLATFORM_NAMES = {"hf": "huggingface", "gh": "github"}


def members_rows(
    store: Store,
    *,
    category: str = "all",
    as_of: date | None = None,
    product_ids: Collection[str] | None = None,
    run: ScoringRunRecord | None = None,
) -> pd.DataFrame:
    """The members of the scoring run an export of `as_of` shows (or of `run`), typed
    (MEMBER_COLUMNS), by category, product id and artifact id; only `product_ids` when given."""
    chosen = check_category(category)
    run = run or choose_scoring_run(store, as_of)
    wanted = None if product_ids is None else {str(p) for p in product_ids}
    members = [
        m
        for m in run_members(store, run.id, run.as_of)
        if (chosen == "all" or m.category == chosen) and (wanted is None or m.product_id in wanted)
    ]
    members.sort(key=lambda m: (_category_order(m.category), m.product_id, m.artifact))
    organizations = {o.id: o.name for o in store.organizations()}
    renamed = {str(old): str(new) for old, new in store.artifact_aliases().items()}
    figures = store.latest_observations(as_of=run.as_of, metrics=MEMBER_FIGURES)
    values = {(str(a), metric): o.value for (a, metric), o in figures.items()}
    artifacts = [_artifact(m.artifact) for m in members]

    def figure(text: str, metric: str) -> float | None:
        return values.get((renamed.get(text, text), metric))

    columns = {
        "product_id": _text([m.product_id for m in members]),
        "product_name": _text([m.product_name for m in members]),
        "category": _text([m.category for m in members]),
        "organization": _text([organizations.get(m.organization, m.organization) for m in members]),
        "artifact_id": _text([m.artifact for m in members]),
        "platform": _text([PLATFORM_NAMES[a.platform] for a in artifacts]),
        "grouped_by": _text([m.grouped_by for m in members]),
        **{
            metric: pd.array([_count(figure(m.artifact, metric)) for m in members], dtype="Int64")
            for metric in MEMBER_FIGURES
        },
        "url": _text([a.web_url for a in artifacts]),
        "methodology_version": _text([run.methodology_version] * len(members)),
        "data_as_of": pd.Series([run.as_of] * len(members), dtype="datetime64[us, UTC]"),
        "synthetic": pd.Series([store_has_synthetic_data(store)] * len(members), dtype="bool"),
    }
    frame = pd.DataFrame({name: pd.Series(values) for name, values in columns.items()})
    assert tuple(frame.columns) == MEMBER_COLUMNS
    return frame.reset_index(drop=True)


def _artifact(text: str) -> ArtifactId:
    try:
        return ArtifactId.parse(text)
    except ValueError as error:  # the store wrote it from an ArtifactId: a corrupt row
        raise ExportError(f"scoring run member {text!r} is not an artifact id") from error


def _category_order(category: str) -> int:
    order = ("model", "corpus", "community")
    return order.index(category) if category in order else len(order)


def _count(value: float | None) -> int | None:
    return None if value is None else round(value)


def _text(values: list[str]) -> pd.Series:
    return pd.Series(pd.array(values, dtype="string"))
