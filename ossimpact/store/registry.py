"""The registry as stored: organisations and explicit products, upserted on every sync."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.engine import Connection

from ossimpact.domain import Organization, Product
from ossimpact.store.records import from_row
from ossimpact.store.schema import organizations, products
from ossimpact.store.statements import upsert
from ossimpact.store.types import MAX_DETAIL, MAX_NOTE, bounded


def sync(
    connection: Connection,
    listed_organizations: Iterable[Organization],
    listed_products: Iterable[Product],
    source: str,
    now: datetime,
) -> None:
    """Upsert organisations and explicit products; ones no longer listed become inactive."""
    orgs = {o.id: o for o in listed_organizations}
    prods = {p.id: p for p in listed_products if not p.implicit}
    upsert(
        connection, organizations, "id", [_organization_row(o, source, now) for o in orgs.values()]
    )
    upsert(connection, products, "id", [_product_row(p, source, now) for p in prods.values()])
    _deactivate_others(connection, organizations, list(orgs), now)
    _deactivate_others(connection, products, list(prods), now)


def read_organizations(connection: Connection) -> list[Organization]:
    rows = connection.execute(
        select(organizations).where(organizations.c.active.is_(True)).order_by(organizations.c.id)
    )
    return [
        from_row(
            Organization,
            r,
            evidence=tuple(r.evidence),
            huggingface=tuple(r.huggingface),
            github=tuple(r.github),
            # NULL for organisations stored before revision 0008 (their next sync fills them)
            modelscope=tuple(r.modelscope or ()),
            opendatalab=tuple(r.opendatalab or ()),
        )
        for r in rows
    ]


def read_products(connection: Connection) -> list[Product]:
    rows = connection.execute(
        select(products).where(products.c.active.is_(True)).order_by(products.c.id)
    )
    return [from_row(Product, r, include=tuple(r.include)) for r in rows]


def _deactivate_others(
    connection: Connection, table: Table, kept: list[str], now: datetime
) -> None:
    connection.execute(
        update(table)
        .where(table.c.id.not_in(kept))
        .where(table.c.active.is_(True))
        .values(active=False, updated_at=now)
    )


def _organization_row(org: Organization, source: str, now: datetime) -> dict[str, Any]:
    return {
        "id": org.id,
        "name": bounded(org.name, 300),
        "name_zh": bounded(org.name_zh, 300),
        "kind": bounded(org.kind, 50),
        "city": bounded(org.city, 100),
        "evidence": [bounded(e, MAX_DETAIL) for e in org.evidence],
        "confidence": org.confidence,
        "huggingface": list(org.huggingface),
        "github": list(org.github),
        "modelscope": list(org.modelscope),
        "opendatalab": list(org.opendatalab),
        "notes": bounded(org.notes, MAX_NOTE),
        "registry_source": bounded(source, 300),
        "active": True,
        "updated_at": now,
    }


def _product_row(product: Product, source: str, now: datetime) -> dict[str, Any]:
    return {
        "id": product.id,
        "name": bounded(product.name, 300),
        "category": product.category,
        "organization": product.organization,
        "include": list(product.include),
        "description": bounded(product.description, MAX_NOTE),
        "implicit": product.implicit,
        "registry_source": bounded(source, 300),
        "active": True,
        "updated_at": now,
    }
