"""The fake ModelScope: OpenAPI v1 and the legacy `/api/v1` over the world's mainland catalogue.

Shapes as docs/mainland-hubs.md describes them (built from the official SDK's field names, not
recorded): OpenAPI listings `{"success", "data": {"models"|"datasets", "total_count", ...}}` that
refuse more than 50 a page or an offset past 3,000 with 400 InputParameterError; get-by-id with
404 ResourceNotFound; the legacy `PUT /api/v1/models/` `{"Code": 200, "Data": {"Models", ...}}`
and its numeric-`Code` error body. Faults: the `FaultPlan`'s rate_limit (429 with `Retry-After`,
a float when the fault's `seconds` is set) and not_found, plus `ModelScopeQuirks` for what only
this hub does (success false under a 200, an item moving between pages, a decreasing count).
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from werkzeug.wrappers import Request, Response

from ossimpact.sandbox.faults import Fault
from ossimpact.sandbox.http import FAULT_ENVIRON_KEY, WsgiApp
from ossimpact.sandbox.mainland import MainlandCatalogue, MsRepo, RepoKind, catalogue_for
from ossimpact.sandbox.model import World

MAX_PAGE_SIZE = 50
OFFSET_LIMIT = 3000
LEGACY_NOT_FOUND_CODE = 10010200001
SORTS = ("default", "downloads", "likes", "last_modified")


@dataclass
class ModelScopeQuirks:
    """What a test asks of the fake ModelScope besides the shared faults. Read per request."""

    success_false: int = 0  # the next N answers are HTTP 200 with `success: false`
    move_after_first_page: bool = False  # serving a page 1 moves its first item to the end
    decreased: dict[str, int] = field(default_factory=dict)  # casefold id → downloads served
    _moved: dict[tuple[str, str], str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _openapi_item(repo: MsRepo, downloads: int) -> dict[str, Any]:
    return {
        "id": repo.repo_id,
        "display_name": repo.name,
        "description": f"{repo.name} (synthetic)",
        "downloads": downloads,
        "likes": repo.likes,
        "created_at": _iso(repo.created_at),
        "last_modified": _iso(repo.last_modified),
        "license": repo.license or "",
        "tags": list(repo.tags),
        "tasks": list(repo.tasks),
        "file_size": 1_000_000,
        "private": False,
        "gated": False,
        "login_required": False,
    }


def _legacy_model(repo: MsRepo, downloads: int, number: int) -> dict[str, Any]:
    return {
        "Id": number,
        "Name": repo.name,
        "Path": repo.owner,
        "ChineseName": repo.name,
        "Visibility": 5,
        "License": repo.license or "",
        "Downloads": downloads,
        "Stars": repo.likes,
        "CreatedTime": int(repo.created_at.timestamp()),
        "LastUpdatedTime": int(repo.last_modified.timestamp()),
        "Tasks": [{"Name": task} for task in repo.tasks],
        "Tags": list(repo.tags),
        "Organization": {"Id": 1, "Name": repo.owner, "FullName": repo.owner},
    }


def _legacy_dataset(repo: MsRepo, downloads: int, number: int) -> dict[str, Any]:
    return {
        "Id": number,
        "Name": repo.name,
        "Owner": repo.owner,
        "Namespace": repo.owner,
        "ChineseName": repo.name,
        "Visibility": 5,
        "License": repo.license or "",
        "Downloads": downloads,
        "Likes": repo.likes,
        "GmtCreate": int(repo.created_at.timestamp()),
        "LastUpdatedTime": int(repo.last_modified.timestamp()),
        "Tags": [{"Name": tag, "Color": "blue"} for tag in repo.tags],
    }


def _int_arg(request: Request, *names: str, default: int) -> int | None:
    for name in names:
        value = request.args.get(name)
        if value is not None:
            try:
                return int(value)
            except ValueError:
                return None
    return default


def make_modelscope_app(
    world: World,
    base_url: str,
    *,
    quirks: ModelScopeQuirks | None = None,
    catalogue: MainlandCatalogue | None = None,
) -> WsgiApp:
    books = catalogue if catalogue is not None else catalogue_for(world)
    quirks = quirks if quirks is not None else ModelScopeQuirks()
    by_owner: dict[tuple[str, RepoKind], list[MsRepo]] = {}
    numbers: dict[str, int] = {}
    for kind in ("model", "dataset"):
        for key, repo in sorted(books.ms_repos(kind).items()):
            by_owner.setdefault((repo.owner.casefold(), kind), []).append(repo)
            numbers[key] = len(numbers) + 1

    def downloads(repo: MsRepo) -> int:
        return quirks.decreased.get(repo.repo_id.casefold(), repo.downloads)

    def ordered(owner: str, kind: RepoKind, sort: str, search: str | None) -> list[MsRepo]:
        repos = list(by_owner.get((owner.casefold(), kind), []))
        if search:
            repos = [r for r in repos if search.casefold() in r.name.casefold()]
        if sort == "downloads":
            repos.sort(key=lambda r: (-downloads(r), r.repo_id))
        elif sort == "likes":
            repos.sort(key=lambda r: (-r.likes, r.repo_id))
        elif sort == "last_modified":
            repos.sort(key=lambda r: (r.last_modified, r.repo_id), reverse=True)
        moved = quirks._moved.get((owner.casefold(), kind)) if sort == "default" else None
        if moved is not None:
            repos = [r for r in repos if r.repo_id != moved] + [
                r for r in repos if r.repo_id == moved
            ]
        return repos

    def respond(status: int, payload: object, headers: dict[str, str] | None = None) -> Response:
        response = Response(json.dumps(payload), status=status, mimetype="application/json")
        response.headers["x-request-id"] = uuid.uuid4().hex
        for key, value in (headers or {}).items():
            response.headers[key] = value
        return response

    def error(status: int, code: str, message: str) -> Response:
        return respond(status, {"success": False, "code": code, "message": message})

    def legacy_error(status: int, message: str) -> Response:
        body = {
            "Code": LEGACY_NOT_FOUND_CODE,
            "Message": message,
            "RequestId": str(uuid.uuid4()),
            "Success": False,
        }
        return respond(status, body)

    def openapi_listing(request: Request, kind: RepoKind) -> Response:
        owner = request.args.get("owner", "")
        number = _int_arg(request, "page_number", default=1)
        size = _int_arg(request, "page_size", default=10)
        sort = request.args.get("sort", "default")
        if number is None or size is None or number < 1 or size < 1 or sort not in SORTS:
            return error(400, "InputParameterError", "bad page_number, page_size or sort")
        if size > MAX_PAGE_SIZE:
            return error(400, "InputParameterError", f"page_size may not exceed {MAX_PAGE_SIZE}")
        if number * size > OFFSET_LIMIT:
            return error(400, "InputParameterError", "server offset limit reached")
        repos = ordered(owner, kind, sort, request.args.get("search"))
        page = repos[(number - 1) * size : number * size]
        if quirks.move_after_first_page and number == 1 and sort == "default" and page:
            with quirks._lock:
                quirks._moved.setdefault((owner.casefold(), kind), page[0].repo_id)
        data = {
            f"{kind}s": [_openapi_item(repo, downloads(repo)) for repo in page],
            "total_count": len(repos),
            "page_number": number,
            "page_size": size,
        }
        return respond(200, {"success": True, "data": data})

    def openapi_single(kind: RepoKind, owner: str, name: str) -> Response:
        repo = books.ms_repos(kind).get(f"{owner}/{name}".casefold())
        if repo is None:
            return error(404, "ResourceNotFound", f"{kind} {owner}/{name} not found")
        return respond(200, {"success": True, "data": _openapi_item(repo, downloads(repo))})

    def legacy(request: Request, parts: list[str]) -> Response:
        if request.method == "PUT" and parts == ["models", ""]:
            body = json.loads(request.get_data() or b"{}")
            owner = str(body.get("Path", ""))
            number, size = int(body.get("PageNumber", 1)), int(body.get("PageSize", 10))
            repos = ordered(owner, "model", "default", None)
            page = repos[(number - 1) * size : number * size]
            models = [_legacy_model(r, downloads(r), numbers[r.repo_id.casefold()]) for r in page]
            data = {"Models": models, "TotalCount": len(repos)}
            envelope = {"Code": 200, "Success": True, "Message": "success", "Data": data}
            return respond(200, {**envelope, "RequestId": str(uuid.uuid4())})
        if request.method == "GET" and parts == ["datasets"]:
            owner = request.args.get("owner", "")
            number = _int_arg(request, "PageNumber", default=1) or 1
            size = _int_arg(request, "PageSize", default=10) or 10
            repos = ordered(owner, "dataset", "default", None)
            start = (number - 1) * size
            if start >= len(repos) and number > 1:
                return respond(
                    400,
                    {
                        "Code": 400,
                        "Success": False,
                        "Message": f"fromIndex({start}) > toIndex({len(repos)})",
                    },
                )
            page = repos[start : start + size]
            return respond(
                200,
                {
                    "Code": 200,
                    "Success": True,
                    "Message": "success",
                    "RequestId": str(uuid.uuid4()),
                    "Data": [
                        _legacy_dataset(r, downloads(r), numbers[r.repo_id.casefold()])
                        for r in page
                    ],
                    "TotalCount": len(repos),
                    "PageNumber": number,
                    "PageSize": size,
                },
            )
        if request.method == "GET" and len(parts) == 3 and parts[0] in ("models", "datasets"):
            kind: RepoKind = "model" if parts[0] == "models" else "dataset"
            repo = books.ms_repos(kind).get(f"{parts[1]}/{parts[2]}".casefold())
            if repo is None:
                return legacy_error(404, "模型不存在" if kind == "model" else "数据集不存在")
            number = numbers[repo.repo_id.casefold()]
            shape = _legacy_model if kind == "model" else _legacy_dataset
            return respond(
                200,
                {
                    "Code": 200,
                    "Success": True,
                    "Message": "success",
                    "RequestId": str(uuid.uuid4()),
                    "Data": shape(repo, downloads(repo), number),
                },
            )
        return legacy_error(404, "接口不存在")

    def route(request: Request) -> Response:
        fault: Fault | None = request.environ.get(FAULT_ENVIRON_KEY)
        if fault is not None and fault.kind == "rate_limit":
            wait = fault.seconds or fault.retry_after or 1
            return respond(
                429,
                {"success": False, "code": "RateLimitExceed", "message": "too many requests"},
                {"Retry-After": f"{wait:g}"},
            )
        if fault is not None and fault.kind == "not_found":
            return error(404, "ResourceNotFound", "not found (sandbox fault)")
        if fault is not None and fault.kind == "api_error":
            return error(200, "InternalServerError", "service busy, please retry (sandbox fault)")
        with quirks._lock:
            refuse = quirks.success_false > 0
            if refuse:
                quirks.success_false -= 1
        if refuse:
            return error(200, "InternalServerError", "service busy, please retry (sandbox)")
        path = request.path
        if path.startswith("/openapi/v1/"):
            parts = path[len("/openapi/v1/") :].split("/")
            if request.method == "GET" and parts in (["models"], ["datasets"]):
                return openapi_listing(request, "model" if parts[0] == "models" else "dataset")
            if request.method == "GET" and len(parts) == 3 and parts[0] in ("models", "datasets"):
                kind: RepoKind = "model" if parts[0] == "models" else "dataset"
                return openapi_single(kind, parts[1], parts[2])
            return error(404, "ResourceNotFound", f"no route {path}")
        if path.startswith("/api/v1/"):
            return legacy(request, path[len("/api/v1/") :].split("/"))
        return error(404, "ResourceNotFound", f"no route {path}")

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        response = route(Request(environ))
        result: Iterable[bytes] = response(environ, start_response)
        return result

    return app
