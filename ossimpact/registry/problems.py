"""What a registry check reports: one problem per line and field, all of them at once."""

from __future__ import annotations

from ossimpact.guarded_yaml import FieldPath, RegistryProblem, field_name

__all__ = ["FieldPath", "RegistryError", "RegistryProblem", "field_name"]


class RegistryError(Exception):
    """The registry is not valid; `problems` lists everything that is wrong."""

    def __init__(self, problems: list[RegistryProblem]) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        header = f"the registry has {count} problem{'s' if count != 1 else ''}:"
        super().__init__("\n".join([header, *(str(problem) for problem in self.problems)]))
