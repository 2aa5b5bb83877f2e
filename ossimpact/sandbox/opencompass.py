"""The fake OpenCompass leaderboard: the published `assets/OpenVLM.json` file over a `World`.

Shaped like the file OpenCompass publishes for its leaderboards (VLMEvalKit's "Download All
DETAILED Results"): `{"time": "YYYYMMDD", "results": {name: {"META": {...}, BENCH: {...}}}}`.
Rows are named the leaderboard's way (the Hub repo's name part, not its id); about half carry
the model's Hugging Face URL in `META.Method`, the rest a GitHub organisation URL, so matching
has to work from names too. Two rows of models outside the world (a closed API model and a
foreign open model) are always present, as on the real board. OCRBench is scored out of 1000
("Final Score"), the other benchmarks in percent ("Overall").

`transform` lets a test serve a changed or broken file without touching the world.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from typing import Any
from wsgiref.types import StartResponse, WSGIEnvironment

from ossimpact.sandbox.faults import Fault
from ossimpact.sandbox.http import FAULT_ENVIRON_KEY, WsgiApp
from ossimpact.sandbox.model import World

DATA_PATH = "/assets/OpenVLM.json"
# The world's leaderboard columns → the block keys OpenCompass uses for them.
BLOCK_KEYS = {"MMBench": "MMBench_TEST_EN_V11", "MMMU": "MMMU_VAL"}
THOUSAND_POINT = frozenset({"OCRBench"})
FOREIGN_ROWS: dict[str, dict[str, Any]] = {
    "GPT-4o-20241120": {
        "META": {
            "Method": ["GPT-4o (20241120)", "https://openai.com/index/hello-gpt-4o/"],
            "Parameters": "",
            "OpenSource": "No",
            "Org": "OpenAI",
        },
        "MMBench_TEST_EN_V11": {"Overall": 84.3},
        "MMMU_VAL": {"Overall": 70.7},
        "OCRBench": {"Final Score": 806},
    },
    "Llama-3.1-8B-Instruct": {
        "META": {
            "Method": [
                "Llama-3.1-8B-Instruct",
                "https://huggingface.co/meta-llama/Llama-3.1-8B-Instruct",
            ],
            "Parameters": "8B",
            "OpenSource": "Yes",
            "Org": "Meta",
        },
        "MMLU": {"Overall": 68.1},
        "GSM8K": {"Overall": 84.5},
    },
}


def _parameters(count: int | None) -> str:
    if not count:
        return ""
    billions = count / 1e9
    return f"{billions:.1f}B".replace(".0B", "B")


def _half(text: str) -> bool:
    return hashlib.sha1(text.encode(), usedforsecurity=False).digest()[0] % 2 == 0


def leaderboard_payload(world: World) -> dict[str, Any]:
    results: dict[str, dict[str, Any]] = {}
    for entry in world.leaderboard:
        if entry.source != "opencompass":
            continue
        owner, _, name = entry.model_id.rpartition("/")
        row = results.get(name)
        if row is None:
            model = world.models.get(entry.model_id)
            url = (
                f"https://huggingface.co/{entry.model_id}"
                if owner and _half(entry.model_id)
                else f"https://github.com/{owner or name}"
            )
            row = results[name] = {
                "META": {
                    "Method": [name, url],
                    "Parameters": _parameters(model.parameters if model else None),
                    "OpenSource": "Yes",
                    "Org": owner,
                    "Time": world.today.strftime("%Y/%m/%d"),
                }
            }
        key = BLOCK_KEYS.get(entry.benchmark, entry.benchmark)
        if entry.benchmark in THOUSAND_POINT:
            row[key] = {"Final Score": round(entry.value * 10)}
        else:
            row[key] = {"Overall": entry.value}
    results.update(json.loads(json.dumps(FOREIGN_ROWS)))
    return {"time": world.today.strftime("%Y%m%d"), "results": results}


def make_opencompass_app(
    world: World,
    base_url: str,
    *,
    transform: Callable[[dict[str, Any]], object] | None = None,
) -> WsgiApp:
    """The fake leaderboard of `world`; `transform` rewrites the served JSON (tests only)."""
    payload = leaderboard_payload(world)
    served = transform(payload) if transform is not None else payload
    body = json.dumps(served, ensure_ascii=False, separators=(",", ":")).encode()

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        fault: Fault | None = environ.get(FAULT_ENVIRON_KEY)
        if fault is not None and fault.kind == "rate_limit":
            start_response("429 Too Many Requests", [("Retry-After", str(fault.retry_after or 1))])
            return [b""]
        if environ.get("PATH_INFO") != DATA_PATH or (
            fault is not None and fault.kind == "not_found"
        ):
            start_response("404 Not Found", [("Content-Type", "text/html")])
            return [b"<html><body>404 Not Found</body></html>"]
        start_response(
            "200 OK",
            [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
        )
        return [body]

    return app
