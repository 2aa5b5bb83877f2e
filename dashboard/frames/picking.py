"""Products to pick from: every product's label, and the few that match a search."""

from __future__ import annotations

from collections.abc import Mapping

from dashboard.frames.snapshot import Snapshot


def product_labels(snap: Snapshot) -> dict[str, str]:
    """product id → "name · organization id", for pickers, in the registry's order."""
    return {
        str(pid): f"{name} · {org}"
        for pid, name, org in zip(
            snap.products["product_id"],
            snap.products["name"],
            snap.products["organization"],
            strict=True,
        )
    }


def matching_products(
    labels: Mapping[str, str], query: str, keep: str | None = None, limit: int = 50
) -> list[str]:
    """At most `limit` product ids for a picker: those whose id or label contains `query`
    (case-insensitive), exact matches first, then prefixes, then the rest in `labels` order.

    `keep` (the product on screen) is always first when it is a known product, so typing a new
    search never drops the page's current product from the picker.
    """
    needle = query.strip().casefold()
    tiers: tuple[list[str], list[str], list[str]] = ([], [], [])
    for product_id, text in labels.items():
        if product_id == keep:
            continue
        if not needle:
            tiers[2].append(product_id)
            if len(tiers[2]) >= limit:
                break
            continue
        ident, shown = product_id.casefold(), text.casefold()
        if needle == ident or shown.startswith(needle + " ·"):
            tiers[0].append(product_id)
        elif ident.startswith(needle) or shown.startswith(needle):
            tiers[1].append(product_id)
        elif needle in ident or needle in shown:
            tiers[2].append(product_id)
    found = [*tiers[0], *tiers[1], *tiers[2]]
    head = [keep] if keep is not None and keep in labels else []
    return [*head, *found][: max(limit, len(head))]
