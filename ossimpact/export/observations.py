"""Every stored observation as one typed table, for analysts (DuckDB, pandas, Spark)."""

from __future__ import annotations

from datetime import date

import pandas as pd

from ossimpact.domain import ArtifactId
from ossimpact.export.errors import ExportError
from ossimpact.export.provenance import is_synthetic_url, store_is_marked_synthetic
from ossimpact.export.rows import end_of_day
from ossimpact.store import Store

OBSERVATION_COLUMNS: tuple[str, ...] = (
    "artifact",
    "platform",
    "artifact_kind",
    "owner",
    "name",
    "metric",
    "value",
    "observed_at",
    "source_url",
    "kind",
    "run_id",
    "synthetic",
)


def observations_frame(store: Store, *, as_of: date | None = None) -> pd.DataFrame:
    """The observations of finished runs up to the end of `as_of` (UTC), oldest first per series.

    `synthetic` is per row: true when the figure came from a loopback (sandbox) server, or for
    every row when the store is marked synthetic.
    """
    history = store.observation_history(until=end_of_day(as_of) if as_of else None)
    if history.empty:
        if as_of is not None and not store.observation_history().empty:
            raise ExportError(f"no observations on or before {as_of.isoformat()}")
        raise ExportError("no observations in the store yet: run `ossimpact refresh` first")
    ids = {text: ArtifactId.parse(text) for text in history["artifact"].unique()}
    artifacts = history["artifact"].map(ids)
    urls = history["source_url"]
    marked = store_is_marked_synthetic(store)
    synthetic = {url: marked or is_synthetic_url(url) for url in urls.unique()}
    frame = pd.DataFrame(
        {
            "artifact": history["artifact"].astype("string"),
            "platform": artifacts.map(lambda a: a.platform).astype("string"),
            "artifact_kind": artifacts.map(lambda a: a.kind).astype("string"),
            "owner": artifacts.map(lambda a: a.owner).astype("string"),
            "name": artifacts.map(lambda a: a.name).astype("string"),
            "metric": history["metric"].astype("string"),
            "value": history["value"].astype("float64"),
            "observed_at": history["observed_at"],
            "source_url": urls.astype("string"),
            "kind": history["kind"].astype("string"),
            "run_id": history["run_id"].astype("int64"),
            "synthetic": urls.map(synthetic).astype("bool"),
        }
    )
    return frame[list(OBSERVATION_COLUMNS)].reset_index(drop=True)
