"""The layers hold: collectors and scoring import nothing of ours but the leaves (`ossimpact.domain`,
the guarded YAML reader); only `ossimpact/settings.py` reads the environment; no source file
grows past 600 lines.

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


# Our packages: every rule below scans them all.
PACKAGES = ("ossimpact", "collectors", "scoring", "dashboard", "benchmarks")
# The os names that reach the environment: `os.environ` (and its bytes twin), `os.getenv`.
_ENV_NAMES = frozenset({"environ", "environb", "getenv", "getenvb"})


def environment_reads(root: Path = ROOT) -> list[str]:
    """Places outside `ossimpact/settings.py` that touch the environment: `os.environ` in any form
    (`.get`, `[...]`, `in`, `.copy()`, `dict(...)`), `os.getenv`, and the same names imported
    from `os` (`environ.get`, `getenv`), under any alias. Handing the whole environment to a
    child process is no read: inside an `env=` argument, or unpacked into a new mapping
    (`{**os.environ, ...}`) for one. A WSGI `environ` parameter is not `os.environ`."""
    found = []
    for layer in PACKAGES:
        for path in sorted((root / layer).rglob("*.py")):
            if path == root / "ossimpact" / "settings.py":
                continue
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            found.extend(f"{path.relative_to(root).as_posix()}:{line}" for line in _reads(tree))
    return found


def _reads(tree: ast.AST) -> list[int]:
    os_names, env_names = {"os"}, set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            os_names |= {a.asname or a.name for a in node.names if a.name == "os"}
        elif isinstance(node, ast.ImportFrom) and node.module == "os" and not node.level:
            env_names |= {a.asname or a.name for a in node.names if a.name in _ENV_NAMES}
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    lines = []
    for node in ast.walk(tree):
        touches = (
            isinstance(node, ast.Attribute)
            and node.attr in _ENV_NAMES
            and isinstance(node.value, ast.Name)
            and node.value.id in os_names
        ) or (isinstance(node, ast.Name) and node.id in env_names)
        if touches and not _handed_to_a_child(node, parents):
            lines.append(node.lineno)
    return sorted(set(lines))


def _handed_to_a_child(node: ast.AST, parents: dict[ast.AST, ast.AST]) -> bool:
    parent = parents.get(node)
    if isinstance(parent, ast.Dict) and any(
        key is None and value is node for key, value in zip(parent.keys, parent.values, strict=True)
    ):
        return True  # {**os.environ, ...}: a copy of the whole environment for a child
    while parent is not None:
        if isinstance(parent, ast.keyword) and parent.arg == "env":
            return True
        parent = parents.get(parent)
    return False


def test_only_the_settings_read_the_environment() -> None:
    assert environment_reads() == []


def test_an_environment_read_elsewhere_is_found(tmp_path: Path) -> None:
    (tmp_path / "dashboard").mkdir()
    (tmp_path / "dashboard" / "page.py").write_text(
        "import os\nurl = os.environ.get('X')\nport = os.getenv('Y')\nchild = {**os.environ}\n",
        encoding="utf-8",
    )
    (tmp_path / "benchmarks").mkdir()
    (tmp_path / "benchmarks" / "run.py").write_text(
        "import os as system\n"
        "import subprocess\n"
        "from os import environ, getenv as read\n"
        "a = environ.get('A')\n"
        "b = read('B')\n"
        "c = 'C' in system.environ\n"
        "d = dict(system.environ)\n"
        "e = system.environ['E']\n"
        "subprocess.run(['x'], env={**environ, 'F': '1'}, check=True)\n"
        "subprocess.run(['x'], env=system.environ.copy(), check=True)\n",
        encoding="utf-8",
    )
    assert environment_reads(tmp_path) == [
        "dashboard/page.py:2",
        "dashboard/page.py:3",
        "benchmarks/run.py:4",
        "benchmarks/run.py:5",
        "benchmarks/run.py:6",
        "benchmarks/run.py:7",
        "benchmarks/run.py:8",
    ]


def test_a_wsgi_environ_is_not_the_environment(tmp_path: Path) -> None:
    (tmp_path / "ossimpact").mkdir()
    (tmp_path / "ossimpact" / "fake.py").write_text(
        "def app(environ, start_response):\n    return environ.get('PATH_INFO')\n",
        encoding="utf-8",
    )
    assert environment_reads(tmp_path) == []


# How long a source file may grow; the generated migrations and the synthetic world (one seeded
# generator, read top to bottom) are exempt.
MAX_LINES = 600
LONG_ALLOWED = ("ossimpact/store/migrations/", "ossimpact/sandbox/world.py")


def long_files(root: Path = ROOT) -> list[str]:
    """Source files of our packages longer than MAX_LINES, each with its length."""
    found = []
    for layer in PACKAGES:
        for path in sorted((root / layer).rglob("*.py")):
            name = path.relative_to(root).as_posix()
            if any(name == allowed or name.startswith(allowed) for allowed in LONG_ALLOWED):
                continue
            length = len(path.read_text(encoding="utf-8").splitlines())
            if length > MAX_LINES:
                found.append(f"{name}: {length} lines (at most {MAX_LINES})")
    return found


def test_no_source_file_is_longer_than_600_lines() -> None:
    assert long_files() == []


def test_a_long_file_is_found(tmp_path: Path) -> None:
    for name, length in [
        ("scoring/long.py", MAX_LINES + 1),
        ("scoring/full.py", MAX_LINES),
        ("ossimpact/sandbox/world.py", 2 * MAX_LINES),
        ("ossimpact/store/migrations/versions/0001_start.py", 2 * MAX_LINES),
        ("ossimpact/store/store.py", 2 * MAX_LINES),
    ]:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x = 1\n" * length, encoding="utf-8")
    assert long_files(tmp_path) == [
        "ossimpact/store/store.py: 1200 lines (at most 600)",
        "scoring/long.py: 601 lines (at most 600)",
    ]
