"""The one opening of every collector's `collect()`: a source is a subclass that reads.

`collect(handles, explicit, progress)` is the pipeline's call. The base does what every source did
at its start (the progress defaulted, an empty result of the source, the run's moment, the
explicit artifacts of the source's platform) and hands a `RunStart` to `read`, the one method a
new source writes (with its parser beside it).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from concurrent.futures import Future, wait
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Generic, TypeVar

from collectors.base import NullProgress, Progress
from collectors.core.errors import BudgetExceeded
from ossimpact.domain import ArtifactId, CollectionResult, utcnow

if TYPE_CHECKING:
    from collectors.http import HttpClient

R = TypeVar("R", bound=CollectionResult)
T = TypeVar("T")
STOP_CHECK_SECONDS = 0.5


@dataclass(frozen=True)
class RunStart(Generic[R]):
    """What a source's run starts with."""

    result: R  # empty; the source fills it
    progress: Progress
    observed_at: datetime  # the moment its observations carry
    handles: tuple[str, ...]  # the registry's organisation handles on the source's platform
    explicit: tuple[ArtifactId, ...]  # artifacts named in the registry, of the source's platform


class Source(ABC, Generic[R]):
    """A collector: `source` names it in the store, `platform` picks its explicit artifacts."""

    source: str
    platform: str | None = None  # "gh" or "hf"; None: every explicit artifact

    def collect(
        self,
        handles: Sequence[str],
        explicit: Sequence[ArtifactId] = (),
        progress: Progress | None = None,
    ) -> R:
        start = RunStart(
            self.new_result(),
            progress or NullProgress(),
            self.observed_at(),
            tuple(handles),
            tuple(a for a in explicit if self.platform is None or a.platform == self.platform),
        )
        return self.read(start)

    @abstractmethod
    def new_result(self) -> R:
        """An empty result of this source (a subclass may carry more than observations)."""

    def observed_at(self) -> datetime:
        """The run's moment (a source may take it from a clock given to it, for tests)."""
        return utcnow()

    @abstractmethod
    def read(self, start: RunStart[R]) -> R:
        """Everything the source reads in one run, into `start.result`."""


class HttpSource(Source[CollectionResult]):
    """A source with a plain result that reads through the one HTTP client it owns (`_client`,
    set by its constructor): the client (its stats) and its closing come with it."""

    _client: HttpClient

    @property
    def client(self) -> HttpClient:
        return self._client

    def close(self) -> None:
        self._client.close()

    def new_result(self) -> CollectionResult:
        return CollectionResult(source=self.source)

    @contextmanager
    def until_budget_spent(self, result: CollectionResult, progress: Progress) -> Iterator[None]:
        """A rate-limit wait past the run's budget stops the source cleanly (noted, what was read
        kept); the client's figures (requests, waits, why it stopped) go into the result."""
        try:
            yield
        except BudgetExceeded as stop:
            progress.note(str(stop))
        finally:
            result.stats = self._client.stats


def result_checking_stop(future: Future[T], progress: Progress) -> T:
    """The future's result; while it runs, `progress.advance(0)` every half second, which is
    where the pipeline's stop request (SIGTERM) lands, so a long task does not hide it."""
    while not wait([future], timeout=STOP_CHECK_SECONDS).done:
        progress.advance(0)
    return future.result()
