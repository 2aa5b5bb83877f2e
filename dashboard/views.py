"""Store records → the tables pages show. Pure functions: no Streamlit, no SQL, no scoring maths.

`data.py` caches these; tests call them directly on a fixture store.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from dashboard.eligibility import product_licences, split_flags
from dashboard.hubs import product_hubs
from dashboard.i18n import catalogue
from ossimpact.domain import (
    ArtifactFailure,
    ArtifactId,
    Organization,
    ScoreRow,
)
from ossimpact.scoring_service import recorded_products, run_members
from ossimpact.store import ScoringMember

HISTORY_METRICS: tuple[str, ...] = ("downloads_all_time", "downloads_30d", "stars", "likes")
HEADLINE_METRICS: tuple[str, ...] = ("downloads_30d", "downloads_all_time", "likes", "stars")

FLAG_ICONS: dict[str, str] = {
    "star_burst": "⭐",
    "download_spike": "📈",
    "ratio_outlier": "⚖️",
    "fake_stargazers": "👤",
    "downloads_decreased": "📉",
    "licence_not_open": "📜",
    "gated": "🔒",
    "attribution_doubt": "📍",
}


def flag_icon(kind: str) -> str:
    return FLAG_ICONS.get(kind, "⚠️")


@dataclass
class Snapshot:
    """The latest data as frames, read once per data version and shared read-only by every page.

    `scores` holds no contributions: those are read per product (`product_scores`) or per
    category (`category_contributions`) only where a page shows them.
    """

    products: pd.DataFrame
    organizations: pd.DataFrame
    artifacts: pd.DataFrame
    latest: pd.DataFrame
    scores: pd.DataFrame
    edges: pd.DataFrame
    benchmarks: pd.DataFrame
    runs: pd.DataFrame
    scoring_run: dict[str, Any]
    synthetic: bool
    members: dict[str, list[ArtifactId]] = field(default_factory=dict)

    def members_of(self, product_id: str) -> list[ArtifactId]:
        return self.members.get(product_id, [])

    @property
    def data_as_of(self) -> datetime | None:
        """When the latest successful collection finished."""
        if self.runs.empty:
            return None
        ok = self.runs[self.runs["status"].isin(["succeeded", "partial"])]
        finished = ok["finished_at"].dropna()
        return None if finished.empty else finished.max().to_pydatetime()


# ---------------------------------------------------------------- loading


def _records(items: Iterable[Any], columns: Sequence[str]) -> pd.DataFrame:
    rows = [{column: getattr(item, column, None) for column in columns} for item in items]
    return pd.DataFrame(rows, columns=list(columns))


def members_by_product(members: Iterable[ScoringMember]) -> dict[str, list[ArtifactId]]:
    found: dict[str, list[ArtifactId]] = {}
    for member in members:
        found.setdefault(member.product_id, []).append(ArtifactId.parse(member.artifact))
    return found


def load_snapshot(store: Any, scoring_run_id: int | None = None) -> Snapshot:
    # The official ranking (the store's own rule) unless a reader chose another scoring run.
    scores = store.score_summaries(scoring_run_id)
    organizations: list[Organization] = list(store.organizations())
    scoring_run: dict[str, Any] = {}
    # The run the scores above come from: the official one, not merely the newest (a backdated
    # or trial run recorded later must not relabel the ranking).
    shown = scoring_run_id if scoring_run_id is not None else store.official_scoring_run_id()
    counted = [r for r in store.scoring_runs(1000) if r.id == shown]
    if not scores.empty and counted:
        newest = counted[0]
        scoring_run = {
            "id": newest.id,
            "methodology_version": newest.methodology_version,
            "as_of": newest.as_of,
            "created_at": newest.created_at,
            "purpose": newest.purpose,
        }
    # Who belongs to which product is what the official run scored (one rule, applied once by
    # scoring): this page matches nothing itself.
    recorded = run_members(store, scoring_run["id"], scoring_run["as_of"]) if scoring_run else []
    products = recorded_products(store.products(), recorded)
    members = members_by_product(recorded)
    artifact_frame = store.artifact_table()
    product_of = {m.artifact: m.product_id for m in recorded}
    artifact_frame.insert(1, "product_id", artifact_frame["artifact"].map(product_of))

    product_frame = _records(
        products, ["id", "name", "category", "organization", "description", "implicit"]
    ).rename(columns={"id": "product_id"})
    org_frame = pd.DataFrame(
        [
            {
                "organization": o.id,
                "org_name": o.name,
                "org_name_zh": o.name_zh or o.name,
                "org_kind": o.kind,
                "city": o.city,
                "confidence": o.confidence,
                "evidence": list(o.evidence),
            }
            for o in organizations
        ],
        columns=[
            "organization",
            "org_name",
            "org_name_zh",
            "org_kind",
            "city",
            "confidence",
            "evidence",
        ],
    )
    latest = store.latest_figures()

    edges = _edge_frame(store.edges())
    benchmarks = _records(
        store.benchmark_results(),
        [
            "artifact",
            "benchmark",
            "metric",
            "value",
            "source",
            "trust",
            "observed_at",
            "source_url",
            "scaled",
        ],
    )
    if not benchmarks.empty:
        benchmarks = benchmarks.assign(artifact=benchmarks["artifact"].map(str))

    runs = runs_frame(store.runs(200))
    return Snapshot(
        products=product_frame,
        organizations=org_frame,
        artifacts=artifact_frame,
        latest=latest,
        scores=scores,
        edges=edges,
        benchmarks=benchmarks,
        runs=runs,
        scoring_run=scoring_run,
        synthetic=is_synthetic(store),
        members=members,
    )


def is_synthetic(store: Any) -> bool:
    """Demo data is labelled so on screen; the store (set by the demo) or the settings say so."""
    from ossimpact.settings import load_settings

    return store.meta("synthetic") == "true" or load_settings().synthetic


def _field(record: Any, name: str) -> Any:
    if isinstance(record, Mapping):
        return record.get(name)
    return getattr(record, name, None)


CONTRIBUTION_COLUMNS = [
    "product_id",
    "signal",
    "raw",
    "normalized",
    "weight",
    "effective_weight",
    "contribution",
]
FLAG_COLUMNS = [
    "product_id",
    "kind",
    "artifact",
    "evidence",
    "window_start",
    "window_end",
    "excluded",
]


def score_detail_frames(rows: Sequence[ScoreRow]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Contributions and integrity flags of some score rows, one row per signal / flag."""
    contributions = pd.DataFrame(
        [
            {
                "product_id": r.product_id,
                "signal": c.signal,
                "raw": c.raw,
                "normalized": c.normalized,
                "weight": c.weight,
                "effective_weight": c.effective_weight,
                "contribution": c.contribution,
            }
            for r in rows
            for c in r.contributions
        ],
        columns=CONTRIBUTION_COLUMNS,
    )
    flags = pd.DataFrame(
        [
            {
                "product_id": r.product_id,
                "kind": f.kind,
                "artifact": str(f.artifact) if f.artifact else None,
                "evidence": f.evidence,
                "window_start": f.window_start,
                "window_end": f.window_end,
                "excluded": f.excluded,
            }
            for r in rows
            for f in r.flags
        ],
        columns=FLAG_COLUMNS,
    )
    return contributions, flags


