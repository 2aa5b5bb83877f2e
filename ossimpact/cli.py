"""The `ossimpact` command: a thin layer over the functions the dashboard and scheduler call.

Exit codes: 0 ok, 1 other failure, 2 usage or configuration error, 3 finished with some artifacts
failed (recorded in the run).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ossimpact.cli_errors import OperatorErrors
from ossimpact.console_progress import RichPipelineProgress
from ossimpact.domain import ScoreRow
from ossimpact.settings import Settings, load_settings

if TYPE_CHECKING:
    from ossimpact.registry import Registry

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3

app = typer.Typer(
    name="ossimpact",
    help="Evidence for Shanghai's open-source AI award: collect, score, export, show.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    cls=OperatorErrors,
)
registry_app = typer.Typer(help="The registry of Shanghai organisations and products.")
app.add_typer(registry_app, name="registry")
console = Console()
err_console = Console(stderr=True, soft_wrap=True)  # paths and file:line stay whole


def _settings() -> Settings:
    try:
        return load_settings()
    except Exception as exc:  # pydantic ValidationError: a bad environment variable
        err_console.print(f"[red]configuration error:[/] {escape(str(exc))}")
        raise typer.Exit(EXIT_USAGE) from exc


def _as_of(value: str | None) -> datetime | None:
    """An as-of date means the end of that day (UTC): observations of that day count."""
    if value is None:
        return None
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        err_console.print(
            f"[red]--as-of must be a date like 2026-10-31, not {escape(repr(value))}[/]"
        )
        raise typer.Exit(EXIT_USAGE) from exc
    today = datetime.now(UTC).date()
    if day > today:
        # Nothing is known about a day to come (and 9999-12-31 overflows the date arithmetic).
        err_console.print(f"[red]--as-of {day} is in the future; the latest is today ({today})[/]")
        raise typer.Exit(EXIT_USAGE)
    return datetime.combine(day, time.max, tzinfo=UTC)


@app.command()
def config() -> None:
    """Print the effective settings (tokens masked)."""
    table = Table("setting", "value", title="ossimpact settings")
    for key, value in _settings().effective().items():
        table.add_row(key, value)
    console.print(table)


@registry_app.command("check")
def registry_check(
    file: Annotated[
        Path | None, typer.Argument(help="Registry YAML (default: the configured one)")
    ] = None,
    live: Annotated[
        bool,
        typer.Option(
            "--live",
            help="Also ask Hugging Face and GitHub about every handle and product (exit 3 when "
            "one is empty, unknown, renamed or matches nothing)",
        ),
    ] = False,
) -> None:
    """Validate a registry file; list every problem with file, line and field."""
    from ossimpact.registry import check_registry

    settings = _settings()
    path = file or settings.registry_path
    problems = check_registry(path)
    if problems:
        for problem in problems:
            err_console.print(str(problem), markup=False, highlight=False, soft_wrap=True)
        err_console.print(f"[red]{len(problems)} problem(s) in {path}[/]")
        raise typer.Exit(EXIT_USAGE)
    console.print(f"[green]valid:[/] {path}")
    if live:
        from ossimpact.registry import load_registry
        from ossimpact.registry.live_report import print_live_report, run_live_check

        report = run_live_check(load_registry(path), settings, console)
        print_live_report(report, console)
        raise typer.Exit(report.exit_code)


@registry_app.command("suggest")
def registry_suggest(
    organization: Annotated[
        str | None, typer.Option("--organization", help="Only this organisation id")
    ] = None,
) -> None:
    """Print, for review, registry YAML for the release families inferred among the store's
    tracked artifacts: name one and paste it into the registry to freeze it as a product."""
    from ossimpact.pipeline import open_configured_store
    from ossimpact.registry import RegistryError, load_registry
    from ossimpact.registry.suggest import suggested_families, suggestion_yaml

    settings = _settings()
    try:
        registry = load_registry(settings.registry_path)
    except RegistryError as exc:
        err_console.print(f"[red]the registry is not valid:[/] {exc}", markup=False)
        raise typer.Exit(EXIT_USAGE) from exc
    if organization is not None and organization not in registry.organizations:
        err_console.print(f"unknown organisation {organization!r}", markup=False)
        raise typer.Exit(EXIT_USAGE)
    store = open_configured_store(settings)
    tracked = [record.id for record in store.artifacts() if record.tracked]
    found = suggested_families(registry, tracked, store.edges(), organization)
    console.print(suggestion_yaml(found), markup=False, highlight=False, soft_wrap=True, end="")


def _print_outcomes(outcomes: list[object]) -> None:
    from ossimpact.pipeline import SourceOutcome

    table = Table(
        "source",
        "status",
        "artifacts",
        "observations",
        "failures",
        "requests",
        "GraphQL pts",
        "304s",
        "waits (s)",
        "paced (s)",
        "note",
        title="collection summary",
    )
    for outcome in outcomes:
        assert isinstance(outcome, SourceOutcome)
        stats = outcome.stats
        table.add_row(
            outcome.source,
            outcome.status,
            str(outcome.artifacts),
            str(outcome.observations),
            str(outcome.failures),
            str(stats.requests),
            str(stats.graphql_points),
            str(stats.not_modified),
            f"{stats.rate_limit_waits} ({stats.rate_limit_wait_seconds:.1f})",
            f"{stats.paced_seconds:.1f}",
            outcome.message or "",
        )
    console.print(table)


@app.command()
def collect(
    source: Annotated[
        list[str] | None,
        typer.Option(
            "--source",
            "-s",
            help="huggingface | github | modelscope | opendatalab | opendigger | benchmarks (repeatable)",
        ),
    ] = None,
) -> None:
    """Collect from the sources (all by default) into the store; one run per source."""
    from ossimpact.pipeline import SOURCES, RefreshOutcome
    from ossimpact.pipeline import collect as run_collect

    for name in source or []:
        if name not in SOURCES:
            err_console.print(
                f"[red]unknown source {escape(repr(name))}[/] (known: {', '.join(SOURCES)})"
            )
            raise typer.Exit(EXIT_USAGE)
    from ossimpact.pipeline import open_configured_store
    from ossimpact.refresh_lock import RefreshBusy, default_holder, refresh_guard

    settings = _settings()
    registry = _checked_inputs(settings)
    store = open_configured_store(settings)
    stop = _stop_on_signals()
    try:
        # The refresh's lock: two collects (or a collect and a refresh) of one source would
        # otherwise interleave their runs and requests.
        with (
            refresh_guard(
                store,
                holder=default_holder("collect"),
                wait=False,
                ttl_seconds=settings.refresh_lock_ttl_seconds,
                stop_when_lost=stop,
            ),
            RichPipelineProgress(console) as progress,
        ):
            outcomes = run_collect(
                settings,
                source or None,
                store=store,
                registry=registry,
                progress=progress,
                stop=stop,
            )
    except RefreshBusy as exc:
        err_console.print(f"[yellow]{escape(str(exc))}[/]")
        raise typer.Exit(EXIT_FAILURE) from exc
    _print_outcomes(list(outcomes))
    raise typer.Exit(RefreshOutcome(sources=outcomes).exit_code)


def _checked_inputs(settings: Settings, methodology: Path | None = None) -> Registry:
    """The registry, with the methodology checked too, before any work starts: a bad file
    fails here in one message (exit 2), not after every source has been collected."""
    from ossimpact.registry import load_registry
    from scoring import load_methodology

    load_methodology(methodology or settings.methodology_path)
    return load_registry(settings.registry_path)


@app.command()
def score(
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Score with observations up to this date")
    ] = None,
    methodology: Annotated[
        Path | None, typer.Option("--methodology", help="Methodology YAML")
    ] = None,
    top: Annotated[int, typer.Option("--top", help="Products to print per category")] = 5,
) -> None:
    """Score the products (at an as-of date) and record the scoring run."""
    from ossimpact.pipeline import open_configured_store
    from ossimpact.registry import load_registry
    from ossimpact.scoring_service import run_scoring
    from scoring import MethodologyError, load_methodology

    settings = _settings()
    try:
        method = load_methodology(methodology or settings.methodology_path)
    except MethodologyError as exc:
        err_console.print(f"[red]methodology error:[/] {escape(str(exc))}")
        raise typer.Exit(EXIT_USAGE) from exc
    day = _as_of(as_of)
    purpose = "official" if day is None else "as_of"
    if methodology is not None and method.content_hash != _configured_hash(settings):
        purpose = "trial"  # another methodology: kept and labelled, never the default ranking
    registry = load_registry(settings.registry_path)
    store = open_configured_store(settings)
    scoring_run_id, result = run_scoring(store, registry, method, day, purpose=purpose)
    label = {
        "official": "the official ranking from now on",
        "as_of": f"backdated to {as_of}; not the official ranking (export --as-of {as_of})",
        "trial": f"a trial, not the official ranking (export --scoring-run {scoring_run_id})",
    }[purpose]
    console.print(
        f"scoring run {scoring_run_id}: methodology {escape(result.methodology_version)} "
        f"({method.content_hash[:12]}), {label}"
    )
    _print_top(result.rows, top)


def _configured_hash(settings: Settings) -> str | None:
    from scoring import MethodologyError, load_methodology

    try:
        return load_methodology(settings.methodology_path).content_hash
    except MethodologyError:
        return None


def _print_top(rows: Sequence[ScoreRow], top: int) -> None:
    from ossimpact.domain import CATEGORIES

    for category in CATEGORIES:
        table = Table(
            "rank",
            "interval",
            "product",
            "score",
            "coverage",
            "flags",
            title=f"top {top}: {category}",
        )
        shown = [r for r in rows if r.category == category][:top]
        for row in shown:
            table.add_row(
                str(row.rank),
                f"{row.rank_low}–{row.rank_high}",
                row.product_id,
                f"{row.total:.3f}",
                f"{row.coverage:.0%}",
                ";".join(sorted({flag.kind for flag in row.flags})),
            )
        console.print(table)


def _stop_on_signals() -> threading.Event:
    """SIGTERM/SIGINT set an event the pipeline checks between artifacts."""
    import signal

    stop = threading.Event()

    def handler(signum: int, frame: object) -> None:
        if stop.is_set():  # a second Ctrl-C: leave now
            raise KeyboardInterrupt
        err_console.print("[yellow]stopping after the current artifact…[/]")
        stop.set()

    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, handler)
        signal.signal(signal.SIGINT, handler)
    return stop


@app.command()
def refresh(
    source: Annotated[
        list[str] | None, typer.Option("--source", "-s", help="Limit to these sources")
    ] = None,
    wait: Annotated[
        bool, typer.Option("--wait/--no-wait", help="Wait for a running refresh instead of exiting")
    ] = False,
) -> None:
    """Collect all sources, then score: the same code path the scheduler runs."""
    from ossimpact.pipeline import refresh as run_refresh
    from ossimpact.refresh_lock import RefreshBusy

    settings = _settings()
    _checked_inputs(settings)
    _print_refresh_estimate(settings, source or None)
    stop = _stop_on_signals()
    try:
        with RichPipelineProgress(console) as progress:
            outcome = run_refresh(
                settings, sources=source or None, progress=progress, stop=stop, wait_for_lock=wait
            )
    except RefreshBusy as exc:
        err_console.print(f"[yellow]{escape(str(exc))}[/]")
        raise typer.Exit(EXIT_FAILURE) from exc
    checked = [outcome.registry_check] if outcome.registry_check is not None else []
    _print_outcomes([*outcome.sources, *checked])
    if outcome.scoring_run_id is not None:
        console.print(f"scoring run {outcome.scoring_run_id} recorded")
    elif outcome.scoring_message:
        console.print(f"[yellow]{outcome.scoring_message}[/]")
    raise typer.Exit(outcome.exit_code)


def _print_refresh_estimate(settings: Settings, sources: list[str] | None) -> None:
    """What the refresh will cost, before it starts: requests per source and the least time the
    published limits allow (from each source's last run)."""
    from ossimpact.pipeline import SOURCES, open_configured_store, published_rates
    from ossimpact.refresh_budget import estimate_refresh

    try:
        store = open_configured_store(settings)
    except Exception:  # the refresh itself reports an unusable store, in its own words
        return
    try:
        platform_source = {
            "hf": "huggingface",
            "gh": "github",
            "ms": "modelscope",
            "od": "opendatalab",
        }
        tracked: dict[str, int] = {}
        for record in store.artifacts(tracked_only=True):
            name = platform_source.get(record.id.platform)
            if name is not None:
                tracked[name] = tracked.get(name, 0) + 1
        estimates = estimate_refresh(
            sources or list(SOURCES), store.runs(200), published_rates(settings), tracked
        )
    finally:
        store.close()
    console.print("[bold]Refresh estimate[/] (the platforms' published limits):")
    for estimate in estimates:
        console.print(f"  {estimate.line()}", highlight=False, markup=False)


@app.command()
def migrate() -> None:
    """Bring the database schema up to this version (the store also does it when it opens)."""
    from ossimpact.pipeline import open_configured_store
    from ossimpact.store.migrate import current_revision

    store = open_configured_store(_settings())
    console.print(f"database schema at revision {current_revision(store.engine)}")


@app.command()
def runs(
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, max=100_000)] = 20,
) -> None:
    """List recent runs with status, timing and what they spent."""
    from ossimpact.pipeline import open_configured_store

    store = open_configured_store(_settings())
    table = Table(
        "id",
        "kind",
        "source",
        "status",
        "started (UTC)",
        "duration",
        "requests",
        "waits",
        "paced",
        "failures",
        "note",
    )
    for run in store.runs(limit):
        duration = ""
        if run.finished_at is not None:
            duration = f"{(run.finished_at - run.started_at).total_seconds():.1f}s"
        table.add_row(
            str(run.id),
            run.kind,
            run.source or "",
            run.status,
            run.started_at.strftime("%Y-%m-%d %H:%M:%S"),
            duration,
            str(run.requests),
            str(run.rate_limit_waits),
            f"{run.paced_seconds:.0f}s",
            str(run.failure_count),
            run.stopped_reason or run.message or "",
        )
    console.print(table)


