"""The fake Hugging Face Hub: the Hub's JSON API over a synthetic `World`, for the real client.

It speaks the wire format huggingface_hub 2.x expects: listings
with repeated `filter`/`expand` parameters and cursor pagination through absolute `Link` headers,
detail routes with `X-Error-Code` errors, 307 renames, and `RateLimit` headers on every answer.
The world is indexed once at creation so a listing over 10,000+ artifacts stays cheap.

The parts: `app` (WSGI, faults, the RateLimit window), `listings`, `details`,
`collection_routes`, `index` (the indexed world and full records), `fields` (what `expand`
accepts and the default fields), `options`, `wire` (shared helpers).
"""

from ossimpact.sandbox.huggingface.app import HfHubApp, WsgiApp, make_hf_app
from ossimpact.sandbox.huggingface.fields import (
    DATASET_EXPAND,
    DATASET_INFO_DEFAULT,
    DATASET_LIST_DEFAULT,
    MODEL_EXPAND,
    MODEL_INFO_DEFAULT,
    MODEL_LIST_DEFAULT,
)
from ossimpact.sandbox.huggingface.index import dataset_tags, model_tags
from ossimpact.sandbox.huggingface.options import REMOVE, HubOptions

__all__ = [
    "DATASET_EXPAND",
    "DATASET_INFO_DEFAULT",
    "DATASET_LIST_DEFAULT",
    "MODEL_EXPAND",
    "MODEL_INFO_DEFAULT",
    "MODEL_LIST_DEFAULT",
    "REMOVE",
    "HfHubApp",
    "HubOptions",
    "WsgiApp",
    "dataset_tags",
    "make_hf_app",
    "model_tags",
]
