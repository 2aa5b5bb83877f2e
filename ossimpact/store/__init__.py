"""The append-only store: organisations, products, artifacts, runs, observations and scores.

SQLite (WAL) by default, PostgreSQL by URL, one set of Alembic migrations for both.
"""

from ossimpact.store.errors import (
    StoreConfigError,
    StoreError,
    StoreReadOnlyError,
    StoreSchemaError,
    StoreUnavailableError,
    UnknownRunError,
)
from ossimpact.store.records import (
    FINISHED_STATUSES,
    RUN_KINDS,
    RunRecord,
    ScoringMember,
    ScoringRunRecord,
    Shortlist,
    ShortlistItem,
)
from ossimpact.store.store import Store, open_store

__all__ = [
    "FINISHED_STATUSES",
    "RUN_KINDS",
    "RunRecord",
    "ScoringMember",
    "ScoringRunRecord",
    "Shortlist",
    "ShortlistItem",
    "Store",
    "StoreConfigError",
    "StoreError",
    "StoreReadOnlyError",
    "StoreSchemaError",
    "StoreUnavailableError",
    "UnknownRunError",
    "open_store",
]
