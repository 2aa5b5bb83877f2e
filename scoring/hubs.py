"""A product's downloads hub by hub: the combined downloads signals (methodology 2026.2) add
every hub a product is published on; this says how much each hub gave, for the explanations and
the ranking export."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

# The id prefix of each hub's artifacts, in the order hubs are named.
HUB_PREFIXES: tuple[str, ...] = ("hf", "ms", "odl")
HUB_NAMES: dict[str, dict[str, str]] = {
    "en": {"hf": "Hugging Face", "ms": "ModelScope", "odl": "OpenDataLab"},
    "zh": {"hf": "Hugging Face", "ms": "魔搭 ModelScope", "odl": "OpenDataLab"},
}
# The downloads signals, by the figure each adds up over the members.
DOWNLOAD_SIGNALS: tuple[str, ...] = ("downloads_30d", "downloads_all_time")


def downloads_by_hub(
    figures: Mapping[tuple[str, str], float], members: Iterable[str]
) -> dict[str, dict[str, float]]:
    """figure → hub prefix → the figure of the members on that hub added up; a hub none of whose
    members has the figure is left out (missing, never zero). `figures` maps (artifact id,
    figure) to its latest value."""
    ids = list(members)
    out: dict[str, dict[str, float]] = {}
    for metric in DOWNLOAD_SIGNALS:
        per_hub: dict[str, float] = {}
        for hub in HUB_PREFIXES:
            values = [
                figures[(a, metric)]
                for a in ids
                if a.startswith(f"{hub}:") and (a, metric) in figures
            ]
            if values:
                per_hub[hub] = sum(values)
        if per_hub:
            out[metric] = per_hub
    return out
