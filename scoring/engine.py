"""Scoring: signals → normalise → weigh → rank, with intervals, flags and explanations."""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import datetime

import numpy as np
import pandas as pd

from ossimpact.domain import (
    CATEGORIES,
    Category,
    IntegrityFlag,
    ScoreRow,
    SignalContribution,
)
from scoring.aggregate import latest_values
from scoring.eligibility import eligibility_flags
from scoring.inputs import ScoringInputs, checked_series
from scoring.integrity import WINDOW_KIND, exclude_windows, ratio_outliers, series_findings
from scoring.intervals import RankIntervals, rank_intervals
from scoring.methodology import Methodology, SignalConfig, Transform
from scoring.normalize import apply_transform
from scoring.rank import FloatArray, IntArray, Totals, ranking_key, ranks, weighted_totals
from scoring.signals import derive_signals, membership_frame

SIGNAL_COLUMNS = ["product_id", "category", "signal", "group", "raw", "normalized", "weight"]


@dataclass(frozen=True)
class ScoringResult:
    rows: list[ScoreRow]  # sorted by category (model, corpus, community) then rank
    signals: pd.DataFrame  # SIGNAL_COLUMNS: raw and normalised value per product and signal
    methodology_version: str
    as_of: datetime
    methodology: Methodology
    top_n: int
    synthetic: bool = False
    raw_signals: pd.DataFrame = field(default_factory=pd.DataFrame)  # every catalogue signal

    def row(self, product_id: str) -> ScoreRow:
        for r in self.rows:
            if r.product_id == product_id:
                return r
        raise KeyError(f"no score row for product {product_id!r}")


def _product_flags(
    membership: pd.DataFrame, artifact_flags: list[tuple[str, IntegrityFlag]]
) -> dict[str, list[IntegrityFlag]]:
    by_artifact: dict[str, list[IntegrityFlag]] = defaultdict(list)
    for artifact, flag in artifact_flags:
        by_artifact[artifact].append(flag)
    out: dict[str, list[IntegrityFlag]] = defaultdict(list)
    if not by_artifact:  # nothing flagged: no need to look through the membership
        return out
    flagged = membership[membership["artifact"].isin(list(by_artifact))]
    for product_id, artifact in flagged.itertuples(index=False):
        out[str(product_id)].extend(by_artifact.get(str(artifact), ()))
    return out


def _flag_key(f: IntegrityFlag) -> tuple[str, str, str]:
    return (f.kind, str(f.artifact or ""), f.window_start.isoformat() if f.window_start else "")


