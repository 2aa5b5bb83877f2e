"""Check and load a registry file: YAML → shape → cross-entry rules, every problem at once."""

from __future__ import annotations

from pathlib import Path

from ossimpact.guarded_yaml import read_yaml
from ossimpact.registry.model import Registry
from ossimpact.registry.problems import RegistryError, RegistryProblem
from ossimpact.registry.rules import check_rules
from ossimpact.registry.schema import read_entries


def _check(path: Path) -> tuple[Registry | None, list[RegistryProblem]]:
    file = str(path)
    source = read_yaml(path)
    if source.document is None:
        return None, sorted(source.problems)
    entries, problems = read_entries(source.document, file, source.unreadable)
    checked = check_rules(entries, source.document, file)
    problems = sorted({*source.problems, *problems, *checked.problems})
    if problems:
        return None, problems
    registry = Registry(
        checked.organizations,
        checked.products,
        checked.excluded,
        path,
        checked.product_options,
    )
    return registry, []


def check_registry(path: Path) -> list[RegistryProblem]:
    """Every problem in a registry file, sorted by line; empty when it is valid. Never raises
    for bad content (a missing or unreadable file is a problem too)."""
    return _check(path)[1]


def load_registry(path: Path) -> Registry:
    """The registry in `path`; raises RegistryError listing every problem."""
    registry, problems = _check(path)
    if registry is None:
        raise RegistryError(problems)
    return registry
