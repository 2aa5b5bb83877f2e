"""Operator faults, as a table: each one gets one clear line and exit 2, and nothing is touched.

Database faults (URL garbage, an unknown dialect, an unreachable server, random bytes, a directory,
a schema from a newer version, an immutable file, a data directory that is a file), arguments that
crashed (`score --as-of 9999-12-31`, `runs --limit 1e20`, `dashboard --port 70000`), and bad
registry or methodology files given to `collect`, `refresh` and `score` (which used to crash, or
collect every source before crashing on the methodology).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from ossimpact.cli import app
from ossimpact.store import open_store
from scoring.methodology import DEFAULT_PATH

runner = CliRunner()
SECRET = "s3cret-password"


def _run(args: list[str], env: dict[str, str]) -> tuple[int, str]:
    result = runner.invoke(app, args, env=env)
    return result.exit_code, result.output + (result.stderr if result.stderr_bytes else "")


def _assert_one_clear_line(code: int, output: str, expected: str) -> None:
    assert code == 2, output
    assert "Traceback" not in output
    assert SECRET not in output
    assert expected in " ".join(output.split()), output


def _random_bytes(tmp: Path) -> str:
    (tmp / "random.db").write_bytes(bytes(range(256)) * 16)
    return f"sqlite:///{tmp / 'random.db'}"


def _directory(tmp: Path) -> str:
    (tmp / "dir.db").mkdir()
    return f"sqlite:///{tmp / 'dir.db'}"


def _newer_schema(tmp: Path) -> str:
    url = f"sqlite:///{tmp / 'newer.db'}"
    store = open_store(url)
    with store.engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = '9999'")
    store.close()
    return url


DATABASE_FAULTS = [
    ("url garbage", lambda tmp: "not a url at all", "not a database URL"),
    ("unknown dialect", lambda tmp: "mysql://u:" + SECRET + "@h/d", "unsupported database"),
    (
        "unreachable postgres",
        lambda tmp: f"postgresql+psycopg://u:{SECRET}@127.0.0.1:1/x",
        "cannot open the database postgresql+psycopg://u:***@127.0.0.1:1/x",
    ),
    ("random bytes", _random_bytes, "file is not a database"),
    ("a directory", _directory, "unable to open database file"),
    ("newer schema", _newer_schema, "revision 9999, which this code does not know"),
]


@pytest.mark.parametrize(
    ("make_url", "expected"),
    [(make, expected) for _, make, expected in DATABASE_FAULTS],
    ids=[name for name, _, _ in DATABASE_FAULTS],
)
@pytest.mark.parametrize("command", [["runs"], ["export", "-o", "out.csv"], ["migrate"]])
def test_database_faults_are_one_line_exit_2(
    tmp_path: Path, make_url: object, expected: str, command: list[str]
) -> None:
    assert callable(make_url)
    url = make_url(tmp_path)
    code, output = _run(command, {"OSSIMPACT_DATABASE_URL": url})
    _assert_one_clear_line(code, output, expected)


def test_an_immutable_database_file_is_one_line_exit_2(tmp_path: Path) -> None:
    database = tmp_path / "ossimpact.db"
    open_store(f"sqlite:///{database}").close()
    for leftover in tmp_path.glob("ossimpact.db-*"):
        leftover.unlink()
    made = subprocess.run(["chattr", "+i", str(database)], capture_output=True, check=False)
    if made.returncode != 0:
        pytest.skip("chattr +i is not possible here")
    try:
        # A newer schema needs a write: the migration must fail in one line.
        with_old = f"sqlite:///{database}"
        code, output = _run(["score"], {"OSSIMPACT_DATABASE_URL": with_old})
        assert code == 2, output
        assert "Traceback" not in output
        assert "database error" in output
    finally:
        subprocess.run(["chattr", "-i", str(database)], check=False)


def test_a_data_dir_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "data").write_text("not a directory")
    env = {"OSSIMPACT_DATA_DIR": str(tmp_path / "data"), "OSSIMPACT_DATABASE_URL": ""}
    code, output = _run(["runs"], env)
    _assert_one_clear_line(code, output, "(OSSIMPACT_DATA_DIR): it is a file")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["score", "--as-of", "9999-12-31"], "--as-of 9999-12-31 is in the future"),
        (["export", "-o", "x.csv", "--as-of", "9999-12-31"], "is in the future"),
        (["runs", "--limit", "99999999999999999999"], "--limit"),
        (["dashboard", "--port", "70000"], "--port"),
        (["export", "-o", "x.csv", "--scoring-run", "0"], "--scoring-run"),
    ],
)
def test_arguments_that_crashed_exit_2(tmp_path: Path, args: list[str], expected: str) -> None:
    env = {"OSSIMPACT_DATABASE_URL": f"sqlite:///{tmp_path / 'ossimpact.db'}"}
    code, output = _run(args, env)
    _assert_one_clear_line(code, output, expected)
    assert not (tmp_path / "x.csv").exists()


# -- bad methodology and registry files ----------------------------------------------------------


def _methodology(tmp: Path, text: str | bytes) -> Path:
    path = tmp / "methodology.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _default_with(**changes: object) -> str:
    data = yaml.safe_load(DEFAULT_PATH.read_text(encoding="utf-8"))
    for dotted, value in changes.items():
        *parents, leaf = dotted.split("__")
        target = data
        for part in parents:
            target = target[part]
        target[leaf] = value
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


ALIAS_BOMB = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)
)

BAD_METHODOLOGIES = [
    ("missing file", None, "cannot read the file"),
    ("alias bomb", ALIAS_BOMB, "alias bomb"),
    ("not utf-8", b"version: '1'\ntitle: \xff\xfe caf\xe9\n", "not UTF-8 text"),
    ("3000-deep nesting", "a: " + "[" * 3000 + "]" * 3000 + "\n", "nested more than"),
    (
        "5000-digit integer",
        _default_with(cohorts__leaders=424242).replace("424242", "9" * 5000),
        "cannot read value",
    ),
    ("huge integer", _default_with(cohorts__leaders=10**20), "must be at most"),
    ("nan", _default_with(intervals__concentration=float("nan")), "must be a finite number"),
    ("1e308", _default_with(intervals__download_noise=1e308), "must be at most"),
    ("negative days", _default_with(integrity__star_burst__baseline_days=-5), "negative"),
    ("negative bucket", _default_with(cohorts__age_bucket_days=[-1000, 0]), "negative"),
    ("nan trust", _default_with(trust_weights__verified=float("nan")), "finite"),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    [(text, expected) for _, text, expected in BAD_METHODOLOGIES],
    ids=[name for name, _, _ in BAD_METHODOLOGIES],
)
@pytest.mark.parametrize("command", ["score", "refresh", "collect"])
def test_bad_methodology_is_refused_before_any_work(
    tmp_path: Path, text: str | bytes | None, expected: str, command: str
) -> None:
    path = tmp_path / "absent.yaml" if text is None else _methodology(tmp_path, text)
    url = f"sqlite:///{tmp_path / 'ossimpact.db'}"
    env = {
        "OSSIMPACT_DATABASE_URL": url,
        "OSSIMPACT_METHODOLOGY": str(path),
        # Nothing listens here: had the command started collecting, it would record failed runs.
        "OSSIMPACT_HF_ENDPOINT": "http://127.0.0.1:9",
        "OSSIMPACT_GITHUB_API_URL": "http://127.0.0.1:9",
    }
    code, output = _run([command], env)
    _assert_one_clear_line(code, output, expected)
    assert f"{path.name}:" in " ".join(output.split())  # file:line
    assert not (tmp_path / "ossimpact.db").exists()  # nothing was started


def test_a_nan_is_reported_with_its_line_and_field(tmp_path: Path) -> None:
    path = _methodology(tmp_path, _default_with(intervals__concentration=float("nan")))
    line = next(
        i
        for i, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if "concentration" in text
    )
    code, output = _run(["score"], {"OSSIMPACT_METHODOLOGY": str(path)})
    assert code == 2
    assert f"methodology.yaml:{line}: intervals.concentration: must be a finite" in " ".join(
        output.split()
    )


@pytest.mark.parametrize("command", ["collect", "refresh", "score"])
def test_a_fifo_as_registry_does_not_hang(tmp_path: Path, command: str) -> None:
    fifo = tmp_path / "registry.yaml"
    os.mkfifo(fifo)
    env = {
        "OSSIMPACT_REGISTRY": str(fifo),
        "OSSIMPACT_DATABASE_URL": f"sqlite:///{tmp_path / 'ossimpact.db'}",
    }
    code, output = _run([command], env)
    _assert_one_clear_line(code, output, "not a regular file")


@pytest.mark.parametrize("command", ["collect", "refresh", "score"])
def test_a_missing_registry_is_one_line(tmp_path: Path, command: str) -> None:
    env = {
        "OSSIMPACT_REGISTRY": str(tmp_path / "absent.yaml"),
        "OSSIMPACT_DATABASE_URL": f"sqlite:///{tmp_path / 'ossimpact.db'}",
    }
    code, output = _run([command], env)
    _assert_one_clear_line(code, output, "cannot read the file")


def test_error_messages_carry_no_literal_markup(tmp_path: Path) -> None:
    path = _methodology(tmp_path, "version: [unclosed\n")
    code, output = _run(["score", "--methodology", str(path)], {})
    assert code == 2
    assert "[red]" not in output
    assert "[/]" not in output
    code, output = _run(
        ["export", "-o", str(tmp_path / "no" / "x.csv")],
        {"OSSIMPACT_DATABASE_URL": f"sqlite:///{tmp_path / 'ossimpact.db'}"},
    )
    assert code == 2
    assert "[red]" not in output


def test_migrate_is_the_command_the_store_error_names(tmp_path: Path) -> None:
    from ossimpact.store import StoreSchemaError

    url = f"sqlite:///{tmp_path / 'ossimpact.db'}"
    open_store(url, migrate=False).close()
    with pytest.raises(StoreSchemaError, match="ossimpact migrate"):
        open_store(url, read_only=True)
    code, output = _run(["migrate"], {"OSSIMPACT_DATABASE_URL": url})
    assert code == 0, output
    assert "database schema at revision" in output
    open_store(url, read_only=True).close()  # now current
