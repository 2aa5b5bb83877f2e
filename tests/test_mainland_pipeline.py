"""The mainland sources through the pipeline: registry handles → fake hubs → collectors → store."""

from __future__ import annotations

from pathlib import Path

import pytest

from ossimpact.export import export_rows, members_rows
from ossimpact.pipeline import SOURCES, collect
from ossimpact.registry import RegistryError, load_registry
from ossimpact.sandbox.mainland import catalogue_for
from ossimpact.sandbox.runner import start_sandbox, world_for_registry
from ossimpact.scoring_service import run_scoring
from ossimpact.settings import Settings
from ossimpact.store import open_store
from scoring import load_methodology

REGISTRY = """
organizations:
  - id: shanghai-ai-lab
    name: Shanghai Artificial Intelligence Laboratory
    city: Shanghai
    huggingface: [internlm, OpenGVLab, opendatalab]
    github: [InternLM]
    modelscope: [Shanghai_AI_Laboratory, OpenGVLab]
    opendatalab: [OpenDataLab]
products:
  - id: internvl3
    name: InternVL3
    category: model
    organization: shanghai-ai-lab
    include: ["hf:model:OpenGVLab/InternVL3-*"]
  - id: odl-corpora
    name: OpenDataLab corpora
    category: corpus
    organization: shanghai-ai-lab
    include: [{odl_ids}]
"""


def _registry(tmp_path: Path, odl_ids: list[str]) -> Path:
    path = tmp_path / "registry.yaml"
    path.write_text(REGISTRY.replace("{odl_ids}", ", ".join(f'"{i}"' for i in odl_ids)))
    return path


def test_modelscope_and_opendatalab_collect_into_the_store(
    tmp_path: Path, database_url: str
) -> None:
    assert {"modelscope", "opendatalab"} <= set(SOURCES)
    probe = load_registry(_registry(tmp_path, ["odl:dataset:OpenDataLab/placeholder"]))
    world = world_for_registry(probe, size=120)
    catalogue = catalogue_for(world)
    assert "opendatalab/placeholder" in catalogue.odl_datasets  # named, so published
    published = sorted(catalogue.odl_datasets.values(), key=lambda d: d.name)
    assert published, "the world publishes some datasets on OpenDataLab"
    named = [f"odl:dataset:{d.owner}/{d.name}" for d in published[:2]]
    named.append("odl:dataset:OpenDataLab/never-published")
    registry = load_registry(_registry(tmp_path, named))
    assert registry.ms_handles() == ["Shanghai_AI_Laboratory", "OpenGVLab"]
    with start_sandbox(world, only=("modelscope", "opendatalab")) as sandbox:
        settings = Settings(
            data_dir=tmp_path,
            database_url_override=database_url,
            registry_path=registry.source,
            **sandbox.settings_overrides(),
        )
        outcomes = collect(settings, ["modelscope", "opendatalab"], registry=registry)
    by_source = {outcome.source: outcome for outcome in outcomes}
    assert by_source["modelscope"].status == "succeeded", by_source["modelscope"].message
    assert by_source["opendatalab"].status == "partial"  # the one never published
    assert by_source["opendatalab"].failures == 1
    store = open_store(database_url, read_only=True)
    stored = {record.id for record in store.artifacts()}
    expected_ms = {
        r.repo_id.casefold()
        for r in [*catalogue.ms_models.values(), *catalogue.ms_datasets.values()]
        if r.owner in ("Shanghai_AI_Laboratory", "OpenGVLab")
    }
    assert {a.repo_id.casefold() for a in stored if a.platform == "ms"} == expected_ms
    assert {str(a) for a in stored if a.platform == "od"} == set(named[:2])
    # another owner name than Hugging Face's, for the same model
    assert any(a.owner == "Shanghai_AI_Laboratory" for a in stored if a.platform == "ms")
    urls = {o.source_url for o in store.latest_observations().values()}
    assert urls
    assert all(url.startswith("http://127.0.0.1:") for url in urls)
    requests = by_source["modelscope"].stats.requests
    assert requests / len(expected_ms) <= 0.1  # listings only; the demo world measures ≤ 0.05


def test_mainland_handles_are_checked_like_the_others(tmp_path: Path) -> None:
    path = tmp_path / "registry.yaml"
    path.write_text(
        REGISTRY.replace("{odl_ids}", '"odl:dataset:OpenMMLab/COCO"')
        + "  - id: other\n    name: Other\n    category: model\n    organization: shanghai-ai-lab\n"
        '    include: ["ms:model:Shanghai_AI_Laboratory/internlm3-*"]\n'
    )
    with pytest.raises(RegistryError) as raised:
        load_registry(path)
    text = str(raised.value)
    assert "'OpenMMLab'" in text
    assert "OpenDataLab handle" in text
    assert "Shanghai_AI_Laboratory/internlm3" not in text  # a ModelScope handle it owns


