"""OpenCompass (CompassRank, Shanghai AI Laboratory) leaderboard data: a tolerant reader.

OpenCompass publishes its leaderboard as one JSON file (VLMEvalKit's README links it as "Download
All DETAILED Results", `…/assets/OpenVLM.json`):

    {"time": "20250917",
     "results": {"<model name>": {"META": {"Method": ["<display name>", "<url>"],
                                            "Parameters": "8B", "Org": "...", ...},
                                   "MMBench_TEST_EN_V11": {"Overall": 81.7, "<subtask>": ...},
                                   "OCRBench": {"Final Score": 880, ...},
                                   ...}}}

The format is theirs and changes, so: unknown keys are ignored; a benchmark block may be an
object with an overall figure or a bare number; numbers may come as text ("81.7"); a row or a
figure that cannot be read is skipped with its reason; and only an answer whose shape is not this
one at all raises `OpenCompassFormatError`, naming what was found — the collector turns that into
one failure of this source, leaving the other sources' results intact.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from collectors.core.errors import Malformed

SOURCE = "opencompass"
LEADERBOARD_FILE = "assets/OpenVLM.json"
# The figure of a benchmark block that is its headline score, in order of preference.
OVERALL_KEYS = ("Overall", "Final Score", "Overall (official)", "Average", "Avg", "Score")
_SPLITS = {"TEST": "test", "DEV": "dev", "VAL": "validation", "MINI": "testmini"}
_SPLIT_TOKEN = re.compile(r"(?:^|_)(TEST|DEV|VAL|MINI)(?:_|$)")


class OpenCompassFormatError(Malformed):
    """The leaderboard answer no longer has the shape this reader knows."""


@dataclass(frozen=True)
class OpenCompassScore:
    model_name: str  # the key of the results mapping
    display_name: str | None  # META.Method[0]
    url: str | None  # META.Method[1]: often the model's Hugging Face or GitHub page
    parameters: str | None  # META.Parameters, as published ("8B")
    benchmark: str  # the block's key, e.g. "MMBench_TEST_EN_V11"
    metric: str  # the figure used, folded: "overall", "final_score"
    value: float
    split: str | None


@dataclass
class OpenCompassParse:
    time: str | None = None
    scores: list[OpenCompassScore] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # what was skipped, and why
    models: int = 0


def leaderboard_url(base: str) -> str:
    """The data file of an endpoint: a URL ending in `.json` as given, else `{base}/{file}`."""
    base = base.rstrip("/")
    return base if base.lower().endswith(".json") else f"{base}/{LEADERBOARD_FILE}"


def _number(value: object) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        try:
            number = float(value)
        except OverflowError:  # JSON allows integers beyond any float
            return None
    elif isinstance(value, str):
        try:
            number = float(value.strip().rstrip("%"))
        except ValueError:
            return None
    else:
        return None
    # A score or a parameter count is never negative: -1 is a placeholder, not a figure.
    return number if math.isfinite(number) and number >= 0 else None


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


def _split_of(benchmark: str) -> str | None:
    match = _SPLIT_TOKEN.search(benchmark.upper())
    return _SPLITS[match.group(1)] if match else None


def _headline(block: object) -> tuple[str, object] | None:
    if not isinstance(block, Mapping):
        return ("overall", block)
    for key in OVERALL_KEYS:
        if key in block:
            return (key.casefold().replace(" ", "_"), block[key])
    return None


def parse_opencompass(payload: object) -> OpenCompassParse:
    """Every (model, benchmark) headline score of the leaderboard file."""
    if not isinstance(payload, Mapping):
        raise OpenCompassFormatError(
            f"the leaderboard is a {type(payload).__name__}, not an object with `results`"
        )
    results = payload.get("results")
    if not isinstance(results, Mapping):
        found = ", ".join(sorted(str(k) for k in payload)[:8]) or "nothing"
        raise OpenCompassFormatError(
            f"the leaderboard has no `results` object of models (found keys: {found})"
        )
    parsed = OpenCompassParse(time=_text(payload.get("time")) or _number_text(payload.get("time")))
    for model_name, row in results.items():
        if not isinstance(row, Mapping):
            parsed.problems.append(
                f"{model_name}: the row is a {type(row).__name__}, not an object; skipped"
            )
            continue
        parsed.models += 1
        meta = row.get("META")
        meta = meta if isinstance(meta, Mapping) else {}
        method = meta.get("Method")
        if isinstance(method, str):
            display, url = _text(method), None
        elif isinstance(method, list):
            display = _text(method[0]) if method else None
            url = _text(method[1]) if len(method) > 1 else None
        else:
            display, url = None, None
        parameters = _text(meta.get("Parameters")) or _number_text(meta.get("Parameters"))
        scored = 0
        for benchmark, block in row.items():
            if benchmark == "META":
                continue
            headline = _headline(block)
            if headline is None:
                parsed.problems.append(
                    f"{model_name} {benchmark}: no overall figure "
                    f"(none of {', '.join(OVERALL_KEYS)}); skipped"
                )
                continue
            metric, raw = headline
            value = _number(raw)
            if value is None:
                if raw not in (None, "", "-", "N/A"):
                    parsed.problems.append(
                        f"{model_name} {benchmark}: {metric} {raw!r} is not a number; skipped"
                    )
                continue
            scored += 1
            parsed.scores.append(
                OpenCompassScore(
                    model_name=str(model_name),
                    display_name=display,
                    url=url,
                    parameters=parameters,
                    benchmark=str(benchmark),
                    metric=metric,
                    value=value,
                    split=_split_of(str(benchmark)),
                )
            )
        if not scored:
            parsed.problems.append(f"{model_name}: no benchmark scores in the row")
    return parsed


def _number_text(value: object) -> str | None:
    number = _number(value)
    return f"{number:g}" if number is not None else None
