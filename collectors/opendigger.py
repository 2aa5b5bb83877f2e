"""OpenDigger (X-lab, East China Normal University): monthly influence and health indices.

OpenDigger publishes static JSON per repository and metric. We take the latest complete month of
the metrics the scoring uses. A missing file means "not covered" — no observation, never zero.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Any

from collectors.base import ResponseCache
from collectors.core.source import RunStart, Source
from collectors.http import HttpClient, HttpError, RateLimitBudgetExceeded, hf_rate_limit
from ossimpact.domain import (
    ArtifactFailure,
    ArtifactId,
    CollectionResult,
    Metric,
    Observation,
)

DEFAULT_METRICS: tuple[Metric, ...] = (Metric.OPENRANK, Metric.ACTIVITY, Metric.BUS_FACTOR)
_MONTH = re.compile(r"^\d{4}-\d{2}$")


def latest_month_value(payload: Any, now: datetime) -> tuple[str, float] | None:
    """The newest complete month's value, tolerant of the shapes OpenDigger uses.

    Plain metrics map "YYYY-MM" (and "YYYY", "YYYYQn" aggregates) to numbers; some (e.g.
    issue_response_time) nest series under "avg"/"levels"/"quantile_*": we take "avg". The running
    month is incomplete and skipped.
    """
    if isinstance(payload, dict) and isinstance(payload.get("avg"), dict):
        payload = payload["avg"]
    if not isinstance(payload, dict):
        return None
    current = f"{now:%Y-%m}"
    months = [
        (key, value)
        for key, value in payload.items()
        if isinstance(key, str)
        and _MONTH.match(key)
        and key < current
        and _figure(value) is not None
    ]
    if not months:
        return None
    month, value = max(months)
    return month, float(value)


def _figure(value: object) -> float | None:
    """A sound monthly figure: a finite number ≥ 0 (NaN, infinity, negatives and integers beyond
    float range are not figures; a month holding one is passed over)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) and number >= 0 else None


class OpenDiggerCollector(Source[CollectionResult]):
    source = "opendigger"
    platform = "gh"

    def __init__(
        self,
        base_url: str,
        *,
        cache: ResponseCache | None = None,
        concurrency: int = 8,
        metrics: Sequence[Metric] = DEFAULT_METRICS,
        timeout: float = 30.0,
        max_rate_limit_wait: float = 900.0,
    ) -> None:
        self._base_url = base_url.rstrip("/")
        self._cache = cache
        self._concurrency = concurrency
        self._metrics = tuple(metrics)
        self._timeout = timeout
        self._max_wait = max_rate_limit_wait

    def new_result(self) -> CollectionResult:
        return CollectionResult(source=self.source)

    def read(self, start: RunStart[CollectionResult]) -> CollectionResult:
        """Reads the repositories in `explicit` (OpenDigger has no organisation listing)."""
        progress, repos, result = start.progress, start.explicit, start.result
        observed_at = start.observed_at
        progress.begin("repositories", len(repos))
        with HttpClient(
            base_url=self._base_url,
            token=None,
            cache=self._cache,
            timeout=self._timeout,
            max_rate_limit_wait=self._max_wait,
            rate_limit_policy=hf_rate_limit,
            max_connections=self._concurrency,
        ) as client:

            def one(repo: ArtifactId) -> tuple[list[Observation], list[ArtifactFailure]]:
                return self._repository(client, repo, observed_at)

            with ThreadPoolExecutor(max_workers=self._concurrency) as pool:
                try:
                    for observations, failures in pool.map(one, repos):
                        result.observations.extend(observations)
                        result.failures.extend(failures)
                        progress.advance()
                except RateLimitBudgetExceeded:
                    pool.shutdown(wait=True, cancel_futures=True)
            result.stats = client.stats
        return result

    def _repository(
        self, client: HttpClient, repo: ArtifactId, observed_at: datetime
    ) -> tuple[list[Observation], list[ArtifactFailure]]:
        observations: list[Observation] = []
        failures: list[ArtifactFailure] = []
        for metric in self._metrics:
            path = f"/github/{repo.owner}/{repo.name}/{metric.value}.json"
            try:
                answer = client.get_json(path, conditional=True)
            except HttpError as error:
                if error.reason != "not_found":  # 404: not covered by OpenDigger, not a failure
                    failures.append(
                        ArtifactFailure(str(repo), self.source, error.reason, str(error))
                    )
                continue
            latest = latest_month_value(answer.data, observed_at)
            if latest is None:
                if answer.data not in (None, {}):
                    failures.append(
                        ArtifactFailure(
                            str(repo),
                            self.source,
                            "malformed",
                            f"{metric.value}.json has no monthly values",
                        )
                    )
                continue
            observations.append(
                Observation(
                    repo,
                    metric.value,
                    latest[1],
                    observed_at,
                    f"{self._base_url}{path}#{latest[0]}",
                    "reobserved" if answer.from_cache else "new",
                )
            )
        return observations, failures
