"""The fake servers in a child process, as the real platforms are remote: for the benchmarks.

In one process the fake servers' JSON building and the collectors share one interpreter (and, with
the GIL, one core); the refresh time measured that way is the sandbox's as much as ours.
`start_sandbox_process` forks a child that serves the same `World` object (inherited by the fork,
not generated again) with `start_sandbox`, and talks to the parent through a pipe: first its
servers' URLs, then on demand every answer served since the last ask, as (server, method,
path?query, status). The parent replays those into each server's `on_response`, so counts stay
exact and server side: an answer is recorded before its body is written, so whatever the client
has received is in the next batch.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from multiprocessing.connection import Connection

from ossimpact.sandbox.http import SandboxServerError
from ossimpact.sandbox.model import World
from ossimpact.sandbox.runner import RunningSandbox, start_sandbox

# (server name, method, path?query, HTTP status) of one answer
Answer = tuple[str, str, str, int]
_ASK_ANSWERS = "answers"
_ASK_CPU = "cpu"
_STOP = "stop"
_START_TIMEOUT_SECONDS = 60.0


@dataclass
class RemoteServer:
    """A fake server running in the child: its URL, and who hears of its answers here."""

    name: str
    url: str
    on_response: Callable[[str, str, int], None] | None = None


def _serve(world: World, latency: float, connection: Connection) -> None:
    """The child: start the servers, report their URLs, answer the parent until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us; Ctrl-C is for it
    answers: list[Answer] = []
    lock = threading.Lock()
    sandbox = start_sandbox(world, latency=latency)
    try:
        for name, server in sandbox.servers.items():

            def observe(method: str, path: str, status: int, name: str = name) -> None:
                with lock:
                    answers.append((name, method, path, status))

            server.on_response = observe
        connection.send({name: server.url for name, server in sandbox.servers.items()})
        while True:
            command = connection.recv()
            if command == _ASK_ANSWERS:
                with lock:
                    batch = list(answers)
                    answers.clear()
                connection.send(batch)
            elif command == _ASK_CPU:
                connection.send(time.process_time())
            elif command == _STOP:
                break
    except (EOFError, OSError):
        pass  # the parent went away: nothing left to serve
    finally:
        sandbox.stop()
        connection.close()


@dataclass
class ProcessSandbox(RunningSandbox):
    """The parent's handle on the child: URLs, settings, answers delivered on demand."""

    world: World
    process: multiprocessing.process.BaseProcess
    connection: Connection
    servers: dict[str, RemoteServer] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def deliver_answers(self) -> int:
        """Fetch the answers the child served since the last call and replay them; how many."""
        with self._lock:
            if not self.process.is_alive():
                raise SandboxServerError("the sandbox process has stopped")
            self.connection.send(_ASK_ANSWERS)
            batch: list[Answer] = self.connection.recv()
        for name, method, path, status in batch:
            observer = self.servers[name].on_response
            if observer is not None:
                observer(method, path, status)
        return len(batch)

    def cpu_seconds(self) -> float:
        """CPU seconds the child has used so far (its servers building and sending answers)."""
        with self._lock:
            if not self.process.is_alive():
                raise SandboxServerError("the sandbox process has stopped")
            self.connection.send(_ASK_CPU)
            seconds: float = self.connection.recv()
        return seconds

    def stop(self) -> None:
        with self._lock:
            if self.process.is_alive():
                with contextlib.suppress(OSError, BrokenPipeError):
                    self.connection.send(_STOP)
            self.process.join(timeout=10)
            if self.process.is_alive():
                self.process.terminate()
                self.process.join(timeout=5)
            self.connection.close()


def start_sandbox_process(world: World, *, latency: float = 0.0) -> ProcessSandbox:
    """Fork a child serving every fake server over `world`; returns once they listen."""
    context = multiprocessing.get_context("fork")
    ours, theirs = context.Pipe()
    process = context.Process(
        target=_serve, args=(world, latency, theirs), name="ossimpact-sandbox", daemon=True
    )
    process.start()
    theirs.close()
    sandbox = ProcessSandbox(world, process, ours)
    try:
        if not ours.poll(_START_TIMEOUT_SECONDS):
            raise SandboxServerError("the sandbox process did not start its servers in time")
        urls: dict[str, str] = ours.recv()
    except (EOFError, OSError, SandboxServerError) as error:
        sandbox.stop()
        if isinstance(error, SandboxServerError):
            raise
        raise SandboxServerError("the sandbox process ended before its servers listened") from None
    sandbox.servers = {name: RemoteServer(name, url) for name, url in urls.items()}
    return sandbox
