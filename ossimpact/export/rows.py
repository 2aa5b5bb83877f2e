"""The rows of a ranking or shortlist export, typed (Parquet keeps the types; CSV sanitises).

Which ranking: without `as_of`, the newest finished official scoring run (the one the dashboard
shows; a backdated or trial run never replaces it); with `as_of`, the newest finished official or
backdated run whose as-of is on or before the end of that day (UTC); with a scoring run id, that
run (a trial too). An export never scores on its own: every row is a ranking the store recorded, so the file
can be traced back to a scoring run and its methodology version.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import cache
from typing import Any

import pandas as pd

from ossimpact.domain import (
    CATEGORIES,
    ArtifactId,
    InvalidArtifactId,
    Organization,
    Product,
    ScoreRow,
)
from ossimpact.export.columns import (
    CONTRIBUTION_PREFIX,
    COUNT_SIGNALS,
    EXPORT_CATEGORIES,
    EXPORT_COLUMNS_BASE,
    EXTRA_COLUMNS,
    NOTE_COLUMN,
    ExportCategory,
    signal_columns,
)
from ossimpact.export.errors import ExportError
from ossimpact.export.excel_csv import csv_bytes
from ossimpact.export.links import product_url
from ossimpact.export.provenance import store_has_synthetic_data
from ossimpact.scoring_service import recorded_products, run_members
from ossimpact.store import Store
from ossimpact.store.records import COUNTED_STATUSES, ScoringRunRecord
from scoring.hubs import downloads_by_hub
from scoring.openness import classify_licence, product_licence

# Further columns after the mandated ones and EXTRA_COLUMNS.
# `inputs_fingerprint` names the scoring inputs (methodology version, as-of, collection runs)
# rather than the scoring run: scoring the same as-of again gives the same file, byte for byte.
DETAIL_COLUMNS: tuple[str, ...] = (
    "organization_zh",
    "cohort",
    "flag_evidence",
    "inputs_fingerprint",
)
# A corpus's derivatives are the models trained on it (the methodology's name for that signal).
SIGNAL_ALIASES: dict[tuple[str, str], tuple[str, ...]] = {
    ("corpus", "derivatives"): ("derivatives", "models_trained_on"),
}
_ALL_SCORING_RUNS = 1_000_000


def end_of_day(day: date) -> datetime:
    return datetime.combine(day, time.max, tzinfo=UTC)


def choose_scoring_run(
    store: Store, as_of: date | None = None, scoring_run: int | None = None
) -> ScoringRunRecord:
    """The scoring run an export shows (see the module docstring); ExportError when none fits."""
    finished = [
        run for run in store.scoring_runs(_ALL_SCORING_RUNS) if run.run_status in COUNTED_STATUSES
    ]
    if scoring_run is not None:
        # Asked for by id: any finished run, a trial too (that is how a trial is looked at).
        for run in finished:
            if run.id == scoring_run:
                return run
        raise ExportError(f"no finished scoring run {scoring_run} in the store")
    if not finished:
        raise ExportError("no finished scoring run in the store yet: run `ossimpact refresh` first")
    # A trial (another methodology) is never chosen by default or by date.
    dated = [run for run in finished if run.purpose != "trial"]
    if as_of is None:
        official = [run for run in dated if run.purpose == "official"]
        if not official:
            raise ExportError(
                "no official scoring run yet (only backdated or trial ones): run "
                "`ossimpact score`, or name one with --as-of or --scoring-run"
            )
        return max(official, key=lambda run: run.id)
    candidates = [run for run in dated if run.as_of <= end_of_day(as_of)]
    if not candidates:
        earliest = min(dated or finished, key=lambda run: run.as_of)
        raise ExportError(
            f"no scoring run on or before {as_of.isoformat()}: the earliest ranking is as of "
            f"{earliest.as_of.date().isoformat()} (scoring run {earliest.id})"
        )
    return max(candidates, key=lambda run: (run.as_of, run.id))


def inputs_fingerprint(run: ScoringRunRecord) -> str:
    """What a ranking was computed from, as 16 hex digits: its methodology version and content
    hash, as-of and collection runs. Equal for two scoring runs of the same inputs, unlike the
    run's id; two methodology files under one version label never share it."""
    text = "|".join(
        (
            run.methodology_version,
            run.methodology_hash or "",
            run.as_of.isoformat(),
            ",".join(map(str, run.input_run_ids)),
        )
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# Downloads per hub, after the mandated columns: (artifact id prefix, metric) of each column.
# ModelScope publishes all-time counts only; its 30-day figure comes from our own daily snapshots
# (ossimpact/mainland_downloads.py), empty until they reach 30 days back.
HUB_COLUMNS: dict[str, tuple[str, str]] = {
    "hf_downloads_30d": ("hf", "downloads_30d"),
    "hf_downloads_all_time": ("hf", "downloads_all_time"),
    "ms_downloads_30d": ("ms", "downloads_30d"),
    "ms_downloads_all_time": ("ms", "downloads_all_time"),
    "odl_downloads_all_time": ("odl", "downloads_all_time"),
}


def check_category(category: str) -> ExportCategory:
    if category not in EXPORT_CATEGORIES:
        raise ExportError(
            f"unknown category {category!r} (expected one of {', '.join(EXPORT_CATEGORIES)})"
        )
    return category  # type: ignore[return-value]


@dataclass
class _Context:
    """What every row needs besides its score: products, organisations, links, provenance."""

    store: Store
    run: ScoringRunRecord
    products: dict[str, Product] = field(init=False)
    organizations: dict[str, Organization] = field(init=False)
    synthetic: bool = field(init=False)

    def __post_init__(self) -> None:
        # Products as the run grouped them: names of families and lone artifacts as recorded.
        members = run_members(self.store, self.run.id, self.run.as_of)
        self.products = {p.id: p for p in recorded_products(self.store.products(), members)}
        self.first_member: dict[str, str] = {}
        self.members_of: dict[str, list[str]] = {}
        for member in members:
            self.first_member.setdefault(member.product_id, member.artifact)
            self.members_of.setdefault(member.product_id, []).append(member.artifact)
        self.organizations = {o.id: o for o in self.store.organizations()}
        self.synthetic = store_has_synthetic_data(self.store)
        self._artifacts = cache(self._stored_artifacts)
        self._licences = cache(self._stored_licences)
        self._downloads = cache(self._stored_downloads)

    def product(self, product_id: str) -> Product | None:
        """The registry's product, or for an artifact no product groups (stored nowhere as a
        product) one named after the artifact, of the organisation that owns its handle."""
        if product_id in self.products:
            return self.products[product_id]
        try:
            artifact = ArtifactId.parse(product_id)
        except InvalidArtifactId:
            return None
        owner = artifact.owner.casefold()
        org = next(
            (
                o.id
                for o in self.organizations.values()
                if owner
                in {
                    h.casefold() for h in (o.huggingface if artifact.platform == "hf" else o.github)
                }
            ),
            artifact.owner,
        )
        return Product(
            id=product_id,
            name=artifact.repo_id,
            category=artifact.default_category,
            organization=org,
            implicit=True,
        )

    def _stored_artifacts(self) -> list[ArtifactId]:
        return sorted(record.id for record in self.store.artifacts())

    def licence(self, product_id: str) -> tuple[str | None, str]:
        """The product's licences (SPDX ids where one fits, distinct, in member order) and its
        openness class, decided by the most restrictive member."""
        licences = self._licences()
        members = self.members_of.get(product_id) or [product_id]
        summary = product_licence([classify_licence(licences.get(a)) for a in members])
        return summary.licence, summary.openness

    def hub_downloads(self, product_id: str) -> dict[str, int | None]:
        """The product's downloads per hub (HUB_COLUMNS): each hub's members added up, missing
        where no member on that hub has the figure."""
        members = self.members_of.get(product_id) or [product_id]
        by_hub = downloads_by_hub(self._downloads(), members)
        out: dict[str, int | None] = {}
        for column, (hub, metric) in HUB_COLUMNS.items():
            value = by_hub.get(metric, {}).get(hub)
            out[column] = None if value is None else round(value)
        return out

    def _stored_downloads(self) -> dict[tuple[str, str], float]:
        found = self.store.latest_observations(
            as_of=self.run.as_of, metrics=("downloads_30d", "downloads_all_time")
        )
        return {(str(a), metric): o.value for (a, metric), o in found.items()}

    def _stored_licences(self) -> dict[str, str | None]:
        table = self.store.artifact_table()
        return {
            str(a): (lic if isinstance(lic, str) else None)
            for a, lic in zip(table["artifact"], table["license"], strict=True)
        }

    def url(self, product_id: str) -> str | None:
        product = self.products.get(product_id)
        if product is not None and product.implicit and product_id in self.first_member:
            return ArtifactId.parse(self.first_member[product_id]).web_url
        return product_url(product_id, product, self._artifacts)


@dataclass(frozen=True)
class _Entry:
    product_id: str
    score: ScoreRow | None
    note: str | None = None


def _raw(raws: dict[str, float | None], category: str, column: str) -> float | None:
    for name in SIGNAL_ALIASES.get((category, column), (column,)):
        if raws.get(name) is not None:
            return raws[name]
    return None


def _numbers(values: Sequence[float | None], name: str) -> pd.Series:
    if name in COUNT_SIGNALS:
        return pd.Series(pd.array([None if v is None else round(v) for v in values], dtype="Int64"))
    return pd.Series(pd.array(list(values), dtype="Float64"))


def _text(values: Sequence[str | None]) -> pd.Series:
    return pd.Series(pd.array(list(values), dtype="string"))


def _build(
    entries: Sequence[_Entry], category: ExportCategory, context: _Context, with_note: bool
) -> pd.DataFrame:
    products = [context.product(e.product_id) for e in entries]
    categories = [
        e.score.category if e.score else (p.category if p else None)
        for e, p in zip(entries, products, strict=True)
    ]
    orgs = [context.organizations.get(p.organization) if p else None for p in products]
    scores = [e.score for e in entries]
    columns: dict[str, Any] = {
        "rank": pd.array([s.rank if s else None for s in scores], dtype="Int64"),
        "rank_low": pd.array([s.rank_low if s else None for s in scores], dtype="Int64"),
        "rank_high": pd.array([s.rank_high if s else None for s in scores], dtype="Int64"),
        "product_id": _text([e.product_id for e in entries]),
        "product_name": _text([p.name if p else None for p in products]),
        "organization": _text(
            [
                o.name if o else (p.organization if p else None)
                for o, p in zip(orgs, products, strict=True)
            ]
        ),
        "category": _text(categories),
        "score": pd.array([s.total if s else None for s in scores], dtype="Float64"),
        "flags": _text(
            [";".join(dict.fromkeys(f.kind for f in s.flags)) if s else "" for s in scores]
        ),
        "url": _text([context.url(e.product_id) for e in entries]),
        "methodology_version": _text([context.run.methodology_version] * len(entries)),
        "data_as_of": pd.Series([context.run.as_of] * len(entries), dtype="datetime64[us, UTC]"),
        "synthetic": pd.Series([context.synthetic] * len(entries), dtype="bool"),
    }
    assert tuple(columns) == EXPORT_COLUMNS_BASE
    raws = [{c.signal: c.raw for c in s.contributions} if s else {} for s in scores]
    parts = [{c.signal: c.contribution for c in s.contributions} if s else {} for s in scores]
    mandated = signal_columns(category)
    for name in mandated:
        values = [_raw(r, c or "", name) for r, c in zip(raws, categories, strict=True)]
        columns[name] = _numbers(values, name)
    if with_note:
        columns[NOTE_COLUMN] = _text([e.note for e in entries])
    columns["top_n_share"] = pd.array(
        [s.top_n_share if s else None for s in scores], dtype="Float64"
    )
    columns["coverage"] = pd.array([s.coverage if s else None for s in scores], dtype="Float64")
    assert tuple(columns)[-len(EXTRA_COLUMNS) :] == EXTRA_COLUMNS
    licences = [context.licence(e.product_id) for e in entries]
    columns["licence"] = _text([lic for lic, _ in licences])
    columns["openness"] = _text([openness for _, openness in licences])
    hubs = [context.hub_downloads(e.product_id) for e in entries]
    for column in HUB_COLUMNS:
        columns[column] = pd.array([h[column] for h in hubs], dtype="Int64")
    columns["organization_zh"] = _text([o.name_zh if o else None for o in orgs])
    columns["cohort"] = _text([s.cohort if s else None for s in scores])
    columns["flag_evidence"] = _text(
        [" | ".join(f"{f.kind}: {f.evidence}" for f in s.flags) if s else None for s in scores]
    )
    columns["inputs_fingerprint"] = _text([inputs_fingerprint(context.run)] * len(entries))
    signals = list(dict.fromkeys(c.signal for s in scores if s for c in s.contributions))
    for name in signals:
        if name not in columns:
            columns[name] = _numbers([r.get(name) for r in raws], name)
    for name in signals:
        columns[f"{CONTRIBUTION_PREFIX}{name}"] = pd.array(
            [p.get(name) for p in parts], dtype="Float64"
        )
    frame = pd.DataFrame({name: pd.Series(values) for name, values in columns.items()})
    return frame.reset_index(drop=True)


def _ranking_order(score: ScoreRow) -> tuple[int, int, str]:
    return (CATEGORIES.index(score.category), score.rank, score.product_id)


def export_rows(
    store: Store,
    *,
    category: str,
    top: int | None = None,
    as_of: date | None = None,
    shortlist: str | None = None,
    scoring_run: int | None = None,
) -> pd.DataFrame:
    """The export's rows, typed and unsanitised (Parquet writes them as they are).

    Without a shortlist: the ranking of `category` ("all": every category, model first), in rank
    order; `top` keeps the first N of each category. With a shortlist: its products in the
    shortlist's order with their notes, limited to `category`; `top` keeps its first N. A
    shortlisted product the chosen ranking does not score stays, with empty score cells.
    """
    chosen = check_category(category)
    if top is not None and top < 1:
        raise ExportError(f"--top must be at least 1, got {top}")
    saved = None
    if shortlist is not None:
        saved = store.shortlist(shortlist)
        if saved is None:
            known = ", ".join(s.name for s in store.shortlists()) or "none saved yet"
            raise ExportError(f"no shortlist named {shortlist!r} (known: {known})")
    context = _Context(store, choose_scoring_run(store, as_of, scoring_run))
    scores = store.scores(context.run.id)
    if saved is None:
        kept = sorted(
            (s for s in scores if chosen == "all" or s.category == chosen), key=_ranking_order
        )
        if top is not None:
            kept = [s for s in kept if s.rank <= _nth_rank(kept, s.category, top)]
        entries = [_Entry(s.product_id, s) for s in kept]
        return _build(entries, chosen, context, with_note=False)
    by_id = {s.product_id: s for s in scores}
    entries = []
    for item in saved.items:
        score = by_id.get(item.product_id)
        product = context.product(item.product_id)
        item_category = score.category if score else (product.category if product else None)
        if chosen == "all" or item_category == chosen:
            entries.append(_Entry(item.product_id, score, item.note))
    return _build(entries[:top] if top else entries, chosen, context, with_note=True)


def _nth_rank(ranked: Sequence[ScoreRow], category: str, top: int) -> int:
    """The rank of a category's `top`-th row; rows tied with it stay in."""
    ranks = [s.rank for s in ranked if s.category == category]
    return ranks[min(top, len(ranks)) - 1]


def picked_rows(
    store: Store, items: Sequence[tuple[str, str]], *, as_of: date | None = None
) -> pd.DataFrame:
    """Rows for products picked but not saved as a shortlist yet: (product_id, note) pairs."""
    context = _Context(store, choose_scoring_run(store, as_of))
    by_id = {s.product_id: s for s in store.scores(context.run.id)}
    entries = [_Entry(pid, by_id.get(pid), note) for pid, note in items]
    return _build(entries, "all", context, with_note=True)


def shortlist_csv_bytes(store: Store, name: str) -> bytes:
    """A saved shortlist as Excel-safe CSV: what the dashboard's download button serves."""
    return csv_bytes(export_rows(store, category="all", shortlist=name))
