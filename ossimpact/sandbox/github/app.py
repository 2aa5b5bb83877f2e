"""The fake GitHub's WSGI app: GraphQL or REST by path, ETags and 304s, x-ratelimit headers."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit
from wsgiref.types import StartResponse, WSGIEnvironment

from werkzeug.wrappers import Request, Response

from ossimpact.domain import graphql_url_for
from ossimpact.sandbox.faults import Fault
from ossimpact.sandbox.github.fault_answers import raise_fault
from ossimpact.sandbox.github.graphql import GraphQL
from ossimpact.sandbox.github.records import GitHubIndex
from ossimpact.sandbox.github.rest import RestRoutes
from ossimpact.sandbox.github.wire import (
    FAULT_ENVIRON_KEY,
    RATE_LIMIT,
    Answer,
    RateCounter,
    not_found,
)
from ossimpact.sandbox.model import World

WsgiApp = Callable[[WSGIEnvironment, StartResponse], Iterable[bytes]]


class FakeGitHub:
    """The WSGI app. Pre-indexes the world once; every request is a dictionary lookup."""

    def __init__(
        self,
        world: World,
        base_url: str,
        *,
        tamper: Mapping[str, Mapping[str, Any]] | None = None,
    ) -> None:
        self.index = GitHubIndex(world, base_url, tamper=tamper)
        self.graphql_path = urlsplit(graphql_url_for(self.index.base)).path
        self.rate = RateCounter()
        self.rest = RestRoutes(self.index, self.rate)
        self.graphql = GraphQL(self.index, self.rate)

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        request = Request(environ)
        response = self._respond(request, environ.get(FAULT_ENVIRON_KEY))
        return response(environ, start_response)

    def _respond(self, request: Request, fault: Fault | None) -> Response:
        resource = "graphql" if request.path == self.graphql_path else "core"
        try:
            if fault is not None:
                raise_fault(fault, resource, request)
            if request.method == "POST" and request.path == self.graphql_path:
                payload, cost = self.graphql.answer(request)
                return self._json(200, payload, resource, cost=cost)
            if request.method != "GET":
                raise not_found()
            payload, headers = self.rest.answer(request)
        except Answer as answer:
            return self._json(answer.status, answer.payload, resource, headers=answer.headers)
        body = json.dumps(payload, separators=(",", ":")).encode()
        etag = '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest() + '"'
        if etag in request.headers.get("If-None-Match", ""):
            response = Response(status=304)
            response.headers["ETag"] = etag
            self._rate_headers(response, resource, cost=0)
            return response
        response = self._json(200, payload, resource, headers=headers, body=body)
        response.headers["ETag"] = etag
        return response

    def _json(
        self,
        status: int,
        payload: Any,
        resource: str,
        *,
        headers: Mapping[str, str] | None = None,
        body: bytes | None = None,
        cost: int = 1,
    ) -> Response:
        if body is None:
            body = b"" if payload is None else json.dumps(payload, separators=(",", ":")).encode()
        response = Response(body, status=status)
        if payload is not None:
            response.headers["Content-Type"] = "application/json; charset=utf-8"
        for key, value in (headers or {}).items():
            response.headers[key] = value
        if "x-ratelimit-remaining" not in response.headers:
            self._rate_headers(response, resource, cost=cost)
        return response

    def _rate_headers(self, response: Response, resource: str, *, cost: int) -> None:
        used, reset = self.rate.spend(resource, cost) if cost else self.rate.peek(resource)
        response.headers["x-ratelimit-limit"] = str(RATE_LIMIT)
        response.headers["x-ratelimit-remaining"] = str(max(RATE_LIMIT - used, 0))
        response.headers["x-ratelimit-used"] = str(used)
        response.headers["x-ratelimit-reset"] = str(reset)
        response.headers["x-ratelimit-resource"] = resource


def make_github_app(
    world: World, base_url: str, *, tamper: Mapping[str, Mapping[str, Any]] | None = None
) -> WsgiApp:
    """The fake GitHub for `world`, writing absolute URLs on `base_url` (may end in `/api/v3`).

    `tamper` replaces fields of chosen repositories (REST names, e.g. `stargazers_count`; the
    GraphQL node follows) so tests can serve malformed payloads.
    """
    return FakeGitHub(world, base_url, tamper=tamper)