@app.command()
def export(
    output: Annotated[Path, typer.Option("--output", "-o", help="File to write")],
    category: Annotated[
        str, typer.Option("--category", help="model | corpus | community | all")
    ] = "all",
    top: Annotated[int | None, typer.Option("--top")] = None,
    as_of: Annotated[str | None, typer.Option("--as-of")] = None,
    shortlist: Annotated[str | None, typer.Option("--shortlist")] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv | parquet")] = "csv",
    what: Annotated[str, typer.Option("--what", help="scores | members | observations")] = "scores",
    scoring_run: Annotated[
        int | None,
        typer.Option("--scoring-run", min=1, help="This scoring run (e.g. a trial) by its id"),
    ] = None,
) -> None:
    """Export a ranking, a shortlist, its members or all observations (CSV or Parquet).

    `--what members`: one row per artifact each product of the ranking grouped.
    """
    from ossimpact.export import (
        ExportError,
        export_rows,
        members_rows,
        observations_frame,
        write_export,
    )
    from ossimpact.pipeline import open_configured_store

    if fmt not in ("csv", "parquet") or what not in ("scores", "members", "observations"):
        err_console.print(
            "[red]--format is csv or parquet; --what is scores, members or observations[/]"
        )
        raise typer.Exit(EXIT_USAGE)
    day = _as_of(as_of)
    store = open_configured_store(_settings())
    try:
        if what == "observations":
            frame = observations_frame(store, as_of=day.date() if day else None)
        elif what == "members":
            frame = members_rows(store, category=category, as_of=day.date() if day else None)
        else:
            frame = export_rows(
                store,
                category=category,
                top=top,
                as_of=day.date() if day else None,
                shortlist=shortlist,
                scoring_run=scoring_run,
            )
        write_export(frame, output, fmt)  # type: ignore[arg-type]
    except ExportError as exc:
        err_console.print(f"[red]export failed:[/] {escape(str(exc))}")
        raise typer.Exit(EXIT_USAGE) from exc
    console.print(f"wrote {len(frame)} rows to {output}")