def category_contributions(store: Any, snap: Snapshot, category: str) -> pd.DataFrame:
    """Every signal contribution of a category's scores in the snapshot's run (what-if's input)."""
    ids = snap.scores.loc[snap.scores["category"] == category, "product_id"]
    run = snap.scoring_run.get("id")
    contributions, _ = score_detail_frames(store.product_scores(list(ids), run))
    return contributions


def _edge_frame(edges: Iterable[Any]) -> pd.DataFrame:
    frame = _records(edges, ["source", "target", "relation", "observed_at", "source_url"])
    if not frame.empty:
        frame = frame.assign(source=frame["source"].map(str), target=frame["target"].map(str))
    return frame


RUN_COLUMNS = [
    "id",
    "kind",
    "source",
    "status",
    "started_at",
    "finished_at",
    "requests",
    "rate_limit_waits",
    "rate_limit_wait_seconds",
    "paced_seconds",
    "stopped_reason",
    "message",
]


def runs_frame(runs: Iterable[Any]) -> pd.DataFrame:
    frame = pd.DataFrame(
        [{column: _field(run, column) for column in RUN_COLUMNS} for run in runs],
        columns=RUN_COLUMNS,
    )
    for column in ("started_at", "finished_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    frame["duration_seconds"] = (frame["finished_at"] - frame["started_at"]).dt.total_seconds()
    return frame.sort_values("started_at", ascending=False, ignore_index=True)


def failures_frame(failures: Iterable[ArtifactFailure]) -> pd.DataFrame:
    return _records(failures, ["subject", "source", "reason", "detail"])


# ---------------------------------------------------------------- per product figures


def product_figures(snap: Snapshot) -> pd.DataFrame:
    """Headline metrics per product: the sum over its artifacts of their latest observations."""
    if snap.latest.empty or snap.artifacts.empty:
        return pd.DataFrame(columns=["product_id", *HEADLINE_METRICS])
    joined = snap.latest[snap.latest["metric"].isin(HEADLINE_METRICS)].merge(
        snap.artifacts[["artifact", "product_id"]], on="artifact"
    )
    wide = joined.pivot_table(
        index="product_id", columns="metric", values="value", aggfunc="sum"
    ).reset_index()
    for metric in HEADLINE_METRICS:
        if metric not in wide.columns:
            wide[metric] = float("nan")
    # object ids even when nothing joined (an empty pivot's index is float)
    return wide[["product_id", *HEADLINE_METRICS]].astype({"product_id": object})


def leaderboard_frame(snap: Snapshot, category: str, lang: str) -> pd.DataFrame:
    """One row per scored product of a category, best first, with what the table shows."""
    scores = snap.scores[snap.scores["category"] == category]
    frame = (
        scores.merge(snap.products[["product_id", "name", "organization"]], on="product_id")
        .merge(
            snap.organizations[["organization", "org_name", "org_name_zh"]],
            on="organization",
            how="left",
        )
        .merge(product_figures(snap), on="product_id", how="left")
        .merge(product_licences(snap.artifacts), on="product_id", how="left")
        .merge(product_hubs(snap.artifacts), on="product_id", how="left")
    )
    from dashboard.format import rank_with_interval

    frame["organisation"] = frame["org_name_zh" if lang == "zh" else "org_name"].fillna(
        frame["organization"]
    )
    frame["rank_text"] = [
        rank_with_interval(int(r), int(lo), int(hi))
        for r, lo, hi in zip(frame["rank"], frame["rank_low"], frame["rank_high"], strict=True)
    ]
    frame["flags"] = ["".join(flag_icon(k) for k in kinds) for kinds in frame["flag_kinds"]]
    # the integrity filter looks at integrity flags; eligibility has its own filter (openness)
    frame["flagged"] = [bool(split_flags(list(kinds))[0]) for kinds in frame["flag_kinds"]]
    frame["size_class"] = frame["cohort"]
    names = catalogue(lang)
    frame["openness"] = frame["openness"].fillna("unknown")
    frame["openness_name"] = [names.get(f"openness.{o}", o) for o in frame["openness"]]
    columns = [
        "rank",
        "rank_text",
        "name",
        "organisation",
        "total",
        "downloads_30d",
        "downloads_all_time",
        "likes",
        "stars",
        "license",
        "openness",
        "openness_name",
        "hubs",
        "size_class",
        "flags",
        "flagged",
        "top_n_share",
        "coverage",
        "url",
        "product_id",
        "organization",
    ]
    frame = frame.sort_values(["rank", "name"], ignore_index=True)[columns]
    # Few distinct values over thousands of rows: sent to the browser once each (Arrow
    # dictionaries), not once per row.
    return frame.astype({column: "category" for column in REPEATED_COLUMNS})


REPEATED_COLUMNS = ("organisation", "license", "openness", "openness_name", "size_class", "flags")


def filter_leaderboard(
    frame: pd.DataFrame,
    *,
    organisations: Sequence[str] = (),
    openness: Sequence[str] = (),
    hubs: Sequence[str] = (),
    size_classes: Sequence[str] = (),
    flagged: str = "all",
    search: str = "",
) -> pd.DataFrame:
    """The rows the filters keep. `flagged` is "all", "flagged" or "unflagged"."""
    keep = pd.Series(True, index=frame.index)
    if organisations:
        keep &= frame["organisation"].isin(organisations)
    if openness:
        keep &= frame["openness"].isin(openness)
    if hubs:
        published = frame["hubs"].fillna("").str.split(",")
        keep &= published.map(lambda found: any(h in found for h in hubs))
    if size_classes:
        keep &= frame["size_class"].isin(size_classes)
    if flagged == "flagged":
        keep &= frame["flagged"]
    elif flagged == "unflagged":
        keep &= ~frame["flagged"]
    needle = search.strip().casefold()
    if needle:
        haystack = (frame["name"].fillna("") + " " + frame["product_id"]).str.casefold()
        keep &= haystack.str.contains(needle, regex=False)
    return frame[keep].reset_index(drop=True)


def product_labels(snap: Snapshot) -> dict[str, str]:
    """product id → "name · organisation id", for pickers, in the registry's order."""
    return {
        str(pid): f"{name} · {org}"
        for pid, name, org in zip(
            snap.products["product_id"],
            snap.products["name"],
            snap.products["organization"],
            strict=True,
        )
    }


def matching_products(
    labels: Mapping[str, str], query: str, keep: str | None = None, limit: int = 50
) -> list[str]:
    """At most `limit` product ids for a picker: those whose id or label contains `query`
    (case-insensitive), exact matches first, then prefixes, then the rest in `labels` order.

    `keep` (the product on screen) is always first when it is a known product, so typing a new
    search never drops the page's current product from the picker.
    """
    needle = query.strip().casefold()
    tiers: tuple[list[str], list[str], list[str]] = ([], [], [])
    for product_id, text in labels.items():
        if product_id == keep:
            continue
        if not needle:
            tiers[2].append(product_id)
            if len(tiers[2]) >= limit:
                break
            continue
        ident, shown = product_id.casefold(), text.casefold()
        if needle == ident or shown.startswith(needle + " ·"):
            tiers[0].append(product_id)
        elif ident.startswith(needle) or shown.startswith(needle):
            tiers[1].append(product_id)
        elif needle in ident or needle in shown:
            tiers[2].append(product_id)
    found = [*tiers[0], *tiers[1], *tiers[2]]
    head = [keep] if keep is not None and keep in labels else []
    return [*head, *found][: max(limit, len(head))]


def category_counts(snap: Snapshot) -> pd.DataFrame:
    return (
        snap.products.groupby("category", as_index=False)
        .agg(products=("product_id", "count"))
        .sort_values("category", ignore_index=True)
    )


# ---------------------------------------------------------------- product page


@dataclass
class ProductView:
    product_id: str
    name: str
    category: str
    description: str | None
    organization: dict[str, Any]
    score: dict[str, Any] | None
    artifacts: pd.DataFrame
    figures: pd.DataFrame  # artifact, metric, value, observed_at, source_url
    contributions: pd.DataFrame
    flags: pd.DataFrame
    benchmarks: pd.DataFrame
    derivatives: pd.DataFrame
    members: pd.DataFrame = field(default_factory=lambda: empty_members())


def empty_members() -> pd.DataFrame:
    from ossimpact.export import MEMBER_COLUMNS

    return pd.DataFrame(columns=list(MEMBER_COLUMNS))


def product_members_frame(store: Any, snap: Snapshot, product_id: str) -> pd.DataFrame:
    """The product's rows of the members export for the official scoring run (the snapshot's):
    the same rows and words as `ossimpact export --what members`."""
    from ossimpact.export import members_of_run

    run = snap.scoring_run
    if not run:
        return empty_members()
    return members_of_run(
        store, run["id"], run["as_of"], run["methodology_version"], product_ids=[product_id]
    )


def product_view(
    snap: Snapshot,
    product_id: str,
    score_rows: Sequence[ScoreRow] = (),
    members: pd.DataFrame | None = None,
) -> ProductView | None:
    """A product's page; `score_rows` are its full official score rows (`Store.product_scores`),
    `members` its rows of the members export (`product_members_frame`)."""
    found = snap.products[snap.products["product_id"] == product_id]
    if found.empty:
        return None
    product = found.iloc[0]
    org = snap.organizations[snap.organizations["organization"] == product["organization"]]
    organization = (
        org.iloc[0].to_dict() if not org.empty else {"organization": product["organization"]}
    )
    member_ids = {str(a) for a in snap.members_of(product_id)}
    artifacts = snap.artifacts[snap.artifacts["artifact"].isin(member_ids)].reset_index(drop=True)
    figures = snap.latest[snap.latest["artifact"].isin(member_ids)].sort_values(
        ["artifact", "metric"], ignore_index=True
    )
    score = snap.scores[snap.scores["product_id"] == product_id]
    benchmarks = (
        snap.benchmarks[snap.benchmarks["artifact"].isin(member_ids)].reset_index(drop=True)
        if not snap.benchmarks.empty
        else snap.benchmarks
    )
    contributions, flags = score_detail_frames(
        [r for r in score_rows if r.product_id == product_id]
    )
    derivatives = snap.edges
    if not derivatives.empty:
        derivatives = derivatives[derivatives["source"].isin(member_ids)].reset_index(drop=True)
    return ProductView(
        product_id=product_id,
        name=str(product["name"]),
        category=str(product["category"]),
        description=product["description"] if isinstance(product["description"], str) else None,
        organization=organization,
        score={str(k): v for k, v in score.iloc[0].items()} if not score.empty else None,
        artifacts=artifacts,
        figures=figures,
        contributions=contributions.sort_values("contribution", ascending=False).reset_index(
            drop=True
        ),
        flags=flags,
        benchmarks=benchmarks,
        derivatives=derivatives,
        members=members if members is not None else empty_members(),
    )


def empty_history() -> pd.DataFrame:
    return pd.DataFrame(columns=["observed_at", "metric", "value"])


def product_history_frame(history: pd.DataFrame) -> pd.DataFrame:
    """Per metric and day, the sum over a product's artifacts (the latest value of each day)."""
    if history.empty:
        return empty_history()
    frame = history.assign(
        observed_at=pd.to_datetime(history["observed_at"], utc=True),
        artifact=history["artifact"].map(str),
    )
    frame["day"] = frame["observed_at"].dt.floor("D")
    per_artifact_day = (
        frame.sort_values("observed_at")
        .groupby(["artifact", "metric", "day"], as_index=False)["value"]
        .last()
    )
    summed = per_artifact_day.groupby(["metric", "day"], as_index=False)["value"].sum()
    result: pd.DataFrame = summed.rename(columns={"day": "observed_at"})
    return result[["observed_at", "metric", "value"]]


# ---------------------------------------------------------------- what-if


def default_weights(contributions: pd.DataFrame) -> dict[str, float]:
    """The methodology's weights as the official scores recorded them, per signal
    (`contributions`: a category's, see `category_contributions`)."""
    rows = contributions
    if rows.empty:
        return {}
    weights = rows.groupby("signal", sort=False)["weight"].first()
    return {str(k): float(v) for k, v in weights.items()}


def what_if_frame(
    snap: Snapshot,
    contributions: pd.DataFrame,
    category: str,
    weights: Mapping[str, float],
    min_coverage: float = 0.0,
) -> pd.DataFrame:
    """Official rank beside the rank under `weights`, with the change (positive = moved up)."""
    from scoring.reweigh import reweighted_totals

    scores = snap.scores[snap.scores["category"] == category]
    rows = contributions[contributions["product_id"].isin(scores["product_id"])]
    totals = reweighted_totals(rows, weights, min_coverage)
    frame = scores[["product_id", "rank", "total"]].merge(totals, on="product_id", how="inner")
    frame["what_if_rank"] = frame["what_if_rank"].astype(int)
    frame["change"] = frame["rank"] - frame["what_if_rank"]
    frame = frame.merge(snap.products[["product_id", "name"]], on="product_id", how="left")
    return frame.sort_values(["what_if_rank", "rank"], ignore_index=True)[
        ["what_if_rank", "rank", "change", "name", "what_if_total", "total", "product_id"]
    ]


def encode_weights(weights: Mapping[str, float]) -> str:
    return ",".join(f"{name}:{value:g}" for name, value in weights.items())


def decode_weights(text: str | None, defaults: Mapping[str, float]) -> dict[str, float]:
    """Weights from a shared link; unknown signals and bad numbers fall back to the defaults."""
    weights = dict(defaults)
    for part in (text or "").split(","):
        name, _, value = part.partition(":")
        if name in weights:
            try:
                number = float(value)
            except ValueError:
                continue
            if 0.0 <= number <= 1.0:
                weights[name] = number
    return weights


# ---------------------------------------------------------------- methodology


@dataclass
class MethodologyView:
    version: str | None
    document: dict[str, Any]
    min_coverage: float = 0.0
    window: tuple[datetime, datetime] | None = None
    error: str | None = None


def load_methodology_view(path: str) -> MethodologyView:
    """The methodology file as scoring validates it; a broken file is reported, not raised."""
    from scoring.methodology import MethodologyError, load_methodology

    try:
        methodology = load_methodology(Path(path))
    except MethodologyError as exc:
        return MethodologyView(None, {}, error=str(exc))
    window = methodology.award_window
    return MethodologyView(
        version=methodology.version,
        document=methodology.model_dump(mode="json"),
        min_coverage=methodology.min_coverage,
        window=(
            datetime(window.start.year, window.start.month, window.start.day, tzinfo=UTC),
            datetime(window.end.year, window.end.month, window.end.day, 23, 59, 59, tzinfo=UTC),
        ),
    )


# ---------------------------------------------------------------- shortlists


@dataclass
class ShortlistView:
    name: str
    created_by: str
    created_at: datetime | None
    items: list[tuple[str, str]]


def shortlist_names(shortlists: Iterable[Any]) -> list[str]:
    return [str(item.name) for item in shortlists]


def shortlist_view(record: Any) -> ShortlistView | None:
    if record is None:
        return None
    return ShortlistView(
        name=str(record.name),
        created_by=str(record.created_by),
        created_at=record.created_at,
        items=[(str(i.product_id), str(i.note)) for i in record.items],
    )
