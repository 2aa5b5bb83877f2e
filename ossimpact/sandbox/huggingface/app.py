"""The fake Hub's WSGI app: routing, platform faults, the RateLimit window, request counts."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from ossimpact.sandbox.faults import Fault
from ossimpact.sandbox.huggingface.collection_routes import Collections
from ossimpact.sandbox.huggingface.details import Details
from ossimpact.sandbox.huggingface.index import HubIndex
from ossimpact.sandbox.huggingface.listings import Listings
from ossimpact.sandbox.huggingface.options import HubOptions
from ossimpact.sandbox.huggingface.wire import ApiError, error_response, hex_id
from ossimpact.sandbox.model import World

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Handler = Callable[..., Response]


class HfHubApp:
    """The WSGI app. `requests` counts answered requests per route name, for request budgets."""

    def __init__(self, world: World, base_url: str, options: HubOptions | None = None) -> None:
        self.world = world
        self.base_url = base_url.rstrip("/")
        self.options = options or HubOptions()
        self.requests: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._window_start = time.monotonic()
        self._window_count = 0
        self._urls = Map(
            [
                Rule("/api/models", endpoint="list_models"),
                Rule("/api/datasets", endpoint="list_datasets"),
                Rule("/api/models/<owner>/<name>", endpoint="model_info"),
                Rule("/api/datasets/<owner>/<name>", endpoint="dataset_info"),
                Rule("/api/collections", endpoint="list_collections"),
                Rule("/api/collections/<owner>/<slug>", endpoint="collection"),
                Rule("/api/organizations/<name>/overview", endpoint="account_overview"),
                Rule("/api/users/<name>/overview", endpoint="account_overview"),
            ]
        )
        self.index = HubIndex(world, self.options)
        listings = Listings(self.index, self.base_url, self.options)
        details = Details(self.index, self.options)
        collections = Collections(world, self.base_url, self.options)
        self._handlers: dict[str, Handler] = {
            "list_models": listings.list_models,
            "list_datasets": listings.list_datasets,
            "model_info": details.model_info,
            "dataset_info": details.dataset_info,
            "list_collections": collections.list_collections,
            "collection": collections.collection,
            "account_overview": details.account_overview,
        }

    @property
    def models_by_author(self) -> dict[str, list[str]]:
        """Model ids by lower-cased author (tests edit it to stage a race with a rename)."""
        return self.index.models_by_author

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        fault = environ.get("ossimpact.fault")
        try:
            response = self._dispatch(request, fault if isinstance(fault, Fault) else None)
        except ApiError as err:
            response = error_response(err)
        except HTTPException as err:
            response = error_response(ApiError(err.code or 500, err.description or "error"))
        for key, value in self._ratelimit_headers().items():
            if key not in response.headers:
                response.headers[key] = value
        return response(environ, start_response)

    def _dispatch(self, request: Request, fault: Fault | None) -> Response:
        adapter = self._urls.bind_to_environ(request.environ)
        try:
            endpoint, values = adapter.match()
        except NotFound as err:
            self.requests["unknown"] += 1
            raise ApiError(404, "Not Found") from err
        self.requests[str(endpoint)] += 1
        if fault is not None:
            self._raise_fault(fault, request)
        self._count_in_window()
        result = self._handlers[str(endpoint)](request, **values)
        if fault is not None:
            _spoil_listing(fault, request, result, self.base_url)
        return result

    def _raise_fault(self, fault: Fault, request: Request) -> None:
        if fault.kind == "rate_limit":
            wait = fault.retry_after if fault.retry_after is not None else 0
            headers = {"RateLimit": f'"api";r=0;t={wait}', "Retry-After": str(wait)}
            if fault.raw_header is not None:  # a broken header: no RateLimit to fall back on
                headers = {"Retry-After": fault.raw_header}
            raise ApiError(
                429, "You have been rate-limited; you can retry this action later.", headers
            )
        if fault.kind == "echo_token":
            sent = request.headers.get("Authorization", "")
            raise ApiError(401, f"Invalid credentials in Authorization header: {sent}")
        if fault.kind == "not_found":
            raise ApiError(404, "Repository not found", {"X-Error-Code": "RepoNotFound"})
        if fault.kind == "server_error":
            raise ApiError(fault.status, "Internal Error")

    def _count_in_window(self) -> None:
        with self._lock:
            now = time.monotonic()
            if now - self._window_start >= self.options.window_seconds:
                self._window_start, self._window_count = now, 0
            self._window_count += 1
            over = self._window_count > self.options.quota
            reset = self._reset_in(now)
        if over:
            raise ApiError(
                429,
                "You have been rate-limited; you can retry this action later.",
                {"RateLimit": f'"api";r=0;t={reset}', "Retry-After": str(reset)},
            )

    def _reset_in(self, now: float) -> int:
        return max(0, int(self.options.window_seconds - (now - self._window_start)))

    def _ratelimit_headers(self) -> dict[str, str]:
        with self._lock:
            remaining = max(0, self.options.quota - self._window_count)
            reset = self._reset_in(time.monotonic())
        return {
            "RateLimit": f'"api";r={remaining};t={reset}',
            "RateLimit-Policy": (
                f'"fixed window";"api";q={self.options.quota};w={self.options.window_seconds}'
            ),
        }


def make_hf_app(world: World, base_url: str, options: HubOptions | None = None) -> HfHubApp:
    """The fake Hub for `world`, announcing itself as `base_url` in `Link` headers."""
    return HfHubApp(world, base_url, options)


def _spoil_listing(fault: Fault, request: Request, response: Response, base_url: str) -> None:
    """Listing faults that spoil a good answer: a self-referencing next link, invalid ids."""
    if fault.kind == "self_link":
        query = request.query_string.decode()
        response.headers["Link"] = f'<{base_url}{request.path}?{query}>; rel="next"'
    elif fault.kind == "malformed_ids":
        items = json.loads(response.get_data())
        if isinstance(items, list) and items and isinstance(items[0], dict):
            owner = str(items[0].get("id", "org/x")).split("/")[0]
            for bad in (f"{owner}/bad name", f"{owner}/{'x' * 97}"):
                named = {key: bad for key in ("id", "modelId") if key in items[0]}
                items.append({**items[0], **named, "_id": hex_id(bad, 24)})
            response.set_data(json.dumps(items))
