"""The layers hold: collectors and scoring import nothing of ours but the leaves (`ossimpact.domain`,
the guarded YAML reader).

Collectors turn platform answers into domain objects and scoring turns stored observations into
scores; neither may reach the settings, the store, the pipeline or the dashboard (nor each other),
so that each can be tested and replaced alone. Imports are read with `ast`, lazy ones included.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OURS = ("ossimpact", "collectors", "scoring", "dashboard", "benchmarks", "tests", "scripts")
# The leaves every layer may use: the domain's ids and records, and the guarded YAML reader of
# the project's own files (registry, methodology). Leaves import nothing of ours (tested below).
LEAVES = ("ossimpact.domain", "ossimpact.guarded_yaml")


def imported_modules(path: Path, root: Path) -> list[tuple[int, str]]:
    """Every module a file imports (absolute; relative imports resolved against its package)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.append((node.lineno, module))
    return found


def layer_breaks(layer: str, root: Path = ROOT) -> list[str]:
    breaks = []
    for path in sorted((root / layer).rglob("*.py")):
        for line, module in imported_modules(path, root):
            top = module.split(".")[0]
            if top not in OURS or top == layer:
                continue
            if any(module == leaf or module.startswith(leaf + ".") for leaf in LEAVES):
                continue
            breaks.append(f"{path.relative_to(root).as_posix()}:{line} imports {module}")
    return breaks


@pytest.mark.parametrize("layer", ["collectors", "scoring"])
def test_layer_imports_only_the_domain_of_ours(layer: str) -> None:
    assert layer_breaks(layer) == []


@pytest.mark.parametrize("leaf", LEAVES)
def test_a_leaf_imports_nothing_of_ours(leaf: str) -> None:
    path = ROOT / Path(*leaf.split(".")).with_suffix(".py")
    ours = [m for _, m in imported_modules(path, ROOT) if m.split(".")[0] in OURS]
    assert ours == []


def test_the_scan_sees_a_break(tmp_path: Path) -> None:
    # the check must be able to fail: imports of the settings and the store are reported,
    # a relative import that climbs out of the layer too; the domain and the layer itself are not
    (tmp_path / "collectors" / "sub").mkdir(parents=True)
    (tmp_path / "collectors" / "sub" / "probe.py").write_text(
        "from ossimpact.settings import Settings\n"
        "import ossimpact.store\n"
        "from ossimpact.domain import Metric\n"
        "from collectors.base import Progress\n"
        "from ...scoring import engine\n",
        encoding="utf-8",
    )
    assert layer_breaks("collectors", tmp_path) == [
        "collectors/sub/probe.py:1 imports ossimpact.settings",
        "collectors/sub/probe.py:2 imports ossimpact.store",
        "collectors/sub/probe.py:5 imports scoring",
    ]


def environment_reads(root: Path = ROOT) -> list[str]:
    """Places outside `ossimpact/settings.py` that read the environment (`os.environ.get`,
    `os.environ[...]`, `os.getenv`); handing the whole environment to a child process
    (`{**os.environ, ...}`) is no read."""
    found = []
    for layer in ("ossimpact", "collectors", "scoring", "dashboard"):
        for path in sorted((root / layer).rglob("*.py")):
            if path == root / "ossimpact" / "settings.py":
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for node in ast.walk(tree):
                read = (
                    isinstance(node, ast.Call)
                    and isinstance(node.func, ast.Attribute)
                    and (
                        (node.func.attr == "getenv" and _is_name(node.func.value, "os"))
                        or (node.func.attr == "get" and _is_environ(node.func.value))
                    )
                ) or (isinstance(node, ast.Subscript) and _is_environ(node.value))
                if read and isinstance(node, ast.Call | ast.Subscript):
                    found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def _is_name(node: ast.AST, name: str) -> bool:
    return isinstance(node, ast.Name) and node.id == name


def _is_environ(node: ast.AST) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "environ" and _is_name(node.value, "os")


def test_only_the_settings_read_the_environment() -> None:
    assert environment_reads() == []


def test_an_environment_read_elsewhere_is_found(tmp_path: Path) -> None:
    (tmp_path / "dashboard").mkdir()
    (tmp_path / "dashboard" / "page.py").write_text(
        "import os\nurl = os.environ.get('X')\nport = os.getenv('Y')\nchild = {**os.environ}\n",
        encoding="utf-8",
    )
    assert environment_reads(tmp_path) == ["dashboard/page.py:2", "dashboard/page.py:3"]


def test_the_pipeline_stays_small() -> None:
    """The refresh's spine stays readable: what grows on it moves to a module of its own."""
    lines = (ROOT / "ossimpact" / "pipeline.py").read_text(encoding="utf-8").count("\n")
    assert lines < 600, f"ossimpact/pipeline.py has {lines} lines; move a coherent part out"
