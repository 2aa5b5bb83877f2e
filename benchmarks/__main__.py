"""`python -m benchmarks` (or `make bench`): build a sandbox world, run each measurement, print a
table and write it as JSON. `--quick` runs small sizes (the smoke test)."""

from __future__ import annotations

import argparse
import logging
import sys
import time
import traceback
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from rich.console import Console

from benchmarks import (
    conditional,
    dashboard_speed,
    paced_refresh,
    refresh_time,
    requests_per_artifact,
    scoring_speed,
    storage,
)
from benchmarks.context import BenchContext, Options
from benchmarks.results import Figure, render_table, write_json

Measurement = Callable[[BenchContext], list[Figure]]
MEASUREMENTS: dict[str, Measurement] = {
    "P1": requests_per_artifact.measure,
    "P2": refresh_time.measure,
    # P2 under the published limits, enforced by the fake servers on a shrunk clock
    "P2L": paced_refresh.measure,
    "P3": conditional.measure,
    "P4": scoring_speed.measure,
    "P5": dashboard_speed.measure,
    "P6": storage.measure,
}
QUICK_SIZE = 300
QUICK_LATENCY = 0.0


def _targets(text: str) -> list[str]:
    chosen = [part.strip().upper() for part in text.split(",") if part.strip()]
    unknown = [name for name in chosen if name not in MEASUREMENTS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(
            f"unknown measurement(s) {', '.join(unknown) or repr(text)}; "
            f"choose from {', '.join(MEASUREMENTS)}"
        )
    return chosen


def _positive_int(text: str) -> int:
    try:
        value = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 40:
        raise argparse.ArgumentTypeError("the world needs at least 40 artifacts")
    return value


def _latency(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 <= value <= 5:
        raise argparse.ArgumentTypeError("latency must be between 0 and 5 seconds")
    return value


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    p.add_argument("--size", type=_positive_int, default=None, help="world size (default 10,000)")
    p.add_argument(
        "--latency", type=_latency, default=None, help="seconds per request (default 0.05)"
    )
    p.add_argument("--only", type=_targets, default=list(MEASUREMENTS), help="e.g. P1,P3")
    p.add_argument("--output", type=Path, default=None, help="JSON file (default results/<stamp>)")
    p.add_argument("--quick", action="store_true", help="small sizes: the smoke test")
    p.add_argument("--naive-sample", type=int, default=None, help="artifacts the naive loop reads")
    return p


def _write(
    output: Path,
    figures: list[Figure],
    options: Options,
    only: list[str],
    ctx: BenchContext,
    started: datetime,
) -> None:
    options_json = {
        "size": options.size,
        "latency": options.latency,
        "quick": options.quick,
        "naive_sample": options.naive_sample,
        "only": only,
        "world_seconds": ctx.world_seconds,
    }
    write_json(output, figures, options_json, started.isoformat(), datetime.now(UTC).isoformat())


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    console = Console(width=160) if not sys.stdout.isatty() else Console()
    logging.basicConfig(level=logging.WARNING)
    for noisy in ("httpx", "httpcore", "huggingface_hub", "github", "alembic"):
        logging.getLogger(noisy).setLevel(logging.ERROR)
    options = Options(
        size=args.size or (QUICK_SIZE if args.quick else 10_000),
        latency=args.latency
        if args.latency is not None
        else (QUICK_LATENCY if args.quick else 0.05),
        quick=args.quick,
        naive_sample=args.naive_sample or (20 if args.quick else 300),
    )
    started = datetime.now(UTC)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    output = args.output or Path(__file__).resolve().parent / "results" / f"{stamp}.json"
    console.print(
        f"[bold]ossimpact benchmarks[/] size {options.size:,}, latency {options.latency * 1000:.0f} ms, "
        f"measurements {','.join(args.only)}"
    )
    figures: list[Figure] = []
    failed = False
    ctx = BenchContext(options)
    try:
        for name in args.only:
            began = time.perf_counter()
            console.print(f"[cyan]{name}[/] …")
            try:
                got = MEASUREMENTS[name](ctx)
            except Exception as exc:  # one broken measurement must not hide the others
                failed = True
                logging.getLogger(__name__).debug("%s", traceback.format_exc())
                got = [Figure(name, "failed", None, "", note=f"{type(exc).__name__}: {exc}")]
            figures.extend(got)
            console.print(f"[cyan]{name}[/] done in {time.perf_counter() - began:.1f} s")
            # written after every measurement: a long run that is stopped keeps what it measured
            _write(output, figures, options, args.only, ctx, started)
    finally:
        ctx.close()
    render_table(figures, console)
    _write(output, figures, options, args.only, ctx, started)
    console.print(f"written {output}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
