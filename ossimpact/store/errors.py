"""What the store raises: each error names what failed, never a credential."""

from __future__ import annotations


class StoreError(Exception):
    """Base of the store's errors."""


class StoreConfigError(StoreError):
    """The database URL or file cannot be used."""


class StoreReadOnlyError(StoreError):
    """A write was asked of a store opened read-only."""


class StoreSchemaError(StoreError):
    """The database schema is not the one this code expects (run the migrations)."""


class UnknownRunError(StoreError):
    """A run id that the store does not know."""
