"""The one error an export raises: a message for the operator, exit code 2 at the CLI."""

from __future__ import annotations


class ExportError(Exception):
    """Bad export input (category, shortlist, date, output path): the message says which."""
