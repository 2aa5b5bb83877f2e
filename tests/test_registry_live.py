"""Live registry check against the fake Hub and fake GitHub: renamed, empty, unknown handles and
products whose patterns match nothing today; exit codes 0, 3 and 2 of `registry check --live`."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest
from typer.testing import CliRunner

from collectors.handles import probe_gh_handle
from collectors.http import HttpClient
from ossimpact.cli import app
from ossimpact.pipeline import RefreshOutcome, check_registry_handles, refresh
from ossimpact.registry import load_registry
from ossimpact.registry.live import LiveReport, check_live
from ossimpact.sandbox.faults import Fault
from ossimpact.sandbox.http import FakeServer
from ossimpact.sandbox.model import GhOrg, World
from ossimpact.settings import Settings
from ossimpact.store import open_store
from tests.fixtures.gh_sandbox import build_github_world
from tests.fixtures.hf_sandbox import RunningHub, hf_dataset, hf_model, hf_world
from tests.shared_dir import API_SAMPLES

runner = CliRunner()

HEALTHY = """\
organizations:
  - id: lab
    name: A Shanghai lab
    huggingface: [goodlab]
    github: [shlab0]
products:
  - id: goodnet
    name: GoodNet
    category: model
    organization: lab
    include: ["hf:model:goodlab/GoodNet-*", "gh:shlab0/project-000"]
"""

DRIFTED = """\
organizations:
  - id: lab
    name: A Shanghai lab
    huggingface: [goodlab, oldlab, quietlab, ghostlab]
    github: [shlab0, shlab-old, shlab-quiet, shlab-ghost]
products:
  - id: goodnet
    name: GoodNet
    category: model
    organization: lab
    include: ["hf:model:goodlab/GoodNet-*", "gh:shlab0/project-000"]
  - id: scope
    name: Scope
    category: model
    organization: lab
    include: ["hf:model:goodlab/Scope-*"]
  - id: moss
    name: MOSS
    category: model
    organization: lab
    include: ["hf:model:oldlab/moss-*", "gh:shlab0/project-001"]
