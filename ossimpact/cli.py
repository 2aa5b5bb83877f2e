"""The `ossimpact` command: a thin layer over the functions the dashboard and scheduler call.

Exit codes: 0 ok, 1 other failure, 2 usage or configuration error, 3 finished with some artifacts
failed (recorded in the run).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from ossimpact.settings import load_settings

EXIT_OK = 0
EXIT_FAILURE = 1
EXIT_USAGE = 2
EXIT_PARTIAL = 3

app = typer.Typer(
    name="ossimpact",
    help="Evidence for Shanghai's open-source AI award: collect, score, export, show.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()
err_console = Console(stderr=True)


def _missing(capability: str) -> None:
    err_console.print(f"[yellow]not available yet:[/] {capability}")
    raise typer.Exit(EXIT_FAILURE)


@app.command()
def config() -> None:
    """Print the effective settings (tokens masked)."""
    table = Table("setting", "value", title="ossimpact settings")
    for key, value in load_settings().effective().items():
        table.add_row(key, value)
    console.print(table)


@app.command()
def demo(
    no_dashboard: Annotated[
        bool, typer.Option("--no-dashboard", help="Stop after printing a summary.")
    ] = False,
) -> None:
    """Sandbox → collect → score → dashboard on a fresh SQLite file."""
    _missing("the demo pipeline (foundation issue in progress)")


def main() -> None:
    app()


if __name__ == "__main__":
    main()
