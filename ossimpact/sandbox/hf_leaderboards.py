"""The Hub's benchmark leaderboards (`GET /api/datasets/{id}/leaderboard`) over a `World`.

A small WSGI app of its own, to be mounted beside the fake Hub (it answers only this route). The
Hub builds a benchmark dataset's leaderboard from the `.eval_results/` files of model repos, so
the rows come from the world's models' `eval_results` on that dataset, best first, in the shape
huggingface_hub's `DatasetLeaderboardEntry` reads: `rank`, `modelId`, `value`, `filename`,
`verified`, `source` (when the result names one), `author`. Like the Hub, only models without a
declared base model are listed unless `base_model=false` is asked. A dataset the world does not
know answers 404 with `X-Error-Code: RepoNotFound`.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qs
from wsgiref.types import StartResponse, WSGIEnvironment

from ossimpact.sandbox.faults import Fault
from ossimpact.sandbox.http import FAULT_ENVIRON_KEY, WsgiApp
from ossimpact.sandbox.model import HfEvalResult, HfModel, World

_ROUTE = re.compile(r"^/api/datasets/(?P<owner>[^/]+)/(?P<name>[^/]+)/leaderboard$")


def _row(rank: int, model: HfModel, result: HfEvalResult) -> dict[str, Any]:
    row: dict[str, Any] = {
        "rank": rank,
        "modelId": model.id,
        "value": result.value,
        "filename": f".eval_results/{result.task_id}.yaml",
        "verified": result.verified,
        "author": {"type": "org", "name": model.author, "fullname": model.author},
    }
    if result.source_url:
        row["source"] = {"url": result.source_url, "name": result.source_name, "isExternal": True}
    return row


def _json(
    start_response: StartResponse, status: str, payload: object, **headers: str
) -> list[bytes]:
    body = json.dumps(payload).encode()
    start_response(
        status,
        [
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(body))),
            *headers.items(),
        ],
    )
    return [body]


def make_hf_leaderboards_app(world: World, base_url: str) -> WsgiApp:
    boards: dict[str, list[tuple[HfModel, HfEvalResult]]] = defaultdict(list)
    for model in world.models.values():
        for result in model.eval_results:
            boards[result.dataset_id.casefold()].append((model, result))
    known = {d.casefold() for d in world.datasets} | set(boards)

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        fault: Fault | None = environ.get(FAULT_ENVIRON_KEY)
        if fault is not None and fault.kind == "rate_limit":
            start_response(
                "429 Too Many Requests",
                [
                    ("RateLimit", f'"api";r=0;t={fault.retry_after or 1}'),
                    ("Retry-After", str(fault.retry_after or 1)),
                ],
            )
            return [b""]
        match = _ROUTE.match(environ.get("PATH_INFO", ""))
        dataset_id = f"{match['owner']}/{match['name']}".casefold() if match else ""
        if match is None or dataset_id not in known or (fault and fault.kind == "not_found"):
            return _json(
                start_response,
                "404 Not Found",
                {"error": "Repository not found"},
                **{"X-Error-Code": "RepoNotFound"},
            )
        query = parse_qs(environ.get("QUERY_STRING", ""))
        base_only = query.get("base_model", ["true"])[-1].lower() != "false"
        rows = [
            (model, result)
            for model, result in boards.get(dataset_id, [])
            if not (base_only and model.base_model)
        ]
        rows.sort(key=lambda pair: (-pair[1].value, pair[0].id))
        return _json(start_response, "200 OK", [_row(i, m, r) for i, (m, r) in enumerate(rows, 1)])

    return app