def test_the_sandbox_process_serves_the_mainland_hubs(tmp_path: Path) -> None:
    """The forked sandbox (benchmarks) serves the same catalogue, owners attached before the fork."""
    import httpx

    from ossimpact.sandbox.process import start_sandbox_process

    registry = load_registry(_registry(tmp_path, ["odl:dataset:OpenDataLab/placeholder"]))
    world = world_for_registry(registry, size=120)
    expected = sum(
        1 for r in catalogue_for(world).ms_models.values() if r.owner == "Shanghai_AI_Laboratory"
    )
    with start_sandbox_process(world) as sandbox:
        environment = sandbox.environment()
        listing = httpx.get(
            f"{environment['MODELSCOPE_ENDPOINT']}/openapi/v1/models",
            params={"owner": "Shanghai_AI_Laboratory", "page_size": 50},
        ).json()
        info = httpx.get(
            f"{environment['OPENDATALAB_ENDPOINT']}/datasets/OpenDataLab%2Cplaceholder"
        ).json()
    assert expected > 0
    assert listing["data"]["total_count"] == expected
    assert info["data"]["id"] != 0


def test_a_full_collect_gives_the_mainland_sources_their_registry_targets(
    tmp_path: Path, database_url: str
) -> None:
    from collections.abc import Sequence

    from collectors.base import Progress, ResponseCache
    from ossimpact.domain import ArtifactId, CollectionResult
    from ossimpact.pipeline import Collector

    registry = load_registry(_registry(tmp_path, ["odl:dataset:OpenDataLab/OmniDocBench"]))
    calls: dict[str, tuple[list[str], list[ArtifactId]]] = {}

    class Recording:
        def __init__(self, source: str) -> None:
            self.source = source

        def collect(
            self,
            handles: Sequence[str],
            explicit: Sequence[ArtifactId] = (),
            progress: Progress | None = None,
        ) -> CollectionResult:
            calls[self.source] = (list(handles), list(explicit))
            return CollectionResult(source=self.source)

    def factory(source: str, _settings: Settings, _cache: ResponseCache) -> Collector:
        return Recording(source)

    settings = Settings(data_dir=tmp_path, database_url_override=database_url)
    outcomes = collect(settings, registry=registry, collector_factory=factory)
    assert [o.source for o in outcomes] == list(SOURCES)
    assert calls["modelscope"] == (["Shanghai_AI_Laboratory", "OpenGVLab"], [])
    assert calls["opendatalab"] == (
        ["OpenDataLab"],
        [ArtifactId.odl_dataset("OpenDataLab/OmniDocBench")],
    )
    assert calls["huggingface"][1] == []  # no mainland id leaks to another platform's source


def test_one_release_on_two_hubs_is_one_product_and_its_downloads_add_up(
    tmp_path: Path, database_url: str
) -> None:
    registry = load_registry(_registry(tmp_path, ["odl:dataset:OpenDataLab/placeholder"]))
    world = world_for_registry(registry, size=120)
    with start_sandbox(world, only=("huggingface", "modelscope")) as sandbox:
        settings = Settings(
            data_dir=tmp_path,
            database_url_override=database_url,
            registry_path=registry.source,
            **sandbox.settings_overrides(),
        )
        collect(settings, ["huggingface", "modelscope"], registry=registry)
    store = open_store(database_url)
    try:
        run_scoring(store, registry, load_methodology(settings.methodology_path), None, draws=0)
        members = members_rows(store)
        ranking = export_rows(store, category="model").set_index("product_id")
    finally:
        store.close()
    joined = members[members["grouped_by"] == "cross-hub"]
    assert not joined.empty, "some ModelScope release joins its Hugging Face twin's product"
    product = str(joined["product_id"].iloc[0])
    own = members[members["product_id"] == product]
    assert {"huggingface", "modelscope"} <= set(own["platform"])
    hf = own.loc[own["platform"] == "huggingface", "downloads_all_time"].dropna().sum()
    ms = own.loc[own["platform"] == "modelscope", "downloads_all_time"].dropna().sum()
    assert ms > 0
    row = ranking.loc[product]
    assert row["ms_downloads_all_time"] == ms
    assert row["hf_downloads_all_time"] == hf
    assert row["downloads_all_time"] == hf + ms  # the score's signal adds the hubs
