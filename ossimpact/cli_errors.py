"""What the `ossimpact` command prints for the faults an operator causes or meets.

A bad database URL, a file of random bytes, an unreachable server, a schema from a newer version,
a read-only file, a bad registry or methodology file: one clear sentence on stderr and exit 2,
never a traceback. Every command runs inside this group, so a command need not catch them itself.
"""

from __future__ import annotations

from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy.exc import SQLAlchemyError
from typer._click.core import Context
from typer.core import TyperGroup

EXIT_USAGE = 2

err_console = Console(stderr=True, soft_wrap=True)  # paths and file:line stay whole


def fail(headline: str, detail: str = "") -> None:
    """Print `headline` (red) and `detail` (as it is: no markup read from it)."""
    err_console.print(f"[red]{escape(headline)}[/]", escape(detail), soft_wrap=True)


class OperatorErrors(TyperGroup):
    """Turns the expected faults of a command into one sentence and exit 2."""

    def invoke(self, ctx: Context) -> Any:
        from ossimpact.registry import RegistryError
        from ossimpact.store import StoreError
        from ossimpact.store.errors import database_fault
        from scoring import MethodologyError

        try:
            return super().invoke(ctx)
        except StoreError as error:
            fail("database error:", str(error))
        except (
            SQLAlchemyError
        ) as error:  # a fault after the store opened: a full disk, a lost server
            fail("database error:", database_fault(error))
        except RegistryError as error:
            fail("registry error:", str(error))
        except MethodologyError as error:
            fail("methodology error:", str(error))
        raise typer.Exit(EXIT_USAGE)
