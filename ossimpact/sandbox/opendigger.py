"""The fake OpenDigger: static monthly metric files per repository, as X-lab publishes them.

`GET /github/{owner}/{repo}/{metric}.json` → `{"2025-11": 12.3, ..., "2025": 140.2}`; a repository
OpenDigger does not cover answers 404 (the real CDN does the same).
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from wsgiref.types import StartResponse, WSGIEnvironment

from ossimpact.sandbox.faults import Fault
from ossimpact.sandbox.http import FAULT_ENVIRON_KEY, WsgiApp
from ossimpact.sandbox.model import World

_PATH = re.compile(r"^/github/(?P<owner>[^/]+)/(?P<repo>[^/]+)/(?P<metric>[a-z_]+)\.json$")


def _yearly_totals(values: dict[str, float]) -> dict[str, float]:
    totals: dict[str, float] = {}
    for month, value in values.items():
        totals[month[:4]] = round(totals.get(month[:4], 0.0) + value, 2)
    return totals


def make_opendigger_app(world: World, base_url: str) -> WsgiApp:
    series = {(repo.casefold(), metric): s for (repo, metric), s in world.opendigger.items()}

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        fault: Fault | None = environ.get(FAULT_ENVIRON_KEY)
        if fault is not None and fault.kind == "rate_limit":
            start_response("429 Too Many Requests", [("Retry-After", str(fault.retry_after or 1))])
            return [b""]
        match = _PATH.match(environ.get("PATH_INFO", ""))
        found = None
        if match is not None and (fault is None or fault.kind != "not_found"):
            key = (f"{match['owner']}/{match['repo']}".casefold(), match["metric"])
            found = series.get(key)
        if found is None:
            body = b'<?xml version="1.0"?><Error><Code>NoSuchKey</Code></Error>'
            start_response("404 Not Found", [("Content-Type", "application/xml")])
            return [body]
        values = dict(sorted(found.values.items()))
        if found.metric not in ("bus_factor", "issue_response_time"):
            values.update(_yearly_totals(found.values))
        body = json.dumps(values, separators=(",", ":")).encode()
        etag = '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest() + '"'
        if environ.get("HTTP_IF_NONE_MATCH") == etag:
            start_response("304 Not Modified", [("ETag", etag)])
            return [b""]
        start_response(
            "200 OK",
            [
                ("Content-Type", "application/json"),
                ("ETag", etag),
                ("Content-Length", str(len(body))),
            ],
        )
        return [body]

    return app
