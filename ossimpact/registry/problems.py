"""What a registry check reports: one problem per line and field, all of them at once."""

from __future__ import annotations

from dataclasses import dataclass

FieldPath = tuple[str | int, ...]


def field_name(path: FieldPath) -> str:
    """`("products", 3, "include", 1)` → `products[3].include[1]`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text


@dataclass(frozen=True, order=True)
class RegistryProblem:
    """One thing wrong in a registry file, with where it is (line numbers start at 1)."""

    file: str
    line: int
    field: str
    message: str

    def __str__(self) -> str:
        if self.field:
            return f"{self.file}:{self.line}: {self.field}: {self.message}"
        return f"{self.file}:{self.line}: {self.message}"


class RegistryError(Exception):
    """The registry is not valid; `problems` lists everything that is wrong."""

    def __init__(self, problems: list[RegistryProblem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        header = f"the registry has {count} problem{'s' if count != 1 else ''}:"
        super().__init__("\n".join([header, *(str(problem) for problem in self.problems)]))
