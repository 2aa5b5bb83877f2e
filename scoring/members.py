"""Products and their artifacts as integer codes, so per-product figures are grouped by numbers.

A product's code is its position among the sorted product ids (the order of the signal table); an
artifact's code is its position among the artifacts the scoring run names. Grouping or reindexing
100,000 product-id strings hashes and sorts them at every step; codes index arrays directly.
Every figure keeps the membership's row order within a product, so sums add in the same order as
a join and group-by on the strings would.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from scoring.catalogue import Aggregation
from scoring.normalize import FloatArray

IntArray = npt.NDArray[np.intp]


@dataclass(frozen=True)
class Members:
    ids: list[str]  # product ids, sorted: a product's code is its position
    product: IntArray  # per membership row: the product's code
    artifact: IntArray  # per membership row: the artifact's code
    names: list[str]  # artifact code -> artifact id text
    code_of: dict[str, int]  # artifact id text -> artifact code
    product_code: dict[str, int]  # product id -> product code

    @classmethod
    def of(cls, ids: list[str], membership: pd.DataFrame, others: Iterable[str] = ()) -> Members:
        """Codes of the membership's rows; `others` are artifacts outside the membership that
        figures will be looked up for (they get codes after the members')."""
        product_code = {pid: k for k, pid in enumerate(ids)}
        member_names = [str(a) for a in membership["artifact"].tolist()]
        code_of = dict.fromkeys(member_names, 0)
        code_of.update(dict.fromkeys(others, 0))
        for k, name in enumerate(code_of):
            code_of[name] = k
        return cls(
            ids=ids,
            product=np.array(
                [product_code[str(p)] for p in membership["product_id"].tolist()], dtype=np.intp
            ),
            artifact=np.array([code_of[a] for a in member_names], dtype=np.intp),
            names=list(code_of),
            code_of=code_of,
            product_code=product_code,
        )

    @property
    def size(self) -> int:
        return len(self.ids)

    def codes(self, names: Iterable[object]) -> IntArray:
        """Artifact codes of the given artifact ids, -1 for artifacts the run does not name."""
        get = self.code_of.get
        if isinstance(names, pd.Series | pd.Index):
            # each distinct name looked up once (an artifact has a latest value per metric);
            # a missing name (factorized as -1) takes the -1 appended last
            found, distinct = pd.factorize(names)
            looked_up = [get(str(n), -1) for n in np.asarray(distinct, dtype=object).tolist()]
            lookup = np.array([*looked_up, -1], dtype=np.intp)
            coded: IntArray = lookup[found]
            return coded
        return np.array([get(str(n), -1) for n in names], dtype=np.intp)

    def place(self, by_product: pd.Series) -> FloatArray:
        """A figure indexed by product id as an array in code order, NaN where absent (what a
        reindex on the sorted ids gives), looking up only the products it has."""
        out = np.full(self.size, np.nan)
        if by_product.empty:
            return out
        product_code = self.product_code
        codes = np.array([product_code.get(str(p), -1) for p in by_product.index], dtype=np.intp)
        known = codes >= 0
        out[codes[known]] = by_product.to_numpy(dtype=float)[known]
        return out

    def per_product(
        self, values: FloatArray, present: npt.NDArray[np.bool_], how: Aggregation
    ) -> FloatArray:
        """Per product, `how` over its member artifacts' values: `values` and `present` are
        indexed by artifact code (present = the artifact has the figure, even if NaN)."""
        rows = present[self.artifact]
        return group(self.product[rows], values[self.artifact[rows]], how, self.size)


class MemberFigures:
    """The latest figures by artifact code, aggregated per product on demand (once per metric
    and aggregation): what joining the membership with the latest values and grouping by
    (metric, product) gives."""

    def __init__(self, members: Members, latest: pd.DataFrame) -> None:
        self._members = members
        codes = members.codes(latest["artifact"])
        known = codes >= 0
        metric_codes, metrics = pd.factorize(latest["metric"].to_numpy(dtype=object)[known])
        order = np.argsort(metric_codes, kind="stable")
        bounds = np.searchsorted(metric_codes[order], np.arange(len(metrics) + 1))
        rows_codes, values = (
            codes[known][order],
            latest["value"].to_numpy(dtype=float)[known][order],
        )
        self._rows = {
            str(m): (rows_codes[bounds[k] : bounds[k + 1]], values[bounds[k] : bounds[k + 1]])
            for k, m in enumerate(metrics)
        }
        self._tables: dict[tuple[str, str], FloatArray] = {}

    def artifact_values(self, metric: str) -> tuple[FloatArray, npt.NDArray[np.bool_]]:
        """The metric's latest value by artifact code, and which artifacts have one."""
        size = len(self._members.names)
        values, present = np.full(size, np.nan), np.zeros(size, dtype=bool)
        if metric in self._rows:
            codes, found = self._rows[metric]
            values[codes], present[codes] = found, True
        return values, present

    def get(self, metric: str, how: Aggregation) -> FloatArray:
        """One metric per product in code order; NaN for products without it."""
        key = (metric, how)
        if key not in self._tables:
            self._tables[key] = self._members.per_product(*self.artifact_values(metric), how)
        return self._tables[key]


def group(codes: IntArray, values: FloatArray, how: Aggregation, size: int) -> FloatArray:
    """`how` of the values per code (rows in order), NaN for codes without rows: what
    `Series(values).groupby(codes).agg(how)` reindexed on range(size) gives."""
    out = np.full(size, np.nan)
    if codes.size == 0:
        return out
    if np.bincount(codes, minlength=size).max() <= 1:
        # one row per product: the row's value (a lone NaN sums to 0, and -0.0 + 0.0 is 0.0
        # as the group sum starts from 0)
        out[codes] = np.where(np.isnan(values), 0.0, values) + 0.0 if how == "sum" else values
        return out
    found = pd.Series(values, dtype=float).groupby(codes).agg(how)
    out[found.index.to_numpy(dtype=np.intp)] = found.to_numpy(dtype=float)
    return out
