"""Hub requests in parallel, results in order: the thread pool of one Hugging Face run.

Each task runs in a copy of the caller's context (the Hub session's ledger is a context variable,
which new threads would not see) and fills a piece of its own; the collector merges the pieces in
the order the tasks were given, so a parallel run returns what a sequential run would. Progress is
reported from the calling thread only: an interrupt (the pipeline's stop event, raised by
`advance`) lands there, between two tasks, and the tasks still queued are cancelled.
"""

from __future__ import annotations

import contextvars
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from typing import TypeVar

from collectors.base import Progress
from collectors.huggingface.parse import ParsedArtifact
from ossimpact.domain import ArtifactId, CollectionResult

T = TypeVar("T")
STOP_CHECK_SECONDS = 0.5


@dataclass
class Piece:
    """What one task found: artifacts of the registry's handles, figures, outside artifacts."""

    result: CollectionResult
    kept: list[ParsedArtifact] = field(default_factory=list)
    outside: list[tuple[ArtifactId, str | None]] = field(default_factory=list)
    urls: dict[ArtifactId, str] = field(default_factory=dict)  # the listing page of each kept
    stopped: bool = False  # the source stopped during this task; what it read before is valid
    merged: bool = False  # added to the run's result already


def in_order(
    pool: ThreadPoolExecutor,
    tasks: Sequence[Callable[[], T]],
    progress: Progress,
    cancelled: threading.Event,
) -> list[T]:
    """Run the tasks on the pool; their results in the order given.

    A task that raises (an interrupt of the progress, a bug) cancels the tasks not started and
    sets `cancelled`, which the running ones check before their next request.
    """
    futures: list[Future[T]] = [pool.submit(contextvars.copy_context().run, task) for task in tasks]
    pending = set(futures)
    try:
        while pending:
            done, pending = wait(pending, timeout=STOP_CHECK_SECONDS, return_when=FIRST_COMPLETED)
            for future in done:
                future.result()
                progress.advance()
            if not done:
                # a long task (a listing of many pages) must not hide a stop request:
                # `advance(0)` is where the pipeline's stop event is checked
                progress.advance(0)
    except BaseException:
        cancelled.set()
        for future in futures:
            future.cancel()
        raise
    return [future.result() for future in futures]
