"""The OpenDataLab collector with real httpx against the fake dataset API."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from collectors.opendatalab import OpenDataLabCollector
from collectors.pacing import polite_pacer
from ossimpact.domain import ArtifactId, Metric
from ossimpact.sandbox.faults import Fault, FaultPlan
from ossimpact.sandbox.http import FakeServer
from ossimpact.sandbox.mainland import MainlandCatalogue, MainlandOwners, derive_catalogue
from ossimpact.sandbox.model import World
from ossimpact.sandbox.opendatalab import API_PREFIX, make_opendatalab_app


@pytest.fixture
def catalogue(small_world: World) -> MainlandCatalogue:
    owners = MainlandOwners(opendatalab={"opendatalab": "OpenDataLab"})
    return derive_catalogue(small_world, owners)


@pytest.fixture
def server(small_world: World, catalogue: MainlandCatalogue) -> Iterator[FakeServer]:
    fake = FakeServer(
        lambda url: make_opendatalab_app(small_world, url, catalogue=catalogue),
        FaultPlan(),
        name="opendatalab",
    ).start()
    yield fake
    fake.stop()


def _collector(server: FakeServer) -> OpenDataLabCollector:
    return OpenDataLabCollector(server.url + API_PREFIX, sleep=lambda _: None)


def test_named_datasets_get_their_counts_and_missing_ones_fail_alone(
    server: FakeServer, catalogue: MainlandCatalogue
) -> None:
    entries = list(catalogue.odl_datasets.values())[:3]
    named = [ArtifactId.odl_dataset(f"{e.owner}/{e.name}") for e in entries]
    missing = ArtifactId.odl_dataset("OpenDataLab/not-published")
    result = _collector(server).collect(["OpenDataLab"], [*named, missing])
    assert {a.id for a in result.artifacts} == set(named)
    (failure,) = result.failures
    assert (failure.subject, failure.reason) == (str(missing), "not_found")
    first = entries[0]
    figures = {
        o.metric: o.value
        for o in result.observations
        if o.artifact == ArtifactId.odl_dataset(f"{first.owner}/{first.name}")
    }
    assert figures == {
        Metric.DOWNLOADS_ALL_TIME: first.downloads,
        Metric.VIEWS_ALL_TIME: first.views,
        Metric.DOWNLOADS_7D: first.downloads_week,
        Metric.VIEWS_7D: first.views_week,
    }
    record = next(a for a in result.artifacts if a.id == named[0])
    assert record.extra["downloads_field"] == "downloadCount"  # which unconfirmed field was read
    assert result.stats.requests == 4  # one per dataset, no listing guessed


def test_server_errors_are_retried_then_fail_that_dataset_only(
    server: FakeServer, catalogue: MainlandCatalogue
) -> None:
    entries = list(catalogue.odl_datasets.values())[:2]
    named = [ArtifactId.odl_dataset(f"{e.owner}/{e.name}") for e in entries]
    server.plan.add(Fault("server_error", path_pattern=entries[0].name, status=500, times=None))
    result = _collector(server).collect([], named)
    assert [a.id for a in result.artifacts] == [named[1]]
    (failure,) = result.failures
    assert failure.reason == "server_error"
    assert failure.subject == str(named[0])


def test_only_its_own_platform_is_asked_for(server: FakeServer) -> None:
    result = _collector(server).collect([], [ArtifactId.hf_dataset("opendatalab/OmniDocBench")])
    assert not result.artifacts
    assert not result.failures
    assert server.requests == 0


def test_every_dataset_request_pays_the_shared_polite_pacer(
    server: FakeServer, catalogue: MainlandCatalogue
) -> None:
    now = [0.0]
    pacer = polite_pacer(
        "opendatalab", clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s)
    )
    entries = list(catalogue.odl_datasets.values())[:4]
    named = [ArtifactId.odl_dataset(f"{e.owner}/{e.name}") for e in entries]
    collector = OpenDataLabCollector(server.url + API_PREFIX, pacer=pacer)
    result = collector.collect(["OpenDataLab"], named)
    assert len(result.artifacts) == 4
    assert pacer.stats.requests == len(server.request_log) == 4
    assert now[0] == pytest.approx(3.0)
