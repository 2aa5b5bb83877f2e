"""Daily history of a synthetic world as observations, for the demo's charts and integrity flags.

In production the daily series is built by daily refreshes. A demo has one refresh, so the world's
own histories (which the fake servers do not serve) are written once as a backfill run, labelled
with a `sandbox://` source URL so that no one mistakes them for collected figures.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta

from ossimpact.domain import ArtifactId, CollectionResult, Metric, Observation
from ossimpact.sandbox.model import HfDataset, HfModel, World

BACKFILL_SOURCE = "sandbox-history"


def _day_stamps(world: World, length: int) -> list[datetime]:
    first = world.today - timedelta(days=length - 1)
    return [
        datetime.combine(first + timedelta(days=i), time(3, 0), tzinfo=UTC) for i in range(length)
    ]


def _series(
    artifact: ArtifactId, metric: Metric, values: list[int], stamps: list[datetime], skip_last: bool
) -> Iterator[Observation]:
    url = f"sandbox://history/{artifact}/{metric.value}"
    usable = values[:-1] if skip_last else values
    for value, stamp in zip(usable, stamps[-len(values) :], strict=False):
        yield Observation(artifact, metric.value, float(value), stamp, url)


def history_observations(world: World, *, skip_today: bool = True) -> CollectionResult:
    """Daily downloads, likes and stars of the world's tracked artifacts, oldest first.

    `skip_today` leaves today's values to the real collection that follows.
    """
    result = CollectionResult(source=BACKFILL_SOURCE)
    owners = {handle.casefold() for handle in world.hf_authors}
    hub: list[tuple[ArtifactId, HfModel | HfDataset]] = [
        (ArtifactId.hf_model(model.id), model)
        for model in world.models.values()
        if model.author.casefold() in owners and not model.renamed_to
    ]
    hub += [
        (ArtifactId.hf_dataset(dataset.id), dataset)
        for dataset in world.datasets.values()
        if dataset.author.casefold() in owners
    ]
    for artifact, record in hub:
        stamps = _day_stamps(world, len(record.downloads_history))
        result.observations.extend(
            _series(artifact, Metric.DOWNLOADS_30D, record.downloads_history, stamps, skip_today)
        )
        result.observations.extend(
            _series(artifact, Metric.LIKES, record.likes_history, stamps, skip_today)
        )
    for repo in world.repos.values():
        if repo.renamed_to:
            continue
        artifact = ArtifactId.gh_repo(repo.full_name)
        stamps = _day_stamps(world, len(repo.stars_history))
        result.observations.extend(
            _series(artifact, Metric.STARS, repo.stars_history, stamps, skip_today)
        )
    return result
