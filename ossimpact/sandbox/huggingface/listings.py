"""The fake Hub's listings: `/api/models` and `/api/datasets` with the Hub's query parameters.

Repeated `filter` and `expand` parameters, `author`, `search`, `sort`, `limit`, and cursor paging
through an absolute `Link` header. A listing by a renamed author answers 307 to the new name.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from urllib.parse import urlencode

from werkzeug.wrappers import Request, Response

from ossimpact.sandbox.huggingface.fields import (
    DATASET_EXPAND,
    DATASET_LIST_DEFAULT,
    MODEL_EXPAND,
    MODEL_LIST_DEFAULT,
    SORT_KEYS,
)
from ossimpact.sandbox.huggingface.index import HubIndex
from ossimpact.sandbox.huggingface.options import HubOptions
from ossimpact.sandbox.huggingface.wire import (
    ApiError,
    decode_cursor,
    encode_cursor,
    json_response,
    redirect,
)


def expand_fields(
    request: Request, allowed: frozenset[str], refused: frozenset[str] | None = None
) -> list[str] | None:
    """The `expand` values asked for (None: the defaults); 400 for unknown or `refused` ones."""
    expand = request.args.getlist("expand")
    if not expand:
        return None
    unknown = [value for value in expand if value not in allowed]
    if unknown:
        raise ApiError(400, f'"expand" must be one of {sorted(allowed)}; got {unknown}')
    if refused is not None:
        refusing = [value for value in expand if value in refused]
        if refusing:
            raise ApiError(400, f"expand {refusing} is not supported on listings")
    return expand


def page_of(
    request: Request, base_url: str, path: str, ids: list[str], page_size: int
) -> tuple[list[str], dict[str, str]]:
    """One page of `ids` from the request's cursor, and the `Link` to the next one if any."""
    size = page_size
    limit = request.args.get("limit")
    if limit is not None:
        try:
            size = min(size, int(limit))
        except ValueError as err:
            raise ApiError(400, '"limit" must be an integer') from err
        if size < 1:
            raise ApiError(400, '"limit" must be positive')
    cursor = request.args.get("cursor")
    offset = decode_cursor(cursor) if cursor else 0
    page = ids[offset : offset + size]
    headers: dict[str, str] = {}
    if offset + size < len(ids):
        query = [(k, v) for k, v in request.args.items(multi=True) if k != "cursor"]
        query.append(("cursor", encode_cursor(offset + size)))
        headers["Link"] = f'<{base_url}{path}?{urlencode(query)}>; rel="next"'
    return page, headers


class Listings:
    """The two listings over one index; models and datasets differ only in their tables."""

    def __init__(self, index: HubIndex, base_url: str, options: HubOptions) -> None:
        self.index = index
        self.base_url = base_url
        self.options = options

    def list_models(self, request: Request) -> Response:
        index = self.index
        return self._listing(
            request,
            "/api/models",
            (MODEL_EXPAND, MODEL_LIST_DEFAULT),
            (index.models_by_author, index.models_by_tag, index.models),
            index.model_full,
        )

    def list_datasets(self, request: Request) -> Response:
        index = self.index
        return self._listing(
            request,
            "/api/datasets",
            (DATASET_EXPAND, DATASET_LIST_DEFAULT),
            (index.datasets_by_author, index.datasets_by_tag, index.datasets),
            index.dataset_full,
        )

    def _listing(
        self,
        request: Request,
        path: str,
        fields: tuple[frozenset[str], list[str]],
        indexes: tuple[Mapping[str, list[str]], Mapping[str, list[str]], Iterable[str]],
        full: Callable[[str], dict[str, object]],
    ) -> Response:
        if (moved := self._renamed_author(request)) is not None:
            return moved
        allowed, default = fields
        expand = expand_fields(request, allowed, self.options.listing_refuses)
        ids = self._select(request, *indexes, lambda repo_id, key: full(repo_id)[key])
        page, headers = page_of(request, self.base_url, path, ids, self.options.page_size)
        chosen = expand or default
        body = [self.index.item(repo_id, full(repo_id), chosen) for repo_id in page]
        return json_response(body, headers=headers)

    @staticmethod
    def _select(
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
                raise ApiError(400, f"Invalid sort {sort!r}")
            candidates.sort(key=lambda repo_id: sort_value(repo_id, sort), reverse=True)  # type: ignore[arg-type,return-value]
        return candidates

    def _renamed_author(self, request: Request) -> Response | None:
        """A listing by a renamed author: 307 to the same listing by the new name."""
        author = request.args.get("author", "")
        renamed = {old.lower(): new for old, new in self.index.world.hf_renamed_authors.items()}
        if author.lower() not in renamed:
            return None
        query = [(k, v) for k, v in request.args.items(multi=True) if k != "author"]
        query.append(("author", renamed[author.lower()]))
        return redirect(f"{request.path}?{urlencode(query)}")
