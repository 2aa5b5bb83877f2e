"""The fake Hub's collections: the listing by owner (items truncated) and one collection."""

from __future__ import annotations

from datetime import datetime

from werkzeug.wrappers import Request, Response

from ossimpact.sandbox.huggingface.fields import COLLECTION_LIST_ITEMS
from ossimpact.sandbox.huggingface.listings import page_of
from ossimpact.sandbox.huggingface.options import HubOptions
from ossimpact.sandbox.huggingface.wire import ApiError, hex_id, iso, json_response
from ossimpact.sandbox.model import HfCollection, World


class Collections:
    """`/api/collections` and `/api/collections/<owner>/<slug>` over the world's collections."""

    def __init__(self, world: World, base_url: str, options: HubOptions) -> None:
        self.world = world
        self.base_url = base_url
        self.options = options

    def list_collections(self, request: Request) -> Response:
        owners = {owner.lower() for owner in request.args.getlist("owner")}
        chosen = [c for c in self.world.collections if not owners or c.owner.lower() in owners]
        by_slug = {c.slug: c for c in chosen}
        page, headers = page_of(
            request, self.base_url, "/api/collections", list(by_slug), self.options.page_size
        )
        # huggingface_hub numbers listed collections itself: listings carry no `position`.
        body = [
            {
                key: value
                for key, value in self._body(by_slug[slug], 0, COLLECTION_LIST_ITEMS).items()
                if key != "position"
            }
            for slug in page
        ]
        return json_response(body, headers=headers)

    def collection(self, request: Request, owner: str, slug: str) -> Response:
        for position, collection in enumerate(self.world.collections):
            if collection.slug == f"{owner}/{slug}":
                return json_response(self._body(collection, position, None))
        raise ApiError(404, "Collection not found")

    def _body(
        self, collection: HfCollection, position: int, max_items: int | None
    ) -> dict[str, object]:
        items = collection.items if max_items is None else collection.items[:max_items]
        return {
            "slug": collection.slug,
            "title": collection.title,
            "description": None,
            "owner": {"name": collection.owner, "type": "org"}
            | {"_id": hex_id(collection.owner, 24)},
            "items": [
                {
                    "_id": hex_id(f"{collection.slug}:{item}", 24),
                    "id": item,
                    "type": collection.item_type,
                    "position": index,
                    "author": item.split("/")[0],
                }
                for index, item in enumerate(items)
            ],
            "lastUpdated": iso(datetime.combine(self.world.today, datetime.min.time())),
            "position": position,
            "private": False,
            "theme": "blue",
            "upvotes": 0,
            "isUpvotedByUser": False,
        }
