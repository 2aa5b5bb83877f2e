"""Rich progress for collections: one bar per unit of work (an organisation), events as lines."""

from __future__ import annotations

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


class _SourceProgress:
    def __init__(self, bars: Progress, source: str) -> None:
        self._bars = bars
        self._source = source
        self._task: TaskID | None = None

    def begin(self, label: str, total: int | None) -> None:
        if self._task is not None:
            self._bars.update(self._task, visible=True)
        self._task = self._bars.add_task(f"{self._source}: {label}", total=total)

    def advance(self, amount: int = 1) -> None:
        if self._task is not None:
            self._bars.advance(self._task, amount)

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
