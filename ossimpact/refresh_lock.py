"""One refresh at a time across processes, on top of the store's lock rows.

The daemon's scheduled runs and a manual `ossimpact refresh` may start at the same moment, possibly
on different hosts sharing one PostgreSQL database; the lock lives in the store so it works for
SQLite and PostgreSQL alike. A holder keeps its lock alive with a heartbeat; a crashed holder stops
beating, its lock expires after the TTL and the next refresh takes over.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol, runtime_checkable

log = logging.getLogger(__name__)

REFRESH_LOCK = "refresh"
# Long enough that a busy database does not make a live holder look dead, short enough that a
# crashed daemon blocks the next refresh for two minutes at most.
DEFAULT_TTL_SECONDS = 120.0
DEFAULT_POLL_SECONDS = 2.0


class LockStore(Protocol):
    """The part of the store a refresh guard needs (`ossimpact.store.Store` has it)."""

    def acquire_lock(self, name: str, holder: str, ttl_seconds: float) -> bool: ...

    def refresh_lock(self, name: str, holder: str, ttl_seconds: float) -> bool: ...

    def release_lock(self, name: str, holder: str) -> None: ...


@runtime_checkable
class LockInspector(Protocol):
    """A store that can say who holds a lock and since when (used for the busy message)."""

    def lock_holder(self, name: str) -> tuple[str, datetime] | None: ...


class RefreshBusy(Exception):
    """Another refresh holds the lock; the message names the holder and since when."""

    def __init__(self, name: str, holder: str | None, since: datetime | None, waited: float):
        self.name = name
        self.holder = holder
        self.since = since
        self.waited = waited
        who = holder or "another process"
        when = f" since {since.isoformat(timespec='seconds')}" if since is not None else ""
        after = f" (waited {waited:.0f} s)" if waited >= 1 else ""
        super().__init__(
            f"a refresh is already running: {who} holds the {name!r} lock{when}{after}"
        )


@dataclass
class RefreshLease:
    """A held lock. `lost` is set if the heartbeat found the lock taken over (we stalled past the
    TTL); a long job should check it between artifacts and stop."""

    name: str
    holder: str
    ttl_seconds: float
    lost: threading.Event = field(default_factory=threading.Event)


def default_holder(purpose: str = "refresh") -> str:
    """A holder name that tells an operator where the lock came from: purpose@host:pid."""
    return f"{purpose}@{socket.gethostname()}:{os.getpid()}"


def current_holder(store: LockStore, name: str = REFRESH_LOCK) -> tuple[str, datetime] | None:
    """Who holds the lock and since when; None when it is free (or the store cannot say)."""
    return store.lock_holder(name) if isinstance(store, LockInspector) else None


def _heartbeat(
    store: LockStore, lease: RefreshLease, stop: threading.Event, also: threading.Event | None
) -> None:
    interval = lease.ttl_seconds / 3
    while not stop.wait(interval):
        try:
            alive = store.refresh_lock(lease.name, lease.holder, lease.ttl_seconds)
        except Exception as error:
            # A database hiccup is not a lost lock: try again at the next beat, within the TTL.
            log.warning("could not renew the %r lock: %s", lease.name, error)
            continue
        if not alive:
            log.error(
                "the %r lock of %s was taken over; stopping the refresh", lease.name, lease.holder
            )
            lease.lost.set()
            if also is not None:
                also.set()
            return


@contextmanager
def refresh_guard(
    store: LockStore,
    holder: str | None,
    wait: bool,
    timeout: float = 3600.0,
    *,
    name: str = REFRESH_LOCK,
    ttl_seconds: float = DEFAULT_TTL_SECONDS,
    poll_seconds: float = DEFAULT_POLL_SECONDS,
    stop_when_lost: threading.Event | None = None,
) -> Iterator[RefreshLease]:
    """Hold the store lock `name` for the duration of the block, renewed by a heartbeat thread.

    `wait=False`: raise `RefreshBusy` at once if someone else holds it. `wait=True`: poll until it
    is free, or raise `RefreshBusy` after `timeout` seconds. If the lock is lost (taken over after
    a stall), `lease.lost` and `stop_when_lost` (e.g. the pipeline's stop event) are set. `holder` None: `default_holder()`.
    The lock is released on exit, also
    when the block raises.
    """
    if ttl_seconds <= 0:
        raise ValueError(f"ttl_seconds must be positive, got {ttl_seconds}")
    holder = holder or default_holder()
    started = time.monotonic()
    while not store.acquire_lock(name, holder, ttl_seconds):
        waited = time.monotonic() - started
        if not wait or waited >= timeout:
            other = current_holder(store, name)
            raise RefreshBusy(
                name, other[0] if other else None, other[1] if other else None, waited
            )
        time.sleep(max(0.0, min(poll_seconds, timeout - waited)))
    lease = RefreshLease(name=name, holder=holder, ttl_seconds=ttl_seconds)
    stop = threading.Event()
    beat = threading.Thread(
        target=_heartbeat,
        args=(store, lease, stop, stop_when_lost),
        name=f"lock-heartbeat-{name}",
        daemon=True,
    )
    beat.start()
    try:
        yield lease
    finally:
        stop.set()
        beat.join()
        store.release_lock(name, holder)