@app.command()
def dashboard(
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8501,
    host: Annotated[str, typer.Option("--host")] = "127.0.0.1",
) -> None:
    """Serve the committee dashboard (Streamlit, headless)."""
    from dashboard.launch import launch

    settings = _settings()
    raise typer.Exit(launch(settings.database_url, port=port, host=host))


@app.command()
def schedule() -> None:
    """Run the scheduler daemon in the foreground (APScheduler; one refresh at a time)."""
    from ossimpact.schedule import ScheduleConfigError, load_schedule_settings, run_daemon

    try:
        settings = load_schedule_settings()
    except ScheduleConfigError as exc:
        err_console.print(f"[red]schedule configuration error:[/] {escape(str(exc))}")
        raise typer.Exit(EXIT_USAGE) from exc
    raise typer.Exit(run_daemon(settings))


@app.command()
def sandbox(
    size: Annotated[
        int, typer.Option("--size", help="Tracked artifacts in the synthetic world")
    ] = 600,
    seed: Annotated[int, typer.Option("--seed")] = 20251,
    latency: Annotated[
        float, typer.Option("--latency", help="Seconds added to every request")
    ] = 0.0,
) -> None:
    """Serve the fake Hugging Face, GitHub and OpenDigger servers until Ctrl-C."""
    from ossimpact.sandbox.runner import serve_forever
    from ossimpact.sandbox.world import WorldSpecError

    try:
        serve_forever(
            _settings().registry_path, size=size, seed=seed, latency=latency, console=console
        )
    except WorldSpecError as exc:
        err_console.print(f"[red]cannot build the synthetic world:[/] {exc} (try a larger --size)")
        raise typer.Exit(EXIT_USAGE) from exc


@app.command()
def demo(
    no_dashboard: Annotated[
        bool, typer.Option("--no-dashboard", help="Stop after printing a summary.")
    ] = False,
    size: Annotated[int, typer.Option("--size")] = 600,
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8501,
    data_dir: Annotated[Path, typer.Option("--data-dir")] = Path("data/demo"),
) -> None:
    """Sandbox → collect → score → dashboard on a fresh SQLite file (synthetic data, labelled)."""
    from ossimpact.demo import DemoRefused, run_demo
    from ossimpact.sandbox.world import WorldSpecError

    try:
        code = run_demo(
            data_dir=data_dir, size=size, dashboard=not no_dashboard, port=port, console=console
        )
    except DemoRefused as exc:
        err_console.print(f"[red]demo refused:[/] {escape(str(exc))}")
        raise typer.Exit(EXIT_USAGE) from exc
    except WorldSpecError as exc:
        err_console.print(f"[red]cannot build the synthetic world:[/] {exc} (try a larger --size)")
        raise typer.Exit(EXIT_USAGE) from exc
    raise typer.Exit(code)


def main() -> None:
    app()


if __name__ == "__main__":
    main()