@contextmanager
def _without_cycle_collection() -> Iterator[None]:
    """Scoring makes a million long-lived objects (rows, contributions) and no reference cycles:
    the cyclic garbage collector would walk them again and again for nothing (a third of the
    time at 20,000 products). Reference counting still frees everything; the collector's state
    is restored after."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:
            # the objects made meanwhile are all young: the first collection after enabling
            # would walk every one of them (a fifth of a second at 100,000 products) only to
            # move them on. Moving every tracked object to the oldest generation at once is
            # where they would end up; skipped if the process keeps objects frozen itself.
            gc.freeze()
            gc.unfreeze()
        if was_enabled:
            gc.enable()


def score_products(
    inputs: ScoringInputs,
    methodology: Methodology,
    *,
    seed: int = 0,
    draws: int = 1000,
    top_n: int = 10,
) -> ScoringResult:
    """Scores, ranks, intervals and flags of every product (see the methodology)."""
    with _without_cycle_collection():
        return _score_products(inputs, methodology, seed=seed, draws=draws, top_n=top_n)


def _score_products(
    inputs: ScoringInputs,
    methodology: Methodology,
    *,
    seed: int,
    draws: int,
    top_n: int,
) -> ScoringResult:
    # the series are found once, with the check of the history's order
    history, segments = checked_series(inputs.history, inputs.as_of)
    rules = methodology.integrity
    latest = latest_values(history, segments)
    findings = series_findings(history, latest, rules, segments)
    artifact_flags = findings.flags
    if rules.exclude_flagged_window:
        excluded = [e for e in findings.excess if WINDOW_KIND[e.metric] in rules.excludable]
        history = exclude_windows(history, excluded)  # values change, rows stay
        latest = latest_values(history, segments)
        artifact_flags = [
            (a, replace(f, excluded=True) if f.kind in rules.excludable else f)
            for a, f in artifact_flags
        ]
    membership = membership_frame(inputs)
    table = derive_signals(inputs, methodology, history, latest, membership, segments)
    flags = _product_flags(membership, artifact_flags)
    raw = table.raw
    for category, pairs in rules.ratio_pairs.items():
        # boolean masks, not product-id lookups: the rows of a category in the table's order
        in_category = (table.category == category).to_numpy(dtype=bool)
        for pair in pairs:
            outliers = ratio_outliers(
                raw.loc[in_category, pair.numerator],
                raw.loc[in_category, pair.denominator],
                rules.ratio_outlier,
                pair.label,
            )
            for pid, flag in outliers.items():
                flags[pid].append(flag)
    eligibility = eligibility_flags(
        inputs.products, inputs.members, inputs.artifacts, inputs.organizations
    )
    for pid, found in eligibility.items():
        flags[pid].extend(found)

    rng = np.random.default_rng(seed)
    rows: list[ScoreRow] = []
    frames: list[pd.DataFrame] = []
    for category in CATEGORIES:
        in_category = (table.category == category).to_numpy(dtype=bool)
        ids = table.category.index[in_category]
        configs = methodology.signals(category)
        names = [s.name for s in configs]
        weights = np.array([s.weight for s in configs], dtype=float)
        raw_c = raw.loc[in_category, names].to_numpy(dtype=float)
        normalized = (
            np.column_stack(
                [apply_transform(raw_c[:, j], s.transform) for j, s in enumerate(configs)]
            )
            if names
            else np.zeros((len(ids), 0))
        )
        totals = weighted_totals(normalized, weights)
        key = ranking_key(totals.total, totals.coverage, methodology.min_coverage)
        point = ranks(key)
        noisy: dict[int, tuple[np.ndarray, Transform]] = {
            j: (raw_c[:, j], s.transform)
            for j, s in enumerate(configs)
            if s.name in methodology.intervals.noisy_signals
        }
        below = (totals.coverage < methodology.min_coverage) | (totals.coverage <= 0)
        intervals = rank_intervals(
            normalized,
            weights,
            noisy,
            point_ranks=point,
            below_coverage=below,
            settings=methodology.intervals,
            rng=rng,
            draws=draws,
            top_n=top_n,
        )
        frames.append(_signal_frame(ids, category, configs, raw_c, normalized))
        made = _score_rows(
            category,
            methodology.version,
            [str(pid) for pid in ids.tolist()],
            configs,
            raw_c,
            normalized,
            totals,
            point,
            intervals,
            [None if pd.isna(c) else str(c) for c in table.cohort[in_category].tolist()],
            flags,
        )
        # categories come in CATEGORIES order: a stable sort by rank within each is the order
        rows.extend(made[i] for i in np.argsort(point, kind="stable"))
    return ScoringResult(
        rows=rows,
        signals=pd.concat(frames, ignore_index=True)
        if frames
        else pd.DataFrame(columns=SIGNAL_COLUMNS),
        methodology_version=methodology.version,
        as_of=inputs.as_of,
        methodology=methodology,
        top_n=top_n,
        synthetic=inputs.synthetic,
        raw_signals=raw.assign(category=table.category),
    )


def _score_rows(
    category: Category,
    version: str,
    ids: list[str],
    configs: list[SignalConfig],
    raw_c: FloatArray,
    normalized: FloatArray,
    totals: Totals,
    point: IntArray,
    intervals: RankIntervals,
    cohorts: list[str | None],
    flags: Mapping[str, list[IntegrityFlag]],
) -> list[ScoreRow]:
    """One ScoreRow per product, from plain Python lists: per-element numpy access is what would
    cost at 100,000 products × 14 signals. Contributions are made a signal at a time (one list
    per signal over the products), and zipping those lists gives each product its tuple."""
    present = ~np.isnan(normalized)
    raw_given = np.where(present & ~np.isnan(raw_c), raw_c, np.nan)
    columns = [
        _signal_contributions(
            s,
            raw_given[:, j],
            normalized[:, j],
            totals.effective_weights[:, j],
            totals.contributions[:, j],
        )
        for j, s in enumerate(configs)
    ]
    contributions = zip(*columns, strict=True) if columns else (() for _ in ids)
    flagged = {pid: tuple(sorted(found, key=_flag_key)) for pid, found in flags.items() if found}
    no_flags: tuple[IntegrityFlag, ...] = ()
    # positional: ScoreRow(product_id, category, methodology_version, total, rank, rank_low,
    # rank_high, top_n_share, coverage, contributions, flags, cohort)
    return [
        ScoreRow(
            pid,
            category,
            version,
            total,
            rank,
            low,
            high,
            share,
            coverage,
            contributed,
            flagged.get(pid, no_flags),
            cohort,
        )
        for pid, total, rank, low, high, share, coverage, contributed, cohort in zip(
            ids,
            totals.total.tolist(),
            point.tolist(),
            intervals.low.tolist(),
            intervals.high.tolist(),
            np.asarray(intervals.top_n_share, dtype=float).tolist(),
            totals.coverage.tolist(),
            contributions,
            cohorts,
            strict=True,
        )
    ]


def _signal_contributions(
    signal: SignalConfig,
    raw: FloatArray,
    normalized: FloatArray,
    effective: FloatArray,
    contribution: FloatArray,
) -> list[SignalContribution]:
    """One signal's contribution for every product. A missing signal's contribution is the same
    for every product (weight 0, contribution 0): one shared object instead of one per product."""
    name, weight = signal.name, signal.weight
    absent = SignalContribution(name, None, None, weight, 0.0, 0.0)
    given = np.flatnonzero(~np.isnan(normalized))
    if given.size < len(normalized) // 2:  # mostly missing: make only the present ones
        made = [absent] * len(normalized)
        for i, r, n, e, c in zip(
            given.tolist(),
            raw[given].tolist(),
            normalized[given].tolist(),
            effective[given].tolist(),
            contribution[given].tolist(),
            strict=True,
        ):
            made[i] = SignalContribution(name, None if r != r else r, n, weight, e, c)
        return made
    # positional: SignalContribution(signal, raw, normalized, weight, effective_weight,
    # contribution); x != x is NaN
    return [
        absent if n != n else SignalContribution(name, None if r != r else r, n, weight, e, c)
        for r, n, e, c in zip(
            raw.tolist(),
            normalized.tolist(),
            effective.tolist(),
            contribution.tolist(),
            strict=True,
        )
    ]


def _signal_frame(ids, category, configs, raw_c, normalized) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    n, s = raw_c.shape
    if n * s == 0:
        return pd.DataFrame(
            {
                "product_id": np.repeat(np.asarray(ids, dtype=object), s),
                "category": category,
                "signal": np.tile(np.array([c.name for c in configs], dtype=object), n),
                "group": np.tile(np.array([c.group for c in configs], dtype=object), n),
                "raw": raw_c.reshape(-1),
                "normalized": normalized.reshape(-1),
                "weight": np.tile(np.array([c.weight for c in configs]), n),
            }
        )
    each_product = np.repeat(np.arange(n), s)
    each_signal = np.tile(np.arange(s), n)
    return pd.DataFrame(
        {
            "product_id": _text(list(ids), each_product),
            "category": _text([category], np.zeros(n * s, dtype=np.intp)),
            "signal": _text([c.name for c in configs], each_signal),
            "group": _text([c.group for c in configs], each_signal),
            "raw": raw_c.reshape(-1),
            "normalized": normalized.reshape(-1),
            "weight": np.tile(np.array([c.weight for c in configs]), n),
        }
    )


def _text(values: list[str], positions: IntArray) -> pd.Series:
    """A text column of the values at the given positions: the column type is inferred from the
    distinct values and they are converted once, then taken (converting each of a million
    repeated Python strings is what would cost)."""
    column = pd.Series(np.asarray(values, dtype=object)).take(positions)
    return column.reset_index(drop=True)
