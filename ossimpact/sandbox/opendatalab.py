"""The fake OpenDataLab dataset API (OpenXLab `datasets/api/v2`) over the world's catalogue.

`GET /datasets/api/v2/datasets/{owner},{name}` answers `{"msgCode": "10000", "data": {...}}`;
a dataset it does not know answers HTTP 200 with `data.id == 0`, as the SDK reads the real one.
The counts sit under `downloadCount`, `viewCount`, `downloadCountWeek` and `viewCountWeek`, the
website's sort keys; the real field names are unconfirmed (docs/mainland-hubs.md).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from werkzeug.wrappers import Request, Response

from ossimpact.sandbox.faults import Fault
from ossimpact.sandbox.http import FAULT_ENVIRON_KEY, WsgiApp
from ossimpact.sandbox.mainland import MainlandCatalogue, OdlDataset, catalogue_for
from ossimpact.sandbox.model import World

API_PREFIX = "/datasets/api/v2"
_INFO_PREFIX = f"{API_PREFIX}/datasets/"


def _info(dataset: OdlDataset) -> dict[str, Any]:
    return {
        "id": dataset.id,
        "name": f"{dataset.owner}/{dataset.name}",
        "introduction": {"en": dataset.description or f"{dataset.name} (synthetic)"},
        "downloadCount": dataset.downloads,
        "viewCount": dataset.views,
        "downloadCountWeek": dataset.downloads_week,
        "viewCountWeek": dataset.views_week,
        "attrs": {
            "publisher": [{"name": {"en": dataset.owner}}],
            "mediaTypes": [{"name": {"en": "Text"}}],
            "labelTypes": [],
            "taskTypes": [{"name": {"en": "Text Generation"}}],
            "license": [{"name": {"en": dataset.license}}] if dataset.license else [],
        },
    }


def make_opendatalab_app(
    world: World, base_url: str, *, catalogue: MainlandCatalogue | None = None
) -> WsgiApp:
    books = catalogue if catalogue is not None else catalogue_for(world)

    def route(request: Request) -> Response:
        fault: Fault | None = request.environ.get(FAULT_ENVIRON_KEY)
        if fault is not None and fault.kind == "not_found":
            return Response(json.dumps({"msg": "Not Found"}), 404, mimetype="application/json")
        if fault is not None and fault.kind == "rate_limit":
            # undocumented: a plain 429 with the wait in seconds, as a gateway would send it
            wait = fault.raw_header or f"{fault.retry_after or 0}"
            return Response(
                json.dumps({"msg": "Too Many Requests"}),
                429,
                mimetype="application/json",
                headers={"Retry-After": wait},
            )
        path = request.path
        if request.method != "GET" or not path.startswith(_INFO_PREFIX):
            return Response(json.dumps({"msg": "Not Found"}), 404, mimetype="application/json")
        owner, _, name = path[len(_INFO_PREFIX) :].partition(",")
        found = books.odl_datasets.get(f"{owner}/{name}".casefold()) if name else None
        # The real API says "not found" with id 0 under a 200, not with a 404.
        data = _info(found) if found is not None else {"id": 0, "name": "", "attrs": {}}
        body = {"msgCode": "10000", "msg": "success", "data": data}
        return Response(json.dumps(body), 200, mimetype="application/json")

    def app(environ: dict[str, Any], start_response: Any) -> Iterable[bytes]:
        response = route(Request(environ))
        result: Iterable[bytes] = response(environ, start_response)
        return result

    return app