"""


def _worlds() -> tuple[World, World]:
    hub = hf_world(
        [
            hf_model("goodlab/GoodNet-7B"),
            hf_model("goodlab/GoodNet-70B"),
            hf_model("newlab/moss-moon-003-sft"),
        ],
        [hf_dataset("goodlab/GoodData")],
        hf_authors=["goodlab", "newlab", "quietlab"],
        hf_renamed_authors={"oldlab": "newlab"},
    )
    github = build_github_world(orgs=2, repos_per_org=3, specials=False)
    github.orgs["shlab-quiet"] = GhOrg(
        login="shlab-quiet",
        id=99_001,
        name="A lab with nothing public",
        created_at=datetime(2024, 1, 1, tzinfo=UTC),
        followers=0,
        members=[],
    )
    github.gh_renamed_orgs = {"shlab-old": "shlab1"}
    return hub, github


@pytest.fixture
def platforms(
    hf_hub: Callable[..., RunningHub], serve_github: Callable[..., FakeServer], tmp_path: Path
) -> tuple[Settings, RunningHub, FakeServer]:
    hub_world, github_world = _worlds()
    hub = hf_hub(hub_world)
    github = serve_github(github_world)
    settings = Settings(
        hf_endpoint=hub.url,
        github_api_url=github.url,
        data_dir=tmp_path / "data",
        http_timeout_seconds=5.0,
    )
    return settings, hub, github


def _registry(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "registry.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def _check(settings: Settings, path: Path) -> LiveReport:
    return check_live(load_registry(path), settings)


def _states(report: LiveReport) -> dict[str, tuple[str, str | None]]:
    return {f.answer.handle: (f.answer.state, f.answer.renamed_to) for f in report.handles}


def test_drifted_handles_are_named_with_their_fixes(platforms, tmp_path):
    settings, _hub, _github = platforms
    report = _check(settings, _registry(tmp_path, DRIFTED))
    assert _states(report) == {
        "hf:goodlab": ("found", None),
        "hf:oldlab": ("renamed", "newlab"),  # the Hub's 307 to author=newlab
        "hf:quietlab": ("empty", None),
        "hf:ghostlab": ("not_found", None),
        "gh:shlab0": ("found", None),
        "gh:shlab-old": ("renamed", "shlab1"),  # GitHub's 301 to /organizations/ID
        "gh:shlab-quiet": ("empty", None),
        "gh:shlab-ghost": ("not_found", None),
    }
    fixes = {f.answer.handle: f.suggestion for f in report.handles}
    assert fixes["hf:oldlab"] == "replace hf:oldlab with hf:newlab"
    assert fixes["gh:shlab-old"] == "replace gh:shlab-old with gh:shlab1"
    assert fixes["hf:goodlab"] is None
    found = {f.answer.handle: f.answer for f in report.handles}
    assert {a.repo_id for a in found["hf:goodlab"].artifacts} == {
        "goodlab/GoodNet-7B",
        "goodlab/GoodNet-70B",
        "goodlab/GoodData",
    }
    products = {p.product: p for p in report.products}
    assert products["goodnet"].state == "matches"
    assert products["goodnet"].matched == 3
    assert products["scope"].state == "matches_nothing"
    assert products["scope"].dead_patterns == ("hf:model:goodlab/Scope-*",)
    # The renamed owner's models are listed under the new name: the old pattern is dead.
    assert products["moss"].state == "partly"
    assert "oldlab → newlab" in (products["moss"].suggestion or "")
    assert report.exit_code == 3
    reasons = {f.subject: f.reason for f in report.failures()}
    assert reasons == {
        "hf:org:oldlab": "handle_renamed",
        "hf:org:quietlab": "handle_empty",
        "hf:org:ghostlab": "handle_not_found",
        "gh:org:shlab-old": "handle_renamed",
        "gh:org:shlab-quiet": "handle_empty",
        "gh:org:shlab-ghost": "handle_not_found",
        "product:scope": "product_matches_nothing",
        "product:moss": "pattern_matches_nothing",
    }


def test_a_rename_to_a_listed_handle_suggests_removing_the_old_one(platforms, tmp_path):
    settings, _hub, _github = platforms
    text = HEALTHY.replace("[goodlab]", "[goodlab, oldlab, newlab]")
    report = _check(settings, _registry(tmp_path, text))
    fixes = {f.answer.handle: f.suggestion for f in report.handles}
    assert (
        fixes["hf:oldlab"]
        == "remove hf:oldlab: the platform now calls it hf:newlab, already listed"
    )


def test_listed_ids_under_another_owner_are_a_rename_without_a_redirect(hf_hub, tmp_path):
    # A Hub that answers the old author's listing with the new owner's ids, without a 307.
    world = hf_world([hf_model("newlab/moss-moon-003-sft", author="oldlab")], hf_authors=["newlab"])
    hub = hf_hub(world)
    world.hf_renamed_authors = {}
    hub.app.models_by_author["oldlab"] = ["newlab/moss-moon-003-sft"]
    settings = Settings(hf_endpoint=hub.url, github_api_url=hub.url, data_dir=tmp_path)
    text = "organizations:\n  - id: lab\n    name: Lab\n    huggingface: [OldLab]\n"
    report = _check(settings, _registry(tmp_path, text))
    assert _states(report) == {"hf:OldLab": ("renamed", "newlab")}


def test_one_handle_failing_is_reported_and_the_rest_go_on(platforms, tmp_path):
    settings, _hub, github = platforms
    # Every request about shlab0 fails with a server error, retries included.
    github.plan.add(Fault("server_error", path_pattern="/shlab0/", times=None, status=503))
    report = _check(settings, _registry(tmp_path, HEALTHY))
    states = _states(report)
    assert states["gh:shlab0"][0] == "failed"
    assert states["hf:goodlab"] == ("found", None)
    products = {p.product: p for p in report.products}
    # The unanswered GitHub pattern is not called dead; the Hub's half still matches.
    assert products["goodnet"].state == "matches"
    assert products["goodnet"].dead_patterns == ()
    assert [f.reason for f in report.failures()] == ["server_error"]
    assert report.exit_code == 3


def test_cli_exit_codes(platforms, tmp_path, monkeypatch):
    settings, _hub, _github = platforms
    monkeypatch.setenv("HF_ENDPOINT", settings.hf_endpoint)
    monkeypatch.setenv("GITHUB_API_URL", settings.github_api_url)
    monkeypatch.setenv("OSSIMPACT_DATA_DIR", str(tmp_path / "data"))

    healthy = runner.invoke(app, ["registry", "check", "--live", str(_registry(tmp_path, HEALTHY))])
    assert healthy.exit_code == 0, healthy.output
    assert "every handle and product answers" in healthy.output

    drifted = runner.invoke(app, ["registry", "check", "--live", str(_registry(tmp_path, DRIFTED))])
    assert drifted.exit_code == 3, drifted.output
    assert "replace hf:oldlab with hf:newlab" in drifted.output
    assert "matches nothing" in drifted.output

    broken = _registry(tmp_path, "organizations:\n  - id: lab\n")
    invalid = runner.invoke(app, ["registry", "check", "--live", str(broken)])
    assert invalid.exit_code == 2, invalid.output


def test_a_refresh_records_the_findings_as_a_run_of_their_own(platforms, tmp_path):
    settings, _hub, _github = platforms
    settings = settings.model_copy(
        update={
            "registry_path": _registry(tmp_path, DRIFTED),
            "database_url_override": f"sqlite:///{tmp_path / 'ossimpact.db'}",
        }
    )
    outcome = refresh(settings, sources=["huggingface", "github"], score_after=False)
    check = outcome.registry_check
    assert check is not None
    assert check.source == "registry-check"
    assert check.status == "partial"
    assert check.failures == 8
    # Findings inform; they do not turn the collection's own exit code.
    assert outcome.exit_code == RefreshOutcome(sources=outcome.sources).exit_code
    store = open_store(settings.database_url)
    try:
        run = next(r for r in store.runs() if r.id == check.run_id)
        assert (run.source, run.status, run.failure_count) == ("registry-check", "partial", 8)
        assert run.requests == check.stats.requests > 0
        findings = {f.subject: (f.reason, f.detail) for f in store.failures(check.run_id)}
    finally:
        store.close()
    assert findings["hf:org:oldlab"] == ("handle_renamed", "replace hf:oldlab with hf:newlab")
    assert findings["product:scope"][0] == "product_matches_nothing"


def test_a_refresh_of_other_sources_checks_no_handle(platforms, tmp_path):
    settings, _hub, _github = platforms
    settings = settings.model_copy(
        update={
            "registry_path": _registry(tmp_path, HEALTHY),
            "database_url_override": f"sqlite:///{tmp_path / 'ossimpact.db'}",
        }
    )
    store = open_store(settings.database_url)
    try:
        assert (
            check_registry_handles(
                settings, store, load_registry(settings.registry_path), ["opendigger"]
            )
            is None
        )
        healthy = check_registry_handles(
            settings, store, load_registry(settings.registry_path), ["huggingface", "github"]
        )
        assert healthy is not None
        assert healthy.status == "succeeded"
        assert healthy.failures == 0
        assert store.failures(healthy.run_id or 0) == []
    finally:
        store.close()


def _recorded_github(body: bytes) -> Callable[[str], Callable[..., list[bytes]]]:
    """A server that answers GitHub's recorded organisation listing, and a renamed login by 301."""

    def factory(base_url: str) -> Callable[..., list[bytes]]:
        def app(environ: dict[str, str], start_response: Callable[..., object]) -> list[bytes]:
            path = environ["PATH_INFO"]
            if path == "/orgs/OldBeavers/repos":
                location = f"{base_url}/organizations/1234/repos?{environ['QUERY_STRING']}"
                start_response("301 Moved Permanently", [("Location", location)])
                return [b""]
            if path in ("/orgs/BeaverSoftware/repos", "/organizations/1234/repos"):
                start_response("200 OK", [("Content-Type", "application/json")])
                return [body]
            start_response("404 Not Found", [("Content-Type", "application/json")])
            return [b'{"message": "Not Found"}']

        return app

    return factory


