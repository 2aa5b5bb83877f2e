"""P3 — an unchanged second refresh: the share of GitHub REST GETs answered 304 Not Modified."""

from __future__ import annotations

from benchmarks.context import BenchContext
from benchmarks.results import Figure
from benchmarks.traffic import total

TARGET_SHARE = 0.80


def measure(ctx: BenchContext) -> list[Figure]:
    first = ctx.first_refresh()
    second = ctx.second_refresh()
    rest = total(second.traffic, servers=("github",), method="GET")
    not_modified = total(second.traffic, servers=("github",), method="GET", status=304)
    share = not_modified / rest if rest else None
    first_rest = total(first.traffic, servers=("github",), method="GET")
    details = {
        "second_rest_gets": rest,
        "second_304": not_modified,
        "second_graphql_posts": total(second.traffic, servers=("github",), method="POST"),
        "first_rest_gets": first_rest,
        "second_refresh_seconds": second.seconds,
        "second_hf_requests": total(second.traffic, servers=("huggingface",)),
    }
    return [
        Figure(
            "P3",
            "unchanged 2nd refresh: GitHub REST GETs answered 304",
            None if share is None else share * 100,
            "%",
            target=f"≥ {TARGET_SHARE * 100:.0f} %",
            met=share is not None and share >= TARGET_SHARE,
            baseline=0.0,
            higher_is_better=True,
            baseline_label="naive: PyGithub sends no If-None-Match",
            note=f"{not_modified} of {rest} REST GETs were 304 (they do not count against the "
            "rate limit); the second daily refresh took "
            f"{second.seconds:.1f} s",
            details=details,
        )
    ]
