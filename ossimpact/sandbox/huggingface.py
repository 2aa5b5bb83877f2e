"""The fake Hugging Face Hub: the Hub's JSON API over a synthetic `World`, for the real client.

It speaks the wire format huggingface_hub 2.x expects: listings
with repeated `filter`/`expand` parameters and cursor pagination through absolute `Link` headers,
detail routes with `X-Error-Code` errors, 307 renames, and `RateLimit` headers on every answer.
The world is indexed once at creation so a listing over 10,000+ artifacts stays cheap.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from ossimpact.sandbox.faults import Fault
from ossimpact.sandbox.model import HfCollection, HfDataset, HfModel, World

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

MODEL_EXPAND = frozenset(
    [
        "author",
        "baseModels",
        "cardData",
        "childrenModelCount",
        "config",
        "createdAt",
        "disabled",
        "downloads",
        "downloadsAllTime",
        "evalResults",
        "gated",
        "gguf",
        "inference",
        "inferenceProviderMapping",
        "lastModified",
        "library_name",
        "likes",
        "mask_token",
        "model-index",
        "pipeline_tag",
        "private",
        "resourceGroup",
        "safetensors",
        "sha",
        "siblings",
        "spaces",
        "tags",
        "transformersInfo",
        "trendingScore",
        "usedStorage",
        "widgetData",
    ]
)
DATASET_EXPAND = frozenset(
    [
        "author",
        "cardData",
        "citation",
        "createdAt",
        "description",
        "disabled",
        "downloads",
        "downloadsAllTime",
        "gated",
        "lastModified",
        "likes",
        "mainSize",
        "paperswithcode_id",
        "private",
        "resourceGroup",
        "sha",
        "siblings",
        "tags",
        "trendingScore",
        "usedStorage",
    ]
)
# What the Hub sends when no `expand` is given (observed in third-party quotes, api notes).
MODEL_LIST_DEFAULT = [
    "_id",
    "id",
    "likes",
    "trendingScore",
    "private",
    "downloads",
    "tags",
    "pipeline_tag",
    "library_name",
    "createdAt",
    "modelId",
]
MODEL_INFO_DEFAULT = [
    "_id",
    "id",
    "private",
    "pipeline_tag",
    "library_name",
    "tags",
    "downloads",
    "likes",
    "modelId",
    "author",
    "sha",
    "lastModified",
    "gated",
    "disabled",
    "model-index",
    "config",
    "cardData",
    "siblings",
    "spaces",
    "createdAt",
    "safetensors",
    "usedStorage",
]
DATASET_LIST_DEFAULT = [
    "_id",
    "id",
    "author",
    "sha",
    "lastModified",
    "private",
    "gated",
    "disabled",
    "likes",
    "downloads",
    "tags",
    "description",
    "createdAt",
    "trendingScore",
]
DATASET_INFO_DEFAULT = [
    "_id",
    "id",
    "author",
    "sha",
    "lastModified",
    "private",
    "gated",
    "disabled",
    "likes",
    "downloads",
    "tags",
    "description",
    "createdAt",
    "cardData",
    "siblings",
    "usedStorage",
]
SORT_KEYS = {
    "downloads": "downloads",
    "likes": "likes",
    "lastModified": "lastModified",
    "createdAt": "createdAt",
    "trendingScore": "trendingScore",
}
COLLECTION_LIST_ITEMS = 4  # the Hub truncates items per collection in listings
DISABLED_MESSAGE = "Access to this resource is disabled."
REMOVE = object()  # in `item_overrides`: drop the key from the served item


@dataclass
class HubOptions:
    """Behaviour knobs of the fake Hub that are not faults of single requests."""

    page_size: int = 1000
    # expand values a listing refuses with 400 (some clients see childrenModelCount refused)
    listing_refuses: frozenset[str] = frozenset()
    # gated repos answer info calls with X-Error-Code: GatedRepo instead of public metadata
    refuse_gated_info: bool = False
    # served items patched per repo id, e.g. {"org/m": {"downloads": "lots"}}; REMOVE drops a key
    item_overrides: dict[str, dict[str, object]] = field(default_factory=dict)
    # the RateLimit window: `quota` requests per `window_seconds`; beyond it, 429
    quota: int = 100_000
    window_seconds: int = 300


def _iso(moment: datetime) -> str:
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _hex(text: str, length: int) -> str:
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:length]


def _encode_cursor(offset: int) -> str:
    return base64.urlsafe_b64encode(json.dumps({"o": offset}).encode()).decode().rstrip("=")


def _decode_cursor(cursor: str) -> int:
    padded = cursor + "=" * (-len(cursor) % 4)
    try:
        offset = json.loads(base64.urlsafe_b64decode(padded))["o"]
    except (ValueError, KeyError, TypeError) as err:
        raise _ApiError(400, "Invalid cursor") from err
    if not isinstance(offset, int) or offset < 0:
        raise _ApiError(400, "Invalid cursor")
    return offset


class _ApiError(Exception):
    def __init__(self, status: int, message: str, headers: Mapping[str, str] | None = None):
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = dict(headers or {})


def model_tags(model: HfModel) -> list[str]:
    """The tags the Hub computes for a model: its own plus library, license, dataset, base_model."""
    tags: list[str] = []
    if model.library_name:
        tags.append(model.library_name)
    if model.pipeline_tag:
        tags.append(model.pipeline_tag)
    tags.extend(model.tags)
    tags.extend(f"dataset:{dataset}" for dataset in model.datasets)
    if model.base_model:
        tags.append(f"base_model:{model.base_model}")
        if model.base_relation:
            tags.append(f"base_model:{model.base_relation}:{model.base_model}")
    if model.license:
        tags.append(f"license:{model.license}")
    tags.append("region:us")
    return list(dict.fromkeys(tags))


def dataset_tags(dataset: HfDataset) -> list[str]:
    tags = list(dataset.tags)
    if dataset.license:
        tags.append(f"license:{dataset.license}")
    if dataset.benchmark:
        tags.append("benchmark:official")
    tags.append("region:us")
    return list(dict.fromkeys(tags))


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
        self._index()

    # -- indexing -------------------------------------------------------------------------
    def _index(self) -> None:
        world = self.world
        self.models: dict[str, HfModel] = {}
        self.renamed: dict[str, str] = {}
        for key, model in world.models.items():
            current = model.renamed_to or model.id
            self.models[current] = model
            if model.renamed_to:
                self.renamed[key] = model.renamed_to
        self.datasets: dict[str, HfDataset] = dict(world.datasets)
        self.model_tags = {mid: model_tags(m) for mid, m in self.models.items()}
        self.dataset_tags = {did: dataset_tags(d) for did, d in self.datasets.items()}
        self.models_by_tag = self._by_tag(self.model_tags)
        self.datasets_by_tag = self._by_tag(self.dataset_tags)
        self.models_by_author: dict[str, list[str]] = defaultdict(list)
        for mid in self.models:
            self.models_by_author[mid.split("/")[0].lower()].append(mid)
        self.datasets_by_author: dict[str, list[str]] = defaultdict(list)
        for did in self.datasets:
            self.datasets_by_author[did.split("/")[0].lower()].append(did)
        spaces: dict[str, list[str]] = defaultdict(list)
        for mid, model in self.models.items():
            spaces[mid].extend(model.spaces)
        for space, used in world.spaces.items():
            for mid in used:
                spaces[self.renamed.get(mid, mid)].append(space)
        self.spaces = {mid: list(dict.fromkeys(ids)) for mid, ids in spaces.items()}
        children: dict[str, Counter[str]] = defaultdict(Counter)
        for model in self.models.values():
            if model.base_model:
                base = self.renamed.get(model.base_model, model.base_model)
                children[base][model.base_relation or "finetune"] += 1
        self.children = children

    @staticmethod
    def _by_tag(tags_of: Mapping[str, list[str]]) -> dict[str, list[str]]:
        index: dict[str, list[str]] = defaultdict(list)
        for repo_id, tags in tags_of.items():
            for tag in tags:
                index[tag].append(repo_id)
        return index

    # -- WSGI -----------------------------------------------------------------------------
    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        request = Request(environ)
        fault = environ.get("ossimpact.fault")
        try:
            response = self._dispatch(request, fault if isinstance(fault, Fault) else None)
        except _ApiError as err:
            response = self._error(err)
        except HTTPException as err:
            response = self._error(_ApiError(err.code or 500, err.description or "error"))
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
            raise _ApiError(404, "Not Found") from err
        self.requests[str(endpoint)] += 1
        if fault is not None:
            self._raise_fault(fault, request)
        self._count_in_window()
        handler = getattr(self, f"_{endpoint}")
        result: Response = handler(request, **values)
        if fault is not None:
            _spoil_listing(fault, request, result, self.base_url)
        return result

    def _raise_fault(self, fault: Fault, request: Request) -> None:
        if fault.kind == "rate_limit":
            wait = fault.retry_after if fault.retry_after is not None else 0
            headers = {"RateLimit": f'"api";r=0;t={wait}', "Retry-After": str(wait)}
            if fault.raw_header is not None:  # a broken header: no RateLimit to fall back on
                headers = {"Retry-After": fault.raw_header}
            raise _ApiError(
                429, "You have been rate-limited; you can retry this action later.", headers
            )
        if fault.kind == "echo_token":
            sent = request.headers.get("Authorization", "")
            raise _ApiError(401, f"Invalid credentials in Authorization header: {sent}")
        if fault.kind == "not_found":
            raise _ApiError(404, "Repository not found", {"X-Error-Code": "RepoNotFound"})
        if fault.kind == "server_error":
            raise _ApiError(fault.status, "Internal Error")

    def _count_in_window(self) -> None:
        with self._lock:
            now = time.monotonic()
            if now - self._window_start >= self.options.window_seconds:
                self._window_start, self._window_count = now, 0
            self._window_count += 1
            over = self._window_count > self.options.quota
            reset = self._reset_in(now)
        if over:
            raise _ApiError(
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

    @staticmethod
    def _json(
        body: object, status: int = 200, headers: Mapping[str, str] | None = None
    ) -> Response:
        response = Response(json.dumps(body), status=status, mimetype="application/json")
        for key, value in (headers or {}).items():
            response.headers[key] = value
        return response

    def _error(self, err: _ApiError) -> Response:
        response = self._json({"error": err.message}, err.status, err.headers)
        if "X-Error-Message" not in err.headers:
            response.headers["X-Error-Message"] = err.message
        return response

    # -- listings -------------------------------------------------------------------------
    def _expand(self, request: Request, allowed: frozenset[str], listing: bool) -> list[str] | None:
        expand = request.args.getlist("expand")
        if not expand:
            return None
        unknown = [value for value in expand if value not in allowed]
        if unknown:
            raise _ApiError(400, f'"expand" must be one of {sorted(allowed)}; got {unknown}')
        if listing:
            refused = [value for value in expand if value in self.options.listing_refuses]
            if refused:
                raise _ApiError(400, f"expand {refused} is not supported on listings")
        return expand

    def _select(
        self,
        request: Request,
        ids_by_author: Mapping[str, list[str]],
        ids_by_tag: Mapping[str, list[str]],
        everything: Iterable[str],
        sort_value: Callable[[str, str], object],
    ) -> list[str]:
        author = request.args.get("author")
        candidates: list[str] = (
            list(ids_by_author.get(author.lower(), [])) if author else list(everything)
        )
        for tag in request.args.getlist("filter"):
            allowed = set(ids_by_tag.get(tag, ()))
            candidates = [repo_id for repo_id in candidates if repo_id in allowed]
        search = request.args.get("search")
        if search:
            candidates = [repo_id for repo_id in candidates if search.lower() in repo_id.lower()]
        sort = request.args.get("sort")
        if sort:
            if sort not in SORT_KEYS:
                raise _ApiError(400, f"Invalid sort {sort!r}")
            candidates.sort(key=lambda repo_id: sort_value(repo_id, sort), reverse=True)  # type: ignore[arg-type,return-value]
        return candidates

    def _page(
        self, request: Request, path: str, ids: list[str]
    ) -> tuple[list[str], dict[str, str]]:
        size = self.options.page_size
        limit = request.args.get("limit")
        if limit is not None:
            try:
                size = min(size, int(limit))
            except ValueError as err:
                raise _ApiError(400, '"limit" must be an integer') from err
            if size < 1:
                raise _ApiError(400, '"limit" must be positive')
        cursor = request.args.get("cursor")
        offset = _decode_cursor(cursor) if cursor else 0
        page = ids[offset : offset + size]
        headers: dict[str, str] = {}
        if offset + size < len(ids):
            query = [(k, v) for k, v in request.args.items(multi=True) if k != "cursor"]
            query.append(("cursor", _encode_cursor(offset + size)))
            headers["Link"] = f'<{self.base_url}{path}?{urlencode(query)}>; rel="next"'
        return page, headers

    def _renamed_author(self, request: Request) -> Response | None:
        """A listing by a renamed author: 307 to the same listing by the new name."""
        author = request.args.get("author", "")
        renamed = {old.lower(): new for old, new in self.world.hf_renamed_authors.items()}
        if author.lower() not in renamed:
            return None
        query = [(k, v) for k, v in request.args.items(multi=True) if k != "author"]
        query.append(("author", renamed[author.lower()]))
        return self._redirect(f"{request.path}?{urlencode(query)}")

    def _account_overview(self, request: Request, name: str) -> Response:
        """An organisation's (or user's) overview: 307 when renamed, 404 for an unknown name."""
        renamed = {old.lower(): new for old, new in self.world.hf_renamed_authors.items()}
        if name.lower() in renamed:
            kind = request.path.split("/")[2]
            return self._redirect(f"/api/{kind}/{renamed[name.lower()]}/overview")
        known = {author.lower() for author in self.world.hf_authors}
        known |= set(self.models_by_author) | set(self.datasets_by_author)
        if name.lower() not in known:
            raise _ApiError(404, "Not Found", {"X-Error-Code": "RepoNotFound"})
        return self._json({"name": name, "fullname": name, "type": "org"})

    def _list_models(self, request: Request) -> Response:
        if (redirect := self._renamed_author(request)) is not None:
            return redirect
        expand = self._expand(request, MODEL_EXPAND, listing=True)
        ids = self._select(
            request,
            self.models_by_author,
            self.models_by_tag,
            self.models,
            lambda mid, key: self._model_full(mid)[key],
        )
        page, headers = self._page(request, "/api/models", ids)
        fields = expand or MODEL_LIST_DEFAULT
        return self._json([self._model_item(mid, fields) for mid in page], headers=headers)

    def _list_datasets(self, request: Request) -> Response:
        if (redirect := self._renamed_author(request)) is not None:
            return redirect
        expand = self._expand(request, DATASET_EXPAND, listing=True)
        ids = self._select(
            request,
            self.datasets_by_author,
            self.datasets_by_tag,
            self.datasets,
            lambda did, key: self._dataset_full(did)[key],
        )
        page, headers = self._page(request, "/api/datasets", ids)
        fields = expand or DATASET_LIST_DEFAULT
        return self._json([self._dataset_item(did, fields) for did in page], headers=headers)

    # -- details --------------------------------------------------------------------------
    def _model_info(self, request: Request, owner: str, name: str) -> Response:
        repo_id = f"{owner}/{name}"
        if repo_id in self.renamed:
            return self._redirect(f"/api/models/{self.renamed[repo_id]}")
        model = self.models.get(repo_id)
        self._check_repo(repo_id, model is not None, model.disabled if model else False)
        assert model is not None
        if model.gated and self.options.refuse_gated_info:
            raise _ApiError(
                403, f"Access to model {repo_id} is restricted.", {"X-Error-Code": "GatedRepo"}
            )
        expand = self._expand(request, MODEL_EXPAND, listing=False)
        return self._json(self._model_item(repo_id, expand or MODEL_INFO_DEFAULT))

    def _dataset_info(self, request: Request, owner: str, name: str) -> Response:
        repo_id = f"{owner}/{name}"
        dataset = self.datasets.get(repo_id)
        self._check_repo(repo_id, dataset is not None, dataset.disabled if dataset else False)
        assert dataset is not None
        if dataset.gated and self.options.refuse_gated_info:
            raise _ApiError(
                403, f"Access to dataset {repo_id} is restricted.", {"X-Error-Code": "GatedRepo"}
            )
        expand = self._expand(request, DATASET_EXPAND, listing=False)
        return self._json(self._dataset_item(repo_id, expand or DATASET_INFO_DEFAULT))

    @staticmethod
    def _check_repo(repo_id: str, exists: bool, disabled: bool) -> None:
        if not exists:
            raise _ApiError(404, "Repository not found", {"X-Error-Code": "RepoNotFound"})
        if disabled:
            raise _ApiError(403, DISABLED_MESSAGE, {"X-Error-Message": DISABLED_MESSAGE})

    def _redirect(self, location: str) -> Response:
        response = Response(f"Temporary Redirect. Redirecting to {location}", status=307)
        response.headers["Location"] = location
        response.mimetype = "text/plain"
        return response

    # -- collections ----------------------------------------------------------------------
    def _list_collections(self, request: Request) -> Response:
        owners = {owner.lower() for owner in request.args.getlist("owner")}
        chosen = [c for c in self.world.collections if not owners or c.owner.lower() in owners]
        by_slug = {c.slug: c for c in chosen}
        page, headers = self._page(request, "/api/collections", list(by_slug))
        # huggingface_hub numbers listed collections itself: listings carry no `position`.
        body = [
            {
                key: value
                for key, value in self._collection_body(
                    by_slug[slug], 0, COLLECTION_LIST_ITEMS
                ).items()
                if key != "position"
            }
            for slug in page
        ]
        return self._json(body, headers=headers)

    def _collection(self, request: Request, owner: str, slug: str) -> Response:
        for position, collection in enumerate(self.world.collections):
            if collection.slug == f"{owner}/{slug}":
                return self._json(self._collection_body(collection, position, None))
        raise _ApiError(404, "Collection not found")

    def _collection_body(
        self, collection: HfCollection, position: int, max_items: int | None
    ) -> dict[str, object]:
        items = collection.items if max_items is None else collection.items[:max_items]
        return {
            "slug": collection.slug,
            "title": collection.title,
            "description": None,
            "owner": {"name": collection.owner, "type": "org"}
            | {"_id": _hex(collection.owner, 24)},
            "items": [
                {
                    "_id": _hex(f"{collection.slug}:{item}", 24),
                    "id": item,
                    "type": collection.item_type,
                    "position": index,
                    "author": item.split("/")[0],
                }
                for index, item in enumerate(items)
            ],
            "lastUpdated": _iso(datetime.combine(self.world.today, datetime.min.time())),
            "position": position,
            "private": False,
            "theme": "blue",
            "upvotes": 0,
            "isUpvotedByUser": False,
        }

    # -- items ----------------------------------------------------------------------------
    def _model_full(self, repo_id: str) -> dict[str, object]:
        model = self.models[repo_id]
        card: dict[str, object] = {}
        if model.license:
            card["license"] = model.license
        if model.datasets:
            card["datasets"] = list(model.datasets)
        if model.base_model:
            card["base_model"] = model.base_model
            if model.base_relation:
                card["base_model_relation"] = model.base_relation
        index_results = [r for r in model.eval_results if r.in_model_index]
        model_index = (
            [
                {
                    "name": repo_id,
                    "results": [
                        {
                            "task": {"type": "text-generation", "name": "Text Generation"},
                            "dataset": {"name": r.task_id, "type": r.dataset_id},
                            "metrics": [
                                {
                                    "type": "accuracy",
                                    "value": r.value,
                                    "name": "accuracy",
                                    "verified": r.verified,
                                }
                            ],
                        }
                        for r in index_results
                    ],
                }
            ]
            if index_results
            else None
        )
        if model_index:
            card["model-index"] = model_index
        full: dict[str, object] = {
            "_id": _hex(repo_id, 24),
            "id": repo_id,
            "modelId": repo_id,
            "author": model.author,
            "sha": _hex(f"sha:{repo_id}", 40),
            "createdAt": _iso(model.created_at),
            "lastModified": _iso(model.last_modified),
            "private": False,
            "gated": model.gated,
            "disabled": model.disabled,
            "downloads": model.downloads_30d,
            "downloadsAllTime": model.downloads_all_time,
            "likes": model.likes,
            "trendingScore": model.trending_score,
            "tags": self.model_tags[repo_id],
            "cardData": card,
            "model-index": model_index,
            "config": {},
            "siblings": [{"rfilename": ".gitattributes"}, {"rfilename": "README.md"}],
            "spaces": self.spaces.get(repo_id, []),
            "usedStorage": (model.parameters or 0) * 2,
            "evalResults": [
                {
                    "dataset": {"id": r.dataset_id, "task_id": r.task_id},
                    "value": r.value,
                    **(
                        {"verifyToken": _hex(f"verify:{repo_id}:{r.task_id}", 32)}
                        if r.verified
                        else {}
                    ),
                    **(
                        {"source": {"url": r.source_url, "name": r.source_name}}
                        if r.source_url
                        else {}
                    ),
                }
                for r in model.eval_results
            ],
            "childrenModelCount": dict(self.children.get(repo_id, {})),
        }
        if model.pipeline_tag:
            full["pipeline_tag"] = model.pipeline_tag
        if model.library_name:
            full["library_name"] = model.library_name
        if model.parameters:
            full["safetensors"] = {
                "parameters": {"BF16": model.parameters},
                "total": model.parameters,
            }
        if model.base_model:
            base = self.renamed.get(model.base_model, model.base_model)
            full["baseModels"] = {
                "relation": model.base_relation or "finetune",
                "models": [{"_id": _hex(base, 24), "id": base}],
            }
        return full

    def _dataset_full(self, repo_id: str) -> dict[str, object]:
        dataset = self.datasets[repo_id]
        card: dict[str, object] = {}
        if dataset.license:
            card["license"] = dataset.license
        full: dict[str, object] = {
            "_id": _hex(repo_id, 24),
            "id": repo_id,
            "author": dataset.author,
            "sha": _hex(f"sha:{repo_id}", 40),
            "createdAt": _iso(dataset.created_at),
            "lastModified": _iso(dataset.last_modified),
            "private": False,
            "gated": dataset.gated,
            "disabled": dataset.disabled,
            "downloads": dataset.downloads_30d,
            "downloadsAllTime": dataset.downloads_all_time,
            "likes": dataset.likes,
            "trendingScore": dataset.trending_score,
            "tags": self.dataset_tags[repo_id],
            "cardData": card,
            "siblings": [{"rfilename": ".gitattributes"}, {"rfilename": "README.md"}],
            "usedStorage": 1_000_000,
        }
        if dataset.description is not None:
            full["description"] = dataset.description
        return full

    def _model_item(self, repo_id: str, fields: Iterable[str]) -> dict[str, object]:
        return self._item(repo_id, self._model_full(repo_id), fields)

    def _dataset_item(self, repo_id: str, fields: Iterable[str]) -> dict[str, object]:
        return self._item(repo_id, self._dataset_full(repo_id), fields)

    def _item(
        self, repo_id: str, full: Mapping[str, object], fields: Iterable[str]
    ) -> dict[str, object]:
        item: dict[str, object] = {"_id": full["_id"], "id": full["id"]}
        for key in fields:
            if key in full:
                item[key] = full[key]
        for key, value in self.options.item_overrides.get(repo_id, {}).items():
            if value is REMOVE:
                item.pop(key, None)
            else:
                item[key] = value
        return item


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
                items.append({**items[0], **named, "_id": _hex(bad, 24)})
            response.set_data(json.dumps(items))
