"""P2 — wall time of a refresh at the requested size and latency, beside the naive loop's.

The naive loop runs sequentially on a sample; its time is extrapolated to all tracked artifacts.
"""

from __future__ import annotations

from benchmarks.context import BenchContext
from benchmarks.results import Figure

TARGET_SECONDS = 60.0


def measure(ctx: BenchContext) -> list[Figure]:
    first = ctx.first_refresh()
    monthly = ctx.monthly_refresh()
    mainland = ctx.mainland_refresh()
    naive = ctx.naive()
    tracked = ctx.tracked()
    naive_estimate = naive.seconds_per_artifact * tracked
    statuses = {o.source: o.status for o in first.outcomes + monthly.outcomes + mainland.outcomes}
    details = {
        "tracked_artifacts": tracked,
        "world_artifacts": ctx.world().artifact_count,
        "latency_seconds": ctx.options.latency,
        "daily_seconds": first.seconds,
        "daily_cpu_seconds": first.cpu_seconds,
        "daily_sandbox_cpu_seconds": first.sandbox_cpu_seconds,
        "sandbox": "child process" if ctx.options.sandbox_process else "threads of this process",
        "opendigger_and_benchmarks_seconds": monthly.seconds,
        "modelscope_and_opendatalab_seconds": mainland.seconds,
        "source_status": statuses,
        "naive_sample": naive.artifacts,
        "naive_sample_seconds": naive.seconds,
    }
    scaled = ctx.options.size == 10_000 and ctx.options.latency == 0.05
    served = (
        f", fake servers {first.sandbox_cpu_seconds:.1f} s CPU in their own process"
        if first.sandbox_cpu_seconds is not None
        else ", fake servers in this process"
    )
    note = (
        f"world of ~{ctx.options.size} ({tracked} tracked artifacts), "
        f"{ctx.options.latency * 1000:.0f} ms per request; collectors {first.cpu_seconds:.1f} s "
        f"CPU{served}; naive extrapolated from {naive.artifacts} artifacts in {naive.seconds:.1f} s"
    )
    return [
        Figure(
            "P2",
            "daily refresh wall time (HF + GitHub)",
            first.seconds,
            "s",
            target=f"≤ {TARGET_SECONDS:.0f} s" + ("" if scaled else " (at 10,000 / 50 ms)"),
            met=first.seconds <= TARGET_SECONDS if scaled else None,
            baseline=naive_estimate,
            baseline_label="naive sequential, extrapolated",
            note=note,
            details=details,
        ),
        Figure(
            "P2",
            "mainland hubs wall time (ModelScope + OpenDataLab, daily)",
            mainland.seconds,
            "s",
            note="paced at 1 request a second, time-scaled ×600 in the sandbox",
        ),
        Figure(
            "P2",
            "all sources wall time (+ mainland hubs, OpenDigger, benchmarks)",
            first.seconds + mainland.seconds + monthly.seconds,
            "s",
            note="OpenDigger runs monthly and benchmarks weekly in the scheduler",
        ),
    ]
