"""One refresh at a time across processes: two stores on one database, real subprocesses."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from ossimpact.refresh_lock import RefreshBusy, current_holder, refresh_guard
from ossimpact.store import Store, open_store

REPO = Path(__file__).resolve().parent.parent

_HOLDER = """
import sys, time
from ossimpact.store import open_store
from ossimpact.refresh_lock import refresh_guard
url, holder, ttl, hold = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4])
store = open_store(url)
with refresh_guard(store, holder, wait=False, ttl_seconds=ttl):
    print("held", flush=True)
    time.sleep(hold)
print("released", flush=True)
"""


class Holder:
    """Another process holding the refresh lock for `hold` seconds."""

    def __init__(self, url: str, name: str, ttl: float, hold: float) -> None:
        env = {**os.environ, "PYTHONPATH": str(REPO)}
        self.process = subprocess.Popen(
            [sys.executable, "-c", _HOLDER, url, name, str(ttl), str(hold)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline().strip()
        if line != "held":
            _, err = self.process.communicate(timeout=10)
            raise AssertionError(f"the holder did not get the lock: {line!r} {err}")

    def finish(self) -> str:
        out, err = self.process.communicate(timeout=30)
        assert self.process.returncode == 0, err
        return out.strip()

    def crash(self) -> None:
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)


@pytest.fixture
def other(store_url: str, store: Store) -> Iterator[Store]:
    """A second store object on the same database (the first one migrated it)."""
    second = open_store(store_url, migrate=False)
    yield second
    second.close()


def test_second_process_fails_fast_naming_the_holder(store_url: str, other: Store) -> None:
    holder = Holder(store_url, "daemon@host:1", ttl=30, hold=3)
    started = time.monotonic()
    with pytest.raises(RefreshBusy) as busy, refresh_guard(other, "manual@host:2", wait=False):
        pytest.fail("got a lock another process holds")
    assert time.monotonic() - started < 2
    message = str(busy.value)
    assert "daemon@host:1" in message
    assert "since 20" in message  # an ISO timestamp
    assert holder.finish() == "released"
    assert current_holder(other) is None


def test_second_process_waits_for_release(store_url: str, other: Store) -> None:
    holder = Holder(store_url, "daemon@host:1", ttl=30, hold=1.5)
    started = time.monotonic()
    with refresh_guard(other, "manual@host:2", wait=True, timeout=20, poll_seconds=0.1):
        waited = time.monotonic() - started
        holding = current_holder(other)
    assert 0.5 < waited < 15
    assert holding is not None
    assert holding[0] == "manual@host:2"
    holder.finish()


def test_waiting_gives_up_after_the_timeout(store_url: str, other: Store) -> None:
    holder = Holder(store_url, "daemon@host:1", ttl=30, hold=4)
    started = time.monotonic()
    with (
        pytest.raises(RefreshBusy, match=r"waited \d+ s"),
        refresh_guard(other, "manual@host:2", wait=True, timeout=1.0, poll_seconds=0.2),
    ):
        pytest.fail("got a lock another process holds")
    assert 0.9 < time.monotonic() - started < 3.5
    holder.finish()


def test_heartbeat_keeps_a_long_refresh_locked_past_its_ttl(store_url: str, other: Store) -> None:
    holder = Holder(store_url, "daemon@host:1", ttl=1.2, hold=4)
    time.sleep(2.5)  # two TTLs: without the heartbeat the lock would have expired
    with pytest.raises(RefreshBusy), refresh_guard(other, "manual@host:2", wait=False):
        pytest.fail("a live holder's lock was taken over")
    holder.finish()


def test_crashed_holder_is_taken_over_after_its_ttl(store_url: str, other: Store) -> None:
    holder = Holder(store_url, "daemon@host:1", ttl=2, hold=60)
    holder.crash()
    # Not expired yet: still busy.
    with pytest.raises(RefreshBusy), refresh_guard(other, "manual@host:2", wait=False):
        pytest.fail("took over before the TTL passed")
    started = time.monotonic()
    with refresh_guard(other, "manual@host:2", wait=True, timeout=15, poll_seconds=0.2):
        assert current_holder(other) is not None
    assert time.monotonic() - started < 4


def test_lock_is_released_when_the_block_raises(store: Store) -> None:
    with pytest.raises(RuntimeError), refresh_guard(store, "a", wait=False):
        raise RuntimeError("collector bug")
    with refresh_guard(store, "b", wait=False):
        pass


def test_a_taken_over_lease_is_reported_lost(store: Store, other: Store) -> None:
    stop = threading.Event()
    guard = refresh_guard(store, "slow@host:1", wait=False, ttl_seconds=0.6, stop_when_lost=stop)
    with guard as lease:
        # Simulate a stall past the TTL: someone else takes the expired lock.
        store.release_lock("refresh", "slow@host:1")
        assert other.acquire_lock("refresh", "fast@host:2", 60)
        assert lease.lost.wait(3)
        assert stop.is_set()  # the pipeline's stop event: the refresh winds down
    # Our exit must not release someone else's lock.
    assert current_holder(other) is not None
    assert current_holder(other)[0] == "fast@host:2"  # type: ignore[index]


def test_same_process_threads_serialise(store: Store) -> None:
    order: list[str] = []

    def refresh(name: str) -> None:
        with refresh_guard(store, name, wait=True, timeout=10, poll_seconds=0.05):
            order.append(f"{name} in")
            time.sleep(0.3)
            order.append(f"{name} out")

    threads = [threading.Thread(target=refresh, args=(n,)) for n in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert order in (
        ["a in", "a out", "b in", "b out"],
        ["b in", "b out", "a in", "a out"],
    )
