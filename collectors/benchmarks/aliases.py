"""Benchmark names → canonical ids, from the data file `aliases.yaml`.

Sources spell one benchmark many ways ("MMLU-Pro", "mmlu_pro", "TIGER-Lab/MMLU-Pro",
"leaderboard_mmlu_pro"). A name is matched after folding case and dropping spaces, dashes,
underscores, dots and a trailing parenthesis ("MMLU (5-shot)"); a Hub dataset id matches through
the dataset list, then through its name part. A name that matches nothing is kept as given by the
caller and listed in the normalisation report, never dropped.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

ALIASES_FILE = Path(__file__).with_name("aliases.yaml")

_PARENTHESIS = re.compile(r"\s*\([^)]*\)\s*$")
_SEPARATORS = re.compile(r"[\s\-_.]+")


class CatalogueError(ValueError):
    """The aliases file is not what this module expects (names the entry that failed)."""


def name_key(name: str) -> str:
    """The spelling-insensitive key of a benchmark name: `MMLU-Pro (5-shot)` → `mmlupro`."""
    return _SEPARATORS.sub("", _PARENTHESIS.sub("", name.strip())).casefold()


@dataclass(frozen=True)
class BenchmarkSpec:
    id: str
    aliases: tuple[str, ...]
    datasets: tuple[str, ...]
    random_baseline: float | None  # percent of the full score
    max: float = 100.0


class BenchmarkCatalogue:
    """The canonical benchmarks and every spelling that maps to each."""

    def __init__(self, specs: Iterable[BenchmarkSpec]) -> None:
        self.specs: dict[str, BenchmarkSpec] = {}
        self._by_key: dict[str, str] = {}
        self._by_dataset: dict[str, str] = {}
        for spec in specs:
            if spec.id in self.specs:
                raise CatalogueError(f"benchmark {spec.id!r} is listed twice")
            self.specs[spec.id] = spec
            for spelling in (spec.id, *spec.aliases):
                self._claim(self._by_key, name_key(spelling), spec.id, spelling)
            for dataset in spec.datasets:
                self._claim(self._by_dataset, dataset.casefold(), spec.id, dataset)

    @staticmethod
    def _claim(index: dict[str, str], key: str, benchmark: str, spelling: str) -> None:
        owner = index.setdefault(key, benchmark)
        if owner != benchmark:
            raise CatalogueError(
                f"{spelling!r} of {benchmark!r} is already a spelling of {owner!r}"
            )

    def canonical(self, name: str) -> str | None:
        """The canonical id of a benchmark name or Hub dataset id; None when unknown."""
        text = name.strip()
        if not text:
            return None
        by_dataset = self._by_dataset.get(text.casefold())
        if by_dataset is not None:
            return by_dataset
        found = self._by_key.get(name_key(text))
        if found is None and "/" in text:
            found = self._by_key.get(name_key(text.rsplit("/", 1)[-1]))
        return found

    def spec(self, benchmark: str) -> BenchmarkSpec | None:
        return self.specs.get(benchmark)

    def benchmark_of_dataset(self, dataset_id: str) -> str | None:
        """The benchmark a Hub dataset IS, from the datasets lists only (no name guessing)."""
        return self._by_dataset.get(dataset_id.casefold())

    @property
    def datasets(self) -> dict[str, str]:
        """Every benchmark dataset of the catalogue, as written in the file → benchmark id."""
        return {d: s.id for s in self.specs.values() for d in s.datasets}


def _spec(entry: object, position: int) -> BenchmarkSpec:
    if not isinstance(entry, Mapping) or not isinstance(entry.get("id"), str):
        raise CatalogueError(f"benchmark entry {position} has no text `id`")
    where = f"benchmark {entry['id']!r}"

    def texts(key: str) -> tuple[str, ...]:
        value = entry.get(key) or []
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise CatalogueError(f"{where}: `{key}` must be a list of text")
        return tuple(value)

    def number(key: str, default: float | None) -> float | None:
        value = entry.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise CatalogueError(f"{where}: `{key}` must be a number, not {value!r}")
        return float(value)

    baseline = number("random_baseline", None)
    full = number("max", 100.0)
    assert full is not None
    if full <= 0 or (baseline is not None and not 0 <= baseline < 100):
        raise CatalogueError(f"{where}: needs max > 0 and 0 <= random_baseline < 100")
    return BenchmarkSpec(entry["id"], texts("aliases"), texts("datasets"), baseline, full)


def load_catalogue(path: Path = ALIASES_FILE) -> BenchmarkCatalogue:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as err:
        raise CatalogueError(f"cannot read benchmark aliases {path}: {err}") from err
    entries = data.get("benchmarks") if isinstance(data, Mapping) else None
    if not isinstance(entries, list):
        raise CatalogueError(f"{path}: expected a `benchmarks:` list")
    return BenchmarkCatalogue(_spec(entry, i) for i, entry in enumerate(entries, 1))


@cache
def default_catalogue() -> BenchmarkCatalogue:
    """The catalogue shipped with the package (read once per process)."""
    return load_catalogue()
