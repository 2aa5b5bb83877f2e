"""ModelScope payloads → typed records. Pure: no I/O, no clock.

Two surfaces (docs/mainland-hubs.md): the documented OpenAPI v1 (`{"success", "data"}`, snake_case
items) and the legacy `/api/v1` (`{"Code", "Success", "Data"}`, CamelCase items, models' likes
called `Stars`, datasets' `Likes`). Both become `ModelScopeItem`; which field a figure was read
from is kept, because the item field names come from the official SDK, not from a recording.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from collectors.core.errors import CollectionError, Malformed
from ossimpact.domain import FailureReason

RepoKind = Literal["model", "dataset"]

# The SDK reads a number above this as milliseconds, below as seconds (modelscope_hub types.py).
_MILLISECONDS_FROM = 1e12


class MalformedPayload(Malformed):
    """A body that is not the shape ModelScope documents; the message says what was missing."""


class ModelScopeApiError(CollectionError):
    """ModelScope said no inside the body: `success: false` (even under HTTP 200), or a legacy
    `Code` other than 200. `code` is the OpenAPI error code or the legacy numeric business code;
    the recorded reason is `not_found` when it says the repository does not exist."""

    def __init__(self, code: str, message: str, request_id: str | None) -> None:
        where = f" (request id {request_id})" if request_id else ""
        super().__init__(f"ModelScope answered {code}: {message}{where}")
        self.code = code
        self.message = message
        self.request_id = request_id
        self.reason: FailureReason = "not_found" if self.not_found else "other"

    @property
    def not_found(self) -> bool:
        return self.code == "ResourceNotFound" or "不存在" in self.message


@dataclass(frozen=True)
class ModelScopeItem:
    """One model or dataset as a listing or a get-by-id describes it."""

    kind: RepoKind
    owner: str
    name: str
    downloads: int | None  # all-time
    likes: int | None
    likes_field: str  # the field the likes came from: likes | Stars | Likes
    created_at: datetime | None = None
    last_modified: datetime | None = None
    license: str | None = None
    tags: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()
    display_name: str | None = None
    description: str | None = None
    private: bool | None = None
    gated: bool | None = None

    @property
    def repo_id(self) -> str:
        return f"{self.owner}/{self.name}"


@dataclass(frozen=True)
class ModelScopePage:
    items: tuple[ModelScopeItem, ...]
    total_count: int
    page_number: int
    page_size: int


def parse_time(value: object) -> datetime | None:
    """ISO-8601 (`…Z`), unix seconds, or unix milliseconds (above 1e12) → aware UTC datetime."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = value / 1000 if value > _MILLISECONDS_FROM else value
        return datetime.fromtimestamp(seconds, UTC)
    if isinstance(value, str):
        text = value.strip()
        if text.isdigit():
            return parse_time(int(text))
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise MalformedPayload(f"unreadable time {value!r}") from None
        # Legacy times without an offset are Asia/Shanghai wall-clock in the SDK's rendering;
        # the API itself sends offsets or epochs, so a bare time is read as UTC and kept as is.
        if parsed.tzinfo is None:
            return parsed.replace(tzinfo=UTC)
        return parsed.astimezone(UTC)
    raise MalformedPayload(f"unreadable time {value!r}")


