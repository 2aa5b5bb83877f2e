"""What the store raises: each error names what failed, never a credential."""

from __future__ import annotations


class StoreError(Exception):
    """Base of the store's errors."""


class StoreConfigError(StoreError):
    """The database URL or file cannot be used."""


class StoreUnavailableError(StoreConfigError):
    """The database cannot be opened or used: not a database, unreachable, read-only, full."""


class StoreReadOnlyError(StoreError):
    """A write was asked of a store opened read-only."""


class StoreSchemaError(StoreError):
    """The database schema is not the one this code expects (run the migrations)."""


class UnknownRunError(StoreError):
    """A run id that the store does not know."""


def database_fault(error: BaseException) -> str:
    """One line for a driver error: its own first line, without SQLAlchemy's SQL echo and link.

    Never the URL: a PostgreSQL connection error can quote it, and callers name the database
    themselves with the password masked.
    """
    origin = getattr(error, "orig", None) or error
    text = str(origin).strip() or type(origin).__name__
    return text.splitlines()[0]
