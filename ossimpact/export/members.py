"""The members export: one row per (product, artifact) of a scoring run, with its figures.

The membership is what the run scored (`ossimpact.scoring_service.run_members`), so the file
shows the artifacts behind each score even after the registry changed. Figures are each
artifact's newest counted value on or before the run's as-of, so an as-of export is the same file
on every re-run. The dashboard's product page shows these rows for one product.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, datetime

import pandas as pd

from ossimpact.domain import ArtifactId
from ossimpact.export.errors import ExportError
from ossimpact.export.provenance import store_has_synthetic_data
from ossimpact.export.rows import check_category, choose_scoring_run
from ossimpact.scoring_service import run_members
from ossimpact.store import ScoringRunRecord, Store
from scoring.openness import classify_licence

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
    "licence",  # as the platform writes it, or its SPDX id where one fits
    "openness",
)
PLATFORM_NAMES = {"hf": "huggingface", "gh": "github", "ms": "modelscope", "od": "opendatalab"}


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
    return members_of_run(
        store, run.id, run.as_of, run.methodology_version, category=chosen, product_ids=product_ids
    )


def members_of_run(
    store: Store,
    scoring_run_id: int,
    as_of: datetime,
    methodology_version: str,
    *,
    category: str = "all",
    product_ids: Collection[str] | None = None,
) -> pd.DataFrame:
    """`members_rows` of one scoring run, given by its id, as-of and methodology version (what
    the dashboard's snapshot already holds)."""
    members = [
        m
        for m in run_members(store, scoring_run_id, as_of, product_ids)
        if category == "all" or m.category == category
    ]
    members.sort(key=lambda m: (_category_order(m.category), m.product_id, m.artifact))
    organizations = {o.id: o.name for o in store.organizations()}
    artifacts = [_artifact(m.artifact) for m in members]
    values = _figures(store, artifacts, as_of, whole_run=product_ids is None)
    renamed = {str(old): str(new) for old, new in store.artifact_aliases().items()}

    def figure(text: str, metric: str) -> float | None:
        return values.get((renamed.get(text, text), metric))

    synthetic = store_has_synthetic_data(store)
    table = store.artifact_table()
    licence_of = dict(zip(table["artifact"], table["license"], strict=True))
    licences = [
        classify_licence(lic if isinstance(lic := licence_of.get(m.artifact), str) else None)
        for m in members
    ]
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
        "methodology_version": _text([methodology_version] * len(members)),
        "data_as_of": pd.Series([as_of] * len(members), dtype="datetime64[us, UTC]"),
        "synthetic": pd.Series([synthetic] * len(members), dtype="bool"),
        "licence": _text([c.licence for c in licences]),
        "openness": _text([c.openness for c in licences]),
    }
    frame = pd.DataFrame({name: pd.Series(values) for name, values in columns.items()})
    assert tuple(frame.columns) == MEMBER_COLUMNS
    return frame.reset_index(drop=True)


def _figures(
    store: Store, artifacts: list[ArtifactId], as_of: datetime, *, whole_run: bool
) -> dict[tuple[str, str], float]:
    """(artifact id text, metric) → the newest counted value on or before `as_of`.

    For a whole run, one ranked scan of the store's latest values as of then; for a few products
    (a product page), the history of their artifacts only. Both take the newest observation (then
    the newest group) per artifact and metric.
    """
    if whole_run:
        found = store.latest_observations(as_of=as_of, metrics=MEMBER_FIGURES)
        return {(str(a), metric): o.value for (a, metric), o in found.items()}
    if not artifacts:
        return {}
    history = store.observation_history(artifacts, MEMBER_FIGURES, until=as_of)
    if history.empty:
        return {}
    newest = history.groupby(["artifact", "metric"], observed=True, sort=False).tail(1)
    return {
        (str(a), str(m)): float(v)
        for a, m, v in zip(newest["artifact"], newest["metric"], newest["value"], strict=True)
    }


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


def _text(values: list[str | None]) -> pd.Series:
    return pd.Series(pd.array(values, dtype="string"))
