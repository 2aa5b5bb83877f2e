"""Server-side request counts by route class: what the fake servers answered, the honest count."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from ossimpact.sandbox.process import ProcessSandbox
from ossimpact.sandbox.runner import Sandbox

BULK = "bulk"  # listings that bring downloads, all-time downloads, likes, stars, forks
OTHER = "other"  # derivatives, trained-on, collections, contributors, releases, profiles, …


def route_class(server: str, method: str, path: str) -> str:
    """Whether a request is one of the bulk listings (P1's first figure) or anything else."""
    parts = urlsplit(path)
    segments = [s for s in parts.path.split("/") if s]
    if server == "huggingface":
        query = parse_qs(parts.query)
        if segments in (["api", "models"], ["api", "datasets"]) and "author" in query:
            return BULK
        return OTHER
    if server == "github":
        if method == "POST" and segments[-1:] == ["graphql"]:
            return BULK  # the organisation's repositories, 100 a page, with their figures
        if len(segments) == 3 and segments[0] == "orgs" and segments[2] == "repos":
            return BULK  # the REST path's organisation listing
        return OTHER
    if server == "modelscope":
        query = parse_qs(parts.query)
        if segments in (["openapi", "v1", "models"], ["openapi", "v1", "datasets"]):
            return BULK if "owner" in query else OTHER  # an owner's listing, every figure in it
        return OTHER
    return OTHER


class Traffic:
    """Counts every answer of a sandbox's servers by (server, route class, method, status).

    Servers in this process report each answer as it is sent; a sandbox in a child process
    (`ProcessSandbox`) sends its answers on demand, fetched at every snapshot.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.counts: Counter[tuple[str, str, str, int]] = Counter()
        self._remote: list[ProcessSandbox] = []

    def attach(self, sandbox: Sandbox | ProcessSandbox) -> None:
        for name, server in sandbox.servers.items():
            server.on_response = self._observer(name)
        if isinstance(sandbox, ProcessSandbox):
            self._remote.append(sandbox)

    def _observer(self, name: str) -> Callable[[str, str, int], None]:
        def observe(method: str, path: str, status: int) -> None:
            key = (name, route_class(name, method, path), method, status)
            with self._lock:
                self.counts[key] += 1

        return observe

    def snapshot(self) -> Counter[tuple[str, str, str, int]]:
        for remote in self._remote:
            remote.deliver_answers()
        with self._lock:
            return Counter(self.counts)


def since(
    after: Counter[tuple[str, str, str, int]], before: Counter[tuple[str, str, str, int]]
) -> Counter[tuple[str, str, str, int]]:
    delta = Counter(after)
    delta.subtract(before)
    return Counter({k: v for k, v in delta.items() if v > 0})


def total(
    counts: Counter[tuple[str, str, str, int]],
    *,
    servers: tuple[str, ...] | None = None,
    route: str | None = None,
    method: str | None = None,
    status: int | None = None,
) -> int:
    return sum(
        n
        for (server, klass, verb, code), n in counts.items()
        if (servers is None or server in servers)
        and (route is None or klass == route)
        and (method is None or verb == method)
        and (status is None or code == status)
    )