def test_recorded_github_listing_reads_as_found_and_as_renamed():
    recorded = API_SAMPLES / "github" / "bodies" / "org_repos_BeaverSoftware_2012.json"
    if not recorded.is_file():
        pytest.skip("recorded samples not present")
    server = FakeServer(_recorded_github(recorded.read_bytes()), name="recorded").start()
    try:
        with HttpClient(base_url=server.url, token=None, max_retries=0) as client:
            found = probe_gh_handle(client, "BeaverSoftware")
            renamed = probe_gh_handle(client, "OldBeavers")
            missing = probe_gh_handle(client, "NoBeavers")
    finally:
        server.stop()
    assert found.state == "found"
    assert [a.repo_id for a in found.artifacts] == [
        "BeaverSoftware/FatherBeaver",
        "BeaverSoftware/TestPyGithub",
    ]
    assert (renamed.state, renamed.renamed_to) == ("renamed", "BeaverSoftware")
    assert missing.state == "not_found"
    assert missing.requests == 2  # the organisation, then the user of that name


MOVED = """\
organizations:
  - id: lab
    name: A Shanghai lab
    huggingface: [gonelab]
    github: [shlab-gone]
products:
  - id: thing
    name: Thing
    category: model
    organization: lab
    include: ["hf:model:gonelab/Thing", "gh:shlab-gone/project-000"]
"""


def test_a_handle_that_lists_nothing_is_traced_through_a_moved_artifact(
    hf_hub, serve_github, tmp_path
):
    # The old accounts no longer answer at all; only their repositories redirect (307, 301).
    hub = hf_hub(hf_world([hf_model("gonelab/Thing", renamed_to="newlab/Thing")]))
    github_world = build_github_world(orgs=2, repos_per_org=1, specials=False)
    moved = github_world.repos["shlab1/project-000"]
    github_world.repos["shlab-gone/project-000"] = replace(
        moved, owner="shlab-gone", renamed_to="shlab1/project-000"
    )
    github = serve_github(github_world)
    settings = Settings(hf_endpoint=hub.url, github_api_url=github.url, data_dir=tmp_path)
    report = _check(settings, _registry(tmp_path, MOVED))
    assert _states(report) == {
        "hf:gonelab": ("renamed", "newlab"),
        "gh:shlab-gone": ("renamed", "shlab1"),
    }
    # Without a named artifact there is nothing to follow: the handle is simply not found.
    bare = MOVED.split("products:")[0]
    assert {
        state for state, _ in _states(_check(settings, _registry(tmp_path, bare))).values()
    } == {"not_found"}
