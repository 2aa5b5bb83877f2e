"""Secrets never leak; platform text stays inert.

One refresh against the sandbox (with faults, so error paths run) with distinctive token values,
then exports and `ossimpact config`, then the dashboard's pages behind its password. Every log
record (DEBUG and up), CLI output, file written, table row and dashboard element is scanned for
the tokens. The same refresh carries hostile repository descriptions (script tags, a spreadsheet
formula, 1 MB of text) from the fake GitHub through the store, the CSV export and the dashboard.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text
from streamlit.testing.v1 import AppTest
from typer.testing import CliRunner

from dashboard.i18n import catalogue
from ossimpact.cli import app
from ossimpact.sandbox.faults import Fault, FaultPlan
from ossimpact.sandbox.github import make_github_app
from ossimpact.sandbox.http import FakeServer
from ossimpact.sandbox.model import World
from ossimpact.sandbox.runner import Sandbox, start_sandbox
from ossimpact.sandbox.world import generate_world
from ossimpact.store import open_store
from ossimpact.store.types import MAX_DESCRIPTION
from tests.fixtures.sandbox import (
    SMALL_GH_HANDLES,
    SMALL_HF_HANDLES,
    SMALL_PRODUCT_PATTERNS,
    SMALL_WORLD_SEED,
)
from tests.support.refresh_env import write_registry

GITHUB_TOKEN = "ghp_SECRET_TOKEN_VALUE_123"
HF_TOKEN = "hf_SECRET_TOKEN_VALUE_456"
DASHBOARD_PASSWORD = "pw_SECRET_DASHBOARD_789"
OIDC_SECRET = "oidc_SECRET_CLIENT_000"
SECRETS = (GITHUB_TOKEN, HF_TOKEN, DASHBOARD_PASSWORD, OIDC_SECRET)
# Also a token cut short or masked in the middle would show its distinctive core.
CORES = ("SECRET_TOKEN_VALUE", "SECRET_DASHBOARD", "SECRET_CLIENT")

SCRIPT = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://x")'
HUGE = "A" * 1_000_000

PAGES = (
    "sections/overview.py",
    "sections/leaderboard.py",
    "sections/product.py",
    "sections/compare.py",
    "sections/what_if.py",
    "sections/shortlist.py",
    "sections/methodology.py",
    "sections/data_health.py",
)


@dataclass
class Outputs:
    directory: Path
    url: str
    hostile_repos: dict[str, str]
    texts: dict[str, str] = field(default_factory=dict)  # what → captured text


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


def _world() -> World:
    return generate_world(
        SMALL_WORLD_SEED,
        40,
        hf_handles=SMALL_HF_HANDLES,
        gh_handles=SMALL_GH_HANDLES,
        product_patterns=SMALL_PRODUCT_PATTERNS,
    )


def _sandbox(world: World, hostile: dict[str, str]) -> Sandbox:
    """The sandbox, its GitHub serving hostile descriptions, with faults on Hub and GitHub."""
    hub_plan = FaultPlan()
    hub_plan.add(Fault("server_error", path_pattern=r"/api/models", times=2, status=503))
    hub_plan.add(Fault("not_found", path_pattern=r"/api/datasets/.*/leaderboard", times=3))
    sandbox = start_sandbox(
        world, plans={"huggingface": hub_plan}, only=("huggingface", "opendigger", "opencompass")
    )
    github_plan = FaultPlan()
    github_plan.add(Fault("server_error", path_pattern=r"/graphql", times=1, status=502))
    github_plan.add(Fault("rate_limit", path_pattern=r"/contributors", times=2, retry_after=1))
    tamper = {repo: {"description": text} for repo, text in hostile.items()}

    def factory(base_url: str) -> Any:
        return make_github_app(world, base_url, tamper=tamper)

    sandbox.servers["github"] = FakeServer(factory, github_plan, name="github").start()
    return sandbox


def _registry(directory: Path, hostile_repo: str) -> Path:
    path = write_registry(directory)
    # A product whose name a spreadsheet would run, over the repository with the script tag.
    text_ = path.read_text(encoding="utf-8").replace(
        "products: []",
        "products:\n"
        "  - id: hostile-product\n"
        f"    name: '{FORMULA}'\n"
        "    category: community\n"
        "    organization: shanghai-test\n"
        f"    include: ['gh:{hostile_repo}']\n",
    )
    path.write_text(text_, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def outputs(tmp_path_factory: pytest.TempPathFactory) -> Outputs:
    directory = tmp_path_factory.mktemp("secrets")
    world = _world()
    readable = sorted(world.repos)
    hostile = {readable[0]: f"{SCRIPT} {FORMULA}", readable[1]: HUGE}
    sandbox = _sandbox(world, hostile)
    url = f"sqlite:///{directory / 'ossimpact.db'}"
    env = {
        **{key: value for key, value in sandbox.environment().items() if "TOKEN" not in key},
        "GITHUB_TOKEN": GITHUB_TOKEN,
        "HF_TOKEN": HF_TOKEN,
        "OSSIMPACT_DASHBOARD_PASSWORD": DASHBOARD_PASSWORD,
        "OSSIMPACT_DATABASE_URL": url,
        "OSSIMPACT_DATA_DIR": str(directory / "data"),
        "OSSIMPACT_REGISTRY": str(_registry(directory, readable[0])),
        "OSSIMPACT_MAX_RATE_LIMIT_WAIT": "5",
        "HF_HOME": str(directory / "hf-home"),
    }
    capture = _Capture()
    capture.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s"))
    root = logging.getLogger()
    previous = root.level
    root.addHandler(capture)
    root.setLevel(logging.DEBUG)
    result = Outputs(directory, url, hostile)
    runner = CliRunner()
    try:
        with pytest.MonkeyPatch.context() as patch:
            for key, value in env.items():
                patch.setenv(key, value)
            commands = {
                "refresh": ["refresh"],
                "export csv": ["export", "-o", str(directory / "scores.csv")],
                "export parquet": [
                    "export",
                    "-o",
                    str(directory / "scores.parquet"),
                    "--format",
                    "parquet",
                ],
                "export observations": [
                    "export",
                    "-o",
                    str(directory / "observations.csv"),
                    "--what",
                    "observations",
                ],
                "config": ["config"],
                "runs": ["runs"],
            }
            for name, arguments in commands.items():
                done = runner.invoke(app, arguments)
                result.texts[f"cli {name}"] = done.output + repr(done.exception or "")
                assert done.exit_code in (0, 3), (name, done.output, done.exception)
            result.texts["dashboard"] = _dashboard_texts()
    finally:
        root.removeHandler(capture)
        root.setLevel(previous)
        sandbox.stop()
    result.texts["logs"] = "\n".join(capture.lines)
    return result


def _element_texts(at: AppTest) -> list[str]:
    texts: list[str] = []
    for kind in ("title", "header", "subheader", "markdown", "text", "caption", "code", "json"):
        texts += [str(element.value) for element in getattr(at, kind)]
    for kind in ("warning", "info", "error", "success", "exception"):
        texts += [str(element.value) for element in getattr(at, kind)]
    texts += [str(metric.value) + str(metric.label) for metric in at.metric]
    texts += [frame.value.to_csv() for frame in at.dataframe]
    texts += [str(widget.value) for widget in at.text_input]
    return texts


def _dashboard_texts() -> str:
    """Log in with the password and render every page; all element texts, joined."""
    # OIDC configured: the login page must not echo the client secret.
    oidc = AppTest.from_file("../dashboard/app.py", default_timeout=60)
    oidc.secrets["auth"] = {
        "redirect_uri": "http://127.0.0.1:8501/oauth2callback",
        "cookie_secret": OIDC_SECRET,
        "client_id": "ossimpact",
        "client_secret": OIDC_SECRET,
        "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
    }
    oidc.run()
    seen = _element_texts(oidc)
    at = AppTest.from_file("../dashboard/app.py", default_timeout=60)
    at.run()
    seen += _element_texts(at)
    at.text_input(key="auth_password").input(DASHBOARD_PASSWORD)
    at.button[0].click().run()
    assert not at.exception, at.exception
    for page in PAGES:
        at.switch_page(page).run()
        assert not at.exception, (page, at.exception)
        seen += _element_texts(at)
    at.switch_page("sections/product.py")
    at.session_state["product"] = "hostile-product"
    at.run()
    seen += _element_texts(at)
    # The artifacts and their descriptions are in their own tab, built only when it is open.
    at.session_state["product_tab_zh"] = catalogue("zh")["product.tab_artifacts"]
    at.run()
    seen += _element_texts(at)
    hostile_markdown = [m.value for m in at.markdown if "<script" in m.value.lower()]
    seen.append(f"HOSTILE-MARKDOWN:{len(hostile_markdown)}")
    return "\n".join(seen)


def _table_dump(url: str) -> str:
    engine = create_engine(url)
    try:
        lines: list[str] = []
        with engine.connect() as connection:
            for table in inspect(connection).get_table_names():
                for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                    lines.append(f"{table}: {tuple(row)!r}")
        return "\n".join(lines)
    finally:
        engine.dispose()


def _assert_no_secret(where: str, content: str | bytes) -> None:
    raw = content if isinstance(content, bytes) else content.encode("utf-8", "replace")
    for secret in SECRETS + CORES:
        assert secret.encode() not in raw, f"{secret!r} found in {where}"


def test_tokens_never_appear_in_logs_outputs_files_tables_or_dashboard(outputs: Outputs) -> None:
    assert outputs.texts["logs"], "nothing was logged: the scan would prove nothing"
    for where, content in outputs.texts.items():
        _assert_no_secret(where, content)
    files = [path for path in outputs.directory.rglob("*") if path.is_file()]
    assert any(path.suffix == ".parquet" for path in files)
    for path in files:
        _assert_no_secret(str(path), path.read_bytes())
    dump = _table_dump(outputs.url)
    assert "runs:" in dump
    assert "run_failures:" in dump, "the faults produced no failure: error paths not exercised"
    _assert_no_secret("the database tables", dump)


def test_hostile_description_is_stored_length_limited(outputs: Outputs) -> None:
    store = open_store(outputs.url, read_only=True)
    try:
        records = {str(record.id): record for record in store.artifacts()}
    finally:
        store.close()
    scripted, huge = sorted(
        outputs.hostile_repos, key=lambda repo: len(outputs.hostile_repos[repo])
    )
    assert records[f"gh:{scripted}"].description == f"{SCRIPT} {FORMULA}"
    stored = records[f"gh:{huge}"].description
    assert stored is not None
    assert 0 < len(stored) <= MAX_DESCRIPTION


def test_formula_is_neutralised_in_the_csv_export(outputs: Outputs) -> None:
    csv = (outputs.directory / "scores.csv").read_text(encoding="utf-8-sig")
    assert FORMULA.replace('"', '""') in csv, "the hostile product is not in the export"
    for line in csv.splitlines():
        for cell in line.split(","):
            assert not cell.strip('"').startswith("=HYPERLINK"), line


def test_dashboard_renders_no_platform_text_as_markdown(outputs: Outputs) -> None:
    assert "HOSTILE-MARKDOWN:0" in outputs.texts["dashboard"]
    assert SCRIPT in outputs.texts["dashboard"], "the hostile description was not on the page"