def _count(value: object, what: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedPayload(f"{what} is {value!r}, not a number")
    if value < 0:
        raise MalformedPayload(f"{what} is negative ({value})")
    return int(value)


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _strings(value: object) -> tuple[str, ...]:
    """A list of strings, or of `{"Name": ...}` objects (legacy dataset tags, legacy tasks)."""
    if not isinstance(value, list):
        return ()
    out: list[str] = []
    for entry in value:
        if isinstance(entry, str) and entry:
            out.append(entry)
        elif isinstance(entry, Mapping):
            name = entry.get("Name") or entry.get("name")
            if isinstance(name, str) and name:
                out.append(name)
    return tuple(out)


def _bool(value: object) -> bool | None:
    return value if isinstance(value, bool) else None


def _split_id(repo_id: object, what: str) -> tuple[str, str]:
    if not isinstance(repo_id, str) or repo_id.count("/") != 1:
        raise MalformedPayload(f"{what} has no 'owner/name' id: {repo_id!r}")
    owner, name = repo_id.split("/")
    if not owner or not name:
        raise MalformedPayload(f"{what} has no 'owner/name' id: {repo_id!r}")
    return owner, name


# -- OpenAPI v1 ---------------------------------------------------------------------------------


def openapi_data(payload: object) -> Any:
    """The `data` of an OpenAPI envelope; `success: false` (whatever the HTTP status) raises."""
    if not isinstance(payload, Mapping):
        raise MalformedPayload("the answer is not a JSON object")
    if payload.get("success") is not True:
        code = payload.get("code")
        message = payload.get("message")
        raise ModelScopeApiError(
            str(code) if code is not None else "UnknownError",
            str(message) if message is not None else "success is not true",
            _request_id(payload),
        )
    if "data" not in payload:
        raise MalformedPayload("a successful answer without 'data'")
    return payload["data"]


def parse_openapi_item(raw: object, kind: RepoKind) -> ModelScopeItem:
    if not isinstance(raw, Mapping):
        raise MalformedPayload(f"a {kind} entry is not a JSON object")
    owner, name = _split_id(raw.get("id"), f"a {kind} entry")
    return ModelScopeItem(
        kind=kind,
        owner=owner,
        name=name,
        downloads=_count(raw.get("downloads"), f"{owner}/{name} downloads"),
        likes=_count(raw.get("likes"), f"{owner}/{name} likes"),
        likes_field="likes",
        created_at=parse_time(raw.get("created_at")),
        last_modified=parse_time(raw.get("last_modified")),
        license=_text(raw.get("license")),
        tags=_strings(raw.get("tags")),
        tasks=_strings(raw.get("tasks")),
        display_name=_text(raw.get("display_name")),
        description=_text(raw.get("description")),
        private=_bool(raw.get("private")),
        gated=_bool(raw.get("gated")),
    )


def parse_openapi_page(payload: object, kind: RepoKind) -> ModelScopePage:
    """A page of `GET /openapi/v1/models` (or `/datasets`)."""
    data = openapi_data(payload)
    key = f"{kind}s"
    if not isinstance(data, Mapping) or not isinstance(data.get(key), list):
        raise MalformedPayload(f"a {kind} listing without a '{key}' list")
    total = _count(data.get("total_count"), "total_count")
    items = tuple(parse_openapi_item(raw, kind) for raw in data[key])
    return ModelScopePage(
        items=items,
        total_count=total if total is not None else len(items),
        page_number=_count(data.get("page_number"), "page_number") or 0,
        page_size=_count(data.get("page_size"), "page_size") or 0,
    )


def parse_openapi_single(payload: object, kind: RepoKind) -> ModelScopeItem:
    """The answer of `GET /openapi/v1/models/{owner}/{name}` (or `/datasets/...`)."""
    return parse_openapi_item(openapi_data(payload), kind)


# -- legacy /api/v1 -----------------------------------------------------------------------------


def legacy_data(payload: object) -> Any:
    """The `Data` of a legacy envelope; success means `Code == 200 and Success`."""
    if not isinstance(payload, Mapping):
        raise MalformedPayload("the answer is not a JSON object")
    if payload.get("Code") != 200 or payload.get("Success") is not True:
        raise ModelScopeApiError(
            str(payload.get("Code", "UnknownError")),
            str(payload.get("Message") or "Success is not true"),
            _request_id(payload),
        )
    return payload.get("Data")


def parse_legacy_model(raw: object) -> ModelScopeItem:
    """A legacy model: `Path` is the owner, likes are `Stars`."""
    if not isinstance(raw, Mapping):
        raise MalformedPayload("a model entry is not a JSON object")
    owner, name = raw.get("Path"), raw.get("Name")
    if not isinstance(owner, str) or not owner or not isinstance(name, str) or not name:
        raise MalformedPayload(f"a legacy model without Path/Name: {owner!r}/{name!r}")
    return ModelScopeItem(
        kind="model",
        owner=owner,
        name=name,
        downloads=_count(raw.get("Downloads"), f"{owner}/{name} Downloads"),
        likes=_count(raw.get("Stars"), f"{owner}/{name} Stars"),
        likes_field="Stars",
        created_at=parse_time(raw.get("CreatedTime")),
        last_modified=parse_time(raw.get("LastUpdatedTime")),
        license=_text(raw.get("License")),
        tags=_strings(raw.get("Tags")),
        tasks=_strings(raw.get("Tasks")),
        display_name=_text(raw.get("ChineseName")),
        private=raw.get("Visibility") == 1 if isinstance(raw.get("Visibility"), int) else None,
    )


def parse_legacy_dataset(raw: object) -> ModelScopeItem:
    """A legacy dataset: `Owner` or `Namespace` is the owner, likes are `Likes`."""
    if not isinstance(raw, Mapping):
        raise MalformedPayload("a dataset entry is not a JSON object")
    owner = raw.get("Owner") or raw.get("Namespace")
    name = raw.get("Name")
    if not isinstance(owner, str) or not owner or not isinstance(name, str) or not name:
        raise MalformedPayload(f"a legacy dataset without Owner/Name: {owner!r}/{name!r}")
    return ModelScopeItem(
        kind="dataset",
        owner=owner,
        name=name,
        downloads=_count(raw.get("Downloads"), f"{owner}/{name} Downloads"),
        likes=_count(raw.get("Likes"), f"{owner}/{name} Likes"),
        likes_field="Likes",
        created_at=parse_time(raw.get("GmtCreate")),
        last_modified=parse_time(raw.get("LastUpdatedTime")),
        license=_text(raw.get("License")),
        tags=_strings(raw.get("Tags")),
        display_name=_text(raw.get("ChineseName")),
        private=raw.get("Visibility") == 1 if isinstance(raw.get("Visibility"), int) else None,
    )


def parse_legacy_model_page(payload: object) -> ModelScopePage:
    """`PUT /api/v1/models/`: `Data = {"Models": [...], "TotalCount": n}`."""
    data = legacy_data(payload)
    if not isinstance(data, Mapping) or not isinstance(data.get("Models"), list):
        raise MalformedPayload("a legacy model listing without Data.Models")
    items = tuple(parse_legacy_model(raw) for raw in data["Models"])
    total = _count(data.get("TotalCount"), "TotalCount")
    return ModelScopePage(items, total if total is not None else len(items), 0, 0)


def parse_legacy_dataset_page(payload: object) -> ModelScopePage:
    """`GET /api/v1/datasets?owner=`: the list is `Data`, the counts sit beside it."""
    data = legacy_data(payload)
    if not isinstance(data, list):
        raise MalformedPayload("a legacy dataset listing whose Data is not a list")
    assert isinstance(payload, Mapping)  # legacy_data checked it
    items = tuple(parse_legacy_dataset(raw) for raw in data)
    total = _count(payload.get("TotalCount"), "TotalCount")
    return ModelScopePage(
        items,
        total if total is not None else len(items),
        _count(payload.get("PageNumber"), "PageNumber") or 0,
        _count(payload.get("PageSize"), "PageSize") or 0,
    )


def _request_id(payload: Mapping[str, Any]) -> str | None:
    value = payload.get("RequestId") or payload.get("request_id")
    return str(value) if value else None
