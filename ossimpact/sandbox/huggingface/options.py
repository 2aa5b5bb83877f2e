"""Behaviour knobs of the fake Hub, set by tests and benchmarks."""

from __future__ import annotations

from dataclasses import dataclass, field

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
