"""The live registry check on a terminal: a table per handle, one for products, fixes to make."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ossimpact.registry.live import LiveReport, check_live
from ossimpact.registry.model import Registry
from ossimpact.settings import Settings

_STATE_STYLE = {
    "found": "[green]artifacts found[/]",
    "empty": "[yellow]empty[/]",
    "not_found": "[red]not found[/]",
    "renamed": "[red]renamed[/]",
    "failed": "[red]no answer[/]",
}
_PRODUCT_STYLE = {
    "matches_nothing": "[red]matches nothing[/]",
    "partly": "[yellow]some patterns match nothing[/]",
}


def run_live_check(registry: Registry, settings: Settings, console: Console) -> LiveReport:
    """`check_live` with a running count on the terminal (one line, not one per handle)."""
    total = sum(len(o.huggingface) + len(o.github) for o in registry.organizations.values())
    done = 0
    with console.status(f"asking the platforms about {total} handles") as status:

        def advanced(_answer: object) -> None:
            nonlocal done
            done += 1
            status.update(f"asked about {done} of {total} handles")

        return check_live(registry, settings, on_answer=advanced)


def print_live_report(report: LiveReport, console: Console) -> None:
    handles = Table(
        "handle",
        "organisation",
        "answer",
        "artifacts",
        "fix",
        title="Handles on the platforms today",
    )
    for handle in sorted(report.handles, key=lambda f: (not f.is_problem, f.answer.handle)):
        answer = handle.answer
        state = _STATE_STYLE[answer.state]
        if answer.renamed_to:
            state += f" → {answer.platform}:{answer.renamed_to}"
        count = str(len(answer.artifacts)) + ("+" if answer.truncated else "")
        fix = handle.suggestion or ""
        if answer.state == "failed" and answer.detail:
            fix = f"{fix} ({answer.detail})"
        handles.add_row(answer.handle, handle.organization, state, count, fix)
    console.print(handles)
    troubled = [finding for finding in report.products if finding.is_problem]
    if troubled:
        products = Table("product", "answer", "patterns matching nothing", "fix", title="Products")
        for finding in troubled:
            products.add_row(
                finding.product,
                _PRODUCT_STYLE[finding.state],
                "\n".join(finding.dead_patterns),
                finding.suggestion or "",
            )
        console.print(products)
    # The fixes again, one unwrapped line each, to copy from a narrow terminal or a log.
    fixes = [f.suggestion for f in report.handles if f.is_problem and f.suggestion]
    fixes += [f.suggestion for f in troubled if f.suggestion]
    for fix in fixes:
        console.print(f"fix: {fix}", markup=False, highlight=False, soft_wrap=True)
    unknown = sum(finding.state == "unknown" for finding in report.products)
    summary = (
        f"{len(report.handles)} handles, {len(report.products)} products, "
        f"{report.stats.requests} requests"
    )
    if unknown:
        summary += f"; {unknown} products not judged (a handle gave no full answer)"
    if report.problems:
        console.print(f"[red]{report.problems} finding(s) to act on[/] ({summary})")
    else:
        console.print(f"[green]every handle and product answers[/] ({summary})")
