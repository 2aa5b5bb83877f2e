"""The methodology: a versioned YAML file of signals, transforms, weights and thresholds.

Loading validates everything at once and raises one `MethodologyError` listing every problem with
its field path, so an operator fixes the file in one pass.
"""

from __future__ import annotations

import hashlib
import math
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from ossimpact.domain import CATEGORIES, Category
from ossimpact.guarded_yaml import YamlDocument
from scoring.catalogue import AGGREGATIONS, SIGNALS, Aggregation

DEFAULT_PATH = Path(__file__).with_name("methodology.yaml")
WEIGHT_TOLERANCE = 1e-6


class MethodologyError(ValueError):
    """A methodology file that cannot be used; `problems` lists each one with its field path."""

    def __init__(self, source: str, problems: list[str]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(
            f"methodology {source} is not valid ({len(problems)} problem(s)):\n{lines}"
        )


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Transform(_Strict):
    """How a raw signal becomes a 0–1 value.

    log_cap: ln(1+min(S,T))/ln(1+T) (criticality_score); percentile: mid-rank within the category;
    linear: min(S,T)/T. `smaller_is_better` inverts the result (1 − value).
    """

    kind: str
    cap: float | None = None
    smaller_is_better: bool = False


class SignalConfig(_Strict):
    name: str
    group: str
    weight: float
    transform: Transform
    aggregate: str | None = None  # overrides the catalogue's aggregation of the observed metric


class CategoryConfig(_Strict):
    signals: list[SignalConfig]


class AwardWindow(_Strict):
    start: date
    end: date


class SizeClass(_Strict):
    label: str
    max_parameters: float | None = None  # exclusive upper bound; None = no bound


class Cohorts(_Strict):
    size_classes: list[SizeClass]
    age_bucket_days: list[int]  # bucket edges in days since release
    leaders: int = 10  # relative adoption divides by the class's `leaders`-th best


class BurstRule(_Strict):
    baseline_days: int = 28
    min_baseline_days: int = 7
    z_threshold: float = 6.0
    min_ratio: float = 5.0
    min_increase: float = 0.0
    min_days: int = (
        1  # flagged days a window needs (one-day jumps of 30-day counts are often recounts)
    )


class RatioRule(_Strict):
    z_threshold: float = 4.0
    min_products: int = 20
    min_numerator: float = 50.0


class StargazerRule(_Strict):
    min_low_activity: float = 50.0
    min_share: float = 0.02
    min_lockstep: float = 50.0


class RatioPair(_Strict):
    """Two signals of one category whose ratio is checked for outliers, and its name in a flag."""

    numerator: str
    denominator: str
    label: str


# The flag kinds that come with a window of excess a methodology may take out of the score.
WINDOWED_FLAGS = ("star_burst", "download_spike")


def _default_ratio_pairs() -> dict[str, list[RatioPair]]:
    likes = RatioPair(
        numerator="likes", denominator="downloads_30d", label="likes/30-day downloads"
    )
    return {
        "model": [likes],
        "corpus": [likes],
        "community": [RatioPair(numerator="stars", denominator="forks", label="stars/forks")],
    }


class Integrity(_Strict):
    exclude_flagged_window: bool = False
    star_burst: BurstRule = BurstRule(min_increase=100.0)
    download_spike: BurstRule = BurstRule(min_increase=250.0, min_days=2)
    downloads_decrease_tolerance: float = 0.0  # relative drop ignored as recount noise
    ratio_outlier: RatioRule = RatioRule()
    stargazers: StargazerRule = StargazerRule()
    # per category, the ratios of two signals checked for outliers among the category's products
    ratio_pairs: dict[str, list[RatioPair]] = Field(default_factory=_default_ratio_pairs)
    # the flags whose window is taken out of the score when exclude_flagged_window is true
    excludable: list[str] = Field(default_factory=lambda: list(WINDOWED_FLAGS))


class Intervals(_Strict):
    concentration: float = 100.0  # Dirichlet α = concentration · weight
    download_noise: float = 0.1  # log-normal σ of the noise on download counts
    low_quantile: float = 0.05
    high_quantile: float = 0.95
    # signals whose raw values get the download noise in every draw
    noisy_signals: list[str] = Field(
        default_factory=lambda: ["downloads_30d", "downloads_all_time", "downloads_growth"]
    )


class Methodology(_Strict):
    version: str
    title: str = "ossimpact methodology"
    award_window: AwardWindow
    categories: dict[str, CategoryConfig]
    trust_weights: dict[str, float] = Field(
        default_factory=lambda: {"independent": 1.0, "verified": 0.8, "self_reported": 0.5}
    )
    derivative_relation_weights: dict[str, float] = Field(
        default_factory=lambda: {"finetune": 1.0, "adapter": 1.0, "merge": 0.5, "quantized": 0.5}
    )
    min_coverage: float = 0.0
    cohorts: Cohorts
    integrity: Integrity = Integrity()
    intervals: Intervals = Intervals()
    _content_hash: str = PrivateAttr(default="")

    @property
    def content_hash(self) -> str:
        """SHA-256 of the validated content ("" for a methodology not built by parsing)."""
        return self._content_hash

    def signals(self, category: Category) -> list[SignalConfig]:
        return list(self.categories[category].signals)

    def weights(self, category: Category) -> dict[str, float]:
        return {s.name: s.weight for s in self.categories[category].signals}

    def aggregation(self, signal: SignalConfig) -> Aggregation | None:
        spec = SIGNALS[signal.name]
        chosen = signal.aggregate or spec.aggregate
        return chosen  # type: ignore[return-value]


def _loc(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


def _semantic_problems(m: Methodology) -> list[str]:
    problems: list[str] = []
    for cat in CATEGORIES:
        if cat not in m.categories:
            problems.append(f"categories.{cat}: missing (every category needs its signals)")
    for name, config in m.categories.items():
        base = f"categories.{name}"
        if name not in CATEGORIES:
            problems.append(f"{base}: unknown category (expected one of {', '.join(CATEGORIES)})")
            continue
        if not config.signals:
            problems.append(f"{base}.signals: empty")
        seen: set[str] = set()
        for i, sig in enumerate(config.signals):
            path = f"{base}.signals.{i} ({sig.name})"
            spec = SIGNALS.get(sig.name)
            if spec is None:
                problems.append(f"{path}: unknown signal (known: {', '.join(sorted(SIGNALS))})")
            elif name not in spec.categories:
                problems.append(f"{path}: signal does not apply to {name}")
            if sig.name in seen:
                problems.append(f"{path}: signal listed twice")
            seen.add(sig.name)
            if not math.isfinite(sig.weight) or sig.weight < 0:
                problems.append(f"{path}.weight: must be a non-negative number, got {sig.weight}")
            problems.extend(_transform_problems(f"{path}.transform", sig.transform))
            if sig.aggregate is not None:
                if sig.aggregate not in AGGREGATIONS:
                    problems.append(
                        f"{path}.aggregate: unknown aggregation {sig.aggregate!r} "
                        f"(expected {', '.join(AGGREGATIONS)})"
                    )
                elif spec is not None and spec.metric is None:
                    problems.append(f"{path}.aggregate: a derived signal has no aggregation choice")
        total = sum(s.weight for s in config.signals)
        if config.signals and abs(total - 1.0) > WEIGHT_TOLERANCE:
            problems.append(f"{base}: weights sum to {total:.6g}, not 1")
    if m.award_window.end <= m.award_window.start:
        problems.append("award_window: end must be after start")
    for name, w in m.trust_weights.items():
        if name not in ("independent", "verified", "self_reported"):
            problems.append(f"trust_weights.{name}: unknown trust level")
        if w < 0:
            problems.append(f"trust_weights.{name}: must be non-negative")
    for name, w in m.derivative_relation_weights.items():
        if name not in ("finetune", "adapter", "quantized", "merge"):
            problems.append(f"derivative_relation_weights.{name}: unknown relation")
        if w < 0:
            problems.append(f"derivative_relation_weights.{name}: must be non-negative")
    if not 0.0 <= m.min_coverage <= 1.0:
        problems.append("min_coverage: must be between 0 and 1")
    bounds = [c.max_parameters for c in m.cohorts.size_classes]
    if not bounds or bounds[-1] is not None:
        problems.append("cohorts.size_classes: the last class must have no max_parameters")
    finite = [b for b in bounds if b is not None]
    if finite != sorted(finite) or len(set(finite)) != len(finite) or None in bounds[:-1]:
        problems.append("cohorts.size_classes: max_parameters must increase")
    if any(not math.isfinite(w) for w in (*m.trust_weights.values(), m.min_coverage)):
        problems.append("trust_weights: must be finite numbers")
    if m.cohorts.age_bucket_days != sorted(set(m.cohorts.age_bucket_days)):
        problems.append("cohorts.age_bucket_days: must be increasing")
    if m.cohorts.leaders < 1:
        problems.append("cohorts.leaders: must be at least 1")
    problems.extend(_integrity_problems(m.integrity))
    iv = m.intervals
    for i, name in enumerate(iv.noisy_signals):
        if name not in SIGNALS:
            problems.append(f"intervals.noisy_signals.{i}: unknown signal {name!r}")
    if iv.concentration <= 0:
        problems.append("intervals.concentration: must be positive")
    if not 0 <= iv.download_noise <= 5:
        problems.append("intervals.download_noise: must be between 0 and 5 (a log-normal σ)")
    if not 0 <= iv.low_quantile < iv.high_quantile <= 1:
        problems.append("intervals: need 0 <= low_quantile < high_quantile <= 1")
    return problems


def _integrity_problems(it: Integrity) -> list[str]:
    problems: list[str] = []
    for category, pairs in it.ratio_pairs.items():
        base = f"integrity.ratio_pairs.{category}"
        if category not in CATEGORIES:
            problems.append(f"{base}: unknown category (expected one of {', '.join(CATEGORIES)})")
            continue
        for i, pair in enumerate(pairs):
            for end, name in (("numerator", pair.numerator), ("denominator", pair.denominator)):
                spec = SIGNALS.get(name)
                if spec is None:
                    problems.append(f"{base}.{i}.{end}: unknown signal {name!r}")
                elif category not in spec.categories:
                    problems.append(f"{base}.{i}.{end}: {name} does not apply to {category}")
    for i, kind in enumerate(it.excludable):
        if kind not in WINDOWED_FLAGS:
            problems.append(
                f"integrity.excludable.{i}: {kind!r} has no window to exclude "
                f"(expected one of {', '.join(WINDOWED_FLAGS)})"
            )
    return problems


def _transform_problems(path: str, t: Transform) -> list[str]:
    kinds = ("log_cap", "percentile", "linear")
    if t.kind not in kinds:
        return [f"{path}.kind: unknown transform {t.kind!r} (expected {', '.join(kinds)})"]
    if t.kind in ("log_cap", "linear"):
        if t.cap is None:
            return [f"{path}.cap: {t.kind} needs a cap"]
        if not math.isfinite(t.cap) or t.cap <= 0:
            return [f"{path}.cap: must be positive, got {t.cap}"]
    elif t.cap is not None:
        return [f"{path}.cap: percentile takes no cap"]
    return []


# No figure of a methodology is negative or anywhere near this: a larger one is a typo or an attack
# (1e308 overflows the interval draws), and huge integers cost time to even print.
MAX_NUMBER = 1e15


def _number_problems(data: Any, path: tuple[int | str, ...] = ()) -> list[tuple[str, str]]:
    """(field, problem) for every number in the raw data that is not finite, negative or huge."""
    if isinstance(data, dict):
        return [p for key, value in data.items() for p in _number_problems(value, (*path, key))]
    if isinstance(data, list):
        return [p for i, value in enumerate(data) for p in _number_problems(value, (*path, i))]
    if isinstance(data, bool) or not isinstance(data, int | float):
        return []
    where = _loc(path)
    if isinstance(data, float) and not math.isfinite(data):
        return [(where, f"must be a finite number, got {data}")]
    if data < 0:
        return [(where, f"must not be negative, got {data}")]
    if data > MAX_NUMBER:
        shown = (
            f"{data:.3g}" if isinstance(data, float) else f"an integer of {len(str(data))} digits"
        )
        return [(where, f"must be at most {MAX_NUMBER:.0e}, got {shown}")]
    return []


def _path_of(field: str) -> tuple[int | str, ...]:
    """`categories.model.signals.0 (downloads).weight` → ("categories", "model", "signals", 0, "weight")."""
    parts: list[int | str] = []
    for part in field.split("."):
        name = part.split(" (", 1)[0]
        if name and name != "(top level)":
            parts.append(int(name) if name.isdigit() else name)
    return tuple(parts)


def parse_methodology(
    data: Any, source: str = "<data>", document: YamlDocument | None = None
) -> Methodology:
    """Validate parsed YAML; raise MethodologyError listing every problem.

    With `document` (the lines of the file it came from) each problem reads file:line: field.
    """

    def placed(field: str, message: str) -> str:
        if document is None:
            return f"{field}: {message}"
        return f"{source}:{document.line_of(_path_of(field))}: {field}: {message}"

    if not isinstance(data, dict):
        raise MethodologyError(source, [placed("(top level)", "expected a mapping")])
    version = data.get("version")
    if isinstance(version, float | int) and not isinstance(version, bool):
        raise MethodologyError(
            source,
            [
                placed(
                    "version",
                    f'write it quoted, e.g. version: "{version}" (YAML reads 2026.10 as 2026.1)',
                )
            ],
        )
    problems = [placed(field, message) for field, message in _number_problems(data)]
    try:
        m = Methodology.model_validate(data)
    except ValidationError as exc:
        problems += [placed(_loc(e["loc"]), e["msg"]) for e in exc.errors()]
        raise MethodologyError(source, problems) from None
    problems += [placed(*p.split(": ", 1)) for p in _semantic_problems(m)]
    if problems:
        raise MethodologyError(source, problems)
    # The label alone cannot tell an edited file from the default: the hash of the validated
    # content is recorded beside it with every scoring run.
    m._content_hash = _content_hash(m)
    return m


# Rules that were written in the engine's code when 2026.2 was first recorded, and are data since:
# left out of the hash while a file states them as the code had them, so the recorded hash of an
# unchanged methodology stays the same; a file that changes one hashes differently.
_MADE_DATA: dict[str, tuple[str, ...]] = {
    "integrity": ("ratio_pairs", "excludable"),
    "intervals": ("noisy_signals",),
}


def _content_hash(m: Methodology) -> str:
    defaults: dict[str, BaseModel] = {"integrity": Integrity(), "intervals": Intervals()}
    exclude: dict[str, set[str]] = {}
    for section, names in _MADE_DATA.items():
        given = getattr(m, section)
        same = {n for n in names if getattr(given, n) == getattr(defaults[section], n)}
        if same:
            exclude[section] = same
    content = m.model_dump_json(exclude=exclude)  # type: ignore[arg-type]
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def load_methodology(path: Path | None = None) -> Methodology:
    """Load a methodology file; None loads the shipped default.

    Read with the registry's guarded reader: a FIFO, a non-UTF-8 file, an alias bomb, 3,000-deep
    nesting or a huge file is a problem with its line, not a hang or a crash.
    """
    from ossimpact.guarded_yaml import read_yaml

    path = path or DEFAULT_PATH
    result = read_yaml(path)
    if result.document is None or result.problems:
        raise MethodologyError(str(path), [str(problem) for problem in result.problems])
    return parse_methodology(result.document.data, str(path), result.document)
