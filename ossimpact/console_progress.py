"""Rich progress for collections: one bar per unit of work (an organisation), events as lines.

A wait for a rate limit (paced, or a limit answer waited out) of a second or more renames the
source's bar until the wait is over ("github: waiting for the rate limit (resets 05:42:07 UTC,
38 s)"), so a bar that stands still says why.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import TracebackType

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from collectors.base import Progress as CollectorProgress


def waiting_label(source: str, what: str, seconds: float, now: datetime) -> str:
    """ "github: waiting for the rate limit (resets 05:42:07 UTC, 38 s)"."""
    resets = now.astimezone(UTC) + timedelta(seconds=seconds)
    return f"{source}: waiting for the {what} (resets {resets:%H:%M:%S} UTC, {seconds:.0f} s)"


class _SourceProgress:
    def __init__(
        self,
        bars: Progress,
        source: str,
        *,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._bars = bars
        self._source = source
        self._task: TaskID | None = None
        self._label = ""
        self._clock = clock
        self._now = now
        self._waiting_until: float | None = None  # the bar names a wait until then

    def begin(self, label: str, total: int | None) -> None:
        if self._task is not None:
            self._bars.update(self._task, visible=True)
        self._label = f"{self._source}: {label}"
        self._task = self._bars.add_task(self._label, total=total)
        self._waiting_until = None

    def advance(self, amount: int = 1) -> None:
        if self._task is not None:
            self._bars.advance(self._task, amount)
            self._end_wait()

    def waiting(self, what: str, seconds: float) -> None:
        """A wait for a limit starts: the bar says so until it is over."""
        label = waiting_label(self._source, what, seconds, self._now())
        until = self._clock() + seconds
        self._waiting_until = max(until, self._waiting_until or until)
        if self._task is None:  # no bar yet (an organisation being read): a line instead
            self._bars.console.print(f"[dim]{label}[/]", highlight=False)
        else:
            self._bars.update(self._task, description=label)

    def _end_wait(self) -> None:
        until = self._waiting_until
        if until is not None and self._clock() >= until and self._task is not None:
            self._waiting_until = None
            self._bars.update(self._task, description=self._label or self._source)

    def note(self, message: str) -> None:
        self._bars.console.print(f"[dim]{self._source}:[/] {message}", highlight=False)


class RichPipelineProgress:
    """Shows collection progress in the terminal; quiet when the output is not a terminal."""

    def __init__(self, console: Console) -> None:
        self._bars = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )

    def __enter__(self) -> RichPipelineProgress:
        self._bars.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._bars.stop()

    def source_progress(self, source: str) -> CollectorProgress:
        return _SourceProgress(self._bars, source)

    def source_finished(self, outcome: object) -> None:
        from ossimpact.pipeline import SourceOutcome

        if isinstance(outcome, SourceOutcome):
            self._bars.console.print(
                f"{outcome.source}: {outcome.status} — {outcome.artifacts} artifacts, "
                f"{outcome.observations} observations, "
                + (
                    f"{outcome.benchmark_results} benchmark results, "
                    if outcome.benchmark_results
                    else ""
                )
                + f"{outcome.failures} failures"
                + (f" ({outcome.message})" if outcome.message else ""),
                highlight=False,
            )
