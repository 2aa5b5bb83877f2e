"""Figures per product by integer codes: the same numbers as a join and group-by on the strings."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

import scoring.inputs as inputs_module
from scoring.catalogue import Aggregation
from scoring.members import MemberFigures, Members, group
from scoring.signals import rows_up_to

IDS = ["p-a", "p-b", "p-c", "p-d"]  # sorted: codes 0..3


def _membership(pairs: list[tuple[str, str]]) -> pd.DataFrame:
    return pd.DataFrame(pairs, columns=["product_id", "artifact"], dtype=object)


def _by_strings(membership: pd.DataFrame, latest: pd.DataFrame, metric: str, how: str) -> pd.Series:
    """The reference: join on artifact text, group by product-id text, reindex on the ids."""
    values = latest.loc[latest["metric"] == metric, ["artifact", "value"]]
    joined = membership.merge(values, on="artifact", how="inner")
    found = joined.groupby("product_id")["value"].agg(how).astype(float)
    return found.reindex(pd.Index(IDS, name="product_id"))


@pytest.mark.parametrize("how", ["sum", "max", "median"])
def test_member_figures_equal_a_join_and_group_by_on_strings(how: Aggregation) -> None:
    # p-a has three artifacts (one shared with p-b), p-c one whose figure is NaN, p-d none
    membership = _membership(
        [
            ("p-b", "hf:model:x/2"),
            ("p-a", "hf:model:x/3"),
            ("p-a", "hf:model:x/1"),
            ("p-c", "hf:model:x/4"),
            ("p-a", "hf:model:x/2"),
            ("p-d", "hf:model:x/9"),
        ]
    )
    latest = pd.DataFrame(
        {
            "artifact": ["hf:model:x/1", "hf:model:x/2", "hf:model:x/3", "hf:model:x/4", "gh:o/r"],
            "metric": ["likes", "likes", "likes", "likes", "likes"],
            "value": [0.1, 0.2, 0.7, np.nan, 5.0],
        }
    )
    figures = MemberFigures(Members.of(IDS, membership), latest)
    expected = _by_strings(membership, latest, "likes", how).to_numpy()
    got = figures.get("likes", how)
    assert np.array_equal(got, expected, equal_nan=True)
    assert np.isnan(figures.get("downloads_30d", how)).all()  # a figure nobody has: absent


def test_one_row_per_product_keeps_the_group_sums_zeros() -> None:
    # a lone NaN sums to 0 and -0.0 to 0.0, as pandas' group sums do
    values = np.array([np.nan, -0.0, 3.5])
    codes = np.array([2, 0, 1], dtype=np.intp)
    expected = pd.Series(values).groupby(codes).sum().reindex(range(4)).to_numpy()
    got = group(codes, values, "sum", 4)
    assert np.array_equal(got, expected, equal_nan=True)
    assert not np.signbit(got[0])
    assert np.isnan(group(codes, values, "max", 4)[2])


def test_place_puts_a_figure_by_product_id_in_code_order() -> None:
    members = Members.of(IDS, _membership([("p-a", "gh:o/a")]))
    placed = members.place(pd.Series([2.0, 5.0, 9.0], index=["p-d", "p-b", "not-a-product"]))
    assert np.array_equal(placed, [np.nan, 5.0, np.nan, 2.0], equal_nan=True)
    assert np.isnan(members.place(pd.Series(dtype=float))).all()


def test_rows_up_to_counts_like_a_search_in_each_series() -> None:
    rng = np.random.default_rng(4)
    lengths = rng.integers(0, 40, 300)  # some series empty
    stamps = np.concatenate([np.sort(rng.integers(0, 50, n)) for n in lengths]).astype(np.int64)
    stop = np.cumsum(lengths).astype(np.intp)
    first = (stop - lengths).astype(np.intp)
    for instant in (-1, 0, 17, 25, 49, 60):
        expected = [
            int(np.searchsorted(stamps[a:b], instant, side="right"))
            for a, b in zip(first, stop, strict=True)
        ]
        assert rows_up_to(stamps, first, stop, instant).tolist() == expected


def _ordered_reference(
    first: np.ndarray, second: np.ndarray, stamps: np.ndarray
) -> list[int] | None:
    rows = list(zip(first.tolist(), second.tolist(), stamps.tolist(), strict=True))
    if any(b < a for a, b in itertools.pairwise(rows)):
        return None
    return [i for i in range(len(rows)) if i == len(rows) - 1 or rows[i][:2] != rows[i + 1][:2]]


@pytest.mark.parametrize("chunk", [3, 7, 1 << 20])
def test_ordered_ends_finds_runs_and_refuses_any_disorder(
    chunk: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inputs_module, "CHUNK", chunk)
    rng = np.random.default_rng(8)
    for trial in range(200):
        n = int(rng.integers(0, 30))
        first = np.sort(rng.integers(0, 4, n)).astype(np.int32)
        second = rng.integers(0, 3, n).astype(np.int8)
        stamps = rng.integers(0, 5, n).astype(np.int64)
        order = np.lexsort((stamps, second, first))
        if trial % 2 == 0:  # half in order, half as drawn (mostly out of order)
            first, second, stamps = first[order], second[order], stamps[order]
        if trial % 5 == 1 and n > 1:  # in order but for one swapped pair of rows
            first, second, stamps = first[order], second[order], stamps[order]
            i = int(rng.integers(0, n - 1))
            for column in (first, second, stamps):
                column[[i, i + 1]] = column[[i + 1, i]]
        found = inputs_module._ordered_ends(first, second, stamps)
        expected = _ordered_reference(first, second, stamps)
        assert (None if found is None else found.tolist()) == expected


def test_artifact_codes_of_repeated_unknown_and_missing_names() -> None:
    members = Members.of(IDS, _membership([("p-a", "gh:o/a"), ("p-b", "gh:o/b")]))
    names = ["gh:o/b", "gh:o/x", None, "gh:o/a", "gh:o/b"]
    expected = [1, -1, -1, 0, 1]
    assert members.codes(pd.Series(names, dtype=str)).tolist() == expected
    assert members.codes(names).tolist() == expected
    assert members.codes(pd.Index(["gh:o/a"])).tolist() == [0]
