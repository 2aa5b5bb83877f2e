"""The benchmark collector: the independent sources the Hugging Face collector does not read.

- Hugging Face benchmark leaderboards, one per benchmark dataset (the catalogue's datasets and
  the tracked datasets);
- the OpenCompass leaderboard file;
- the Open LLM Leaderboard archive, when the operator gives its Parquet file.

Each source fails alone: its failure is one `ArtifactFailure` (subject "benchmarks:<source>", or
the dataset's id for one leaderboard) and the other sources' results stay in the result. Results
carry the source's own benchmark names and no `scaled` (except the Open LLM Leaderboard's own
normalised score): `normalise` is applied by the pipeline to every source's results at once, so
percentiles are taken over all of them.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from collectors.base import Progress
from collectors.benchmarks import hf_eval, open_llm, opencompass
from collectors.benchmarks.aliases import BenchmarkCatalogue, default_catalogue
from collectors.benchmarks.matching import ModelMatcher
from collectors.core.source import RunStart, Source
from collectors.http import HUGGING_FACE, HttpClient, HttpError, RateLimitBudgetExceeded
from ossimpact.domain import (
    ArtifactFailure,
    ArtifactId,
    BenchmarkResult,
    CollectionResult,
    CollectionStats,
    utcnow,
)

SOURCE = "benchmarks"


@dataclass
class BenchmarkReport:
    """What a run could not place, for the operator: nothing here is dropped silently."""

    # OpenCompass rows whose model name matched no tracked model (or several)
    unmatched: list[str] = field(default_factory=list)
    # rows or figures skipped, each with its reason
    skipped: list[str] = field(default_factory=list)
    # benchmark datasets the Hub has no leaderboard for
    no_leaderboard: list[str] = field(default_factory=list)
    # tracked datasets that ARE a benchmark: dataset → canonical benchmark id
    corpora: dict[ArtifactId, str] = field(default_factory=dict)
    # leaderboard rows of models outside the registry (expected: most rows)
    untracked_rows: int = 0

    def summary(self) -> str:
        return (
            f"{len(self.unmatched)} unmatched leaderboard models, {len(self.skipped)} rows "
            f"skipped, {len(self.no_leaderboard)} benchmark datasets without a leaderboard, "
            f"{len(self.corpora)} tracked datasets that are benchmarks"
        )


class BenchmarkCollector(Source[CollectionResult]):
    source = SOURCE
    platform = "hf"

    def __init__(
        self,
        *,
        hf_endpoint: str,
        hf_token: str | None = None,
        opencompass_url: str,
        open_llm_parquet: Path | None = None,
        timeout: float = 30.0,
        max_rate_limit_wait: float = 900.0,
        catalogue: BenchmarkCatalogue | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.hf_endpoint = hf_endpoint.rstrip("/")
        self._hf_token = hf_token
        self.opencompass_url = opencompass.leaderboard_url(opencompass_url)
        self.open_llm_parquet = open_llm_parquet
        self._timeout = timeout
        self._max_wait = max_rate_limit_wait
        self._sleep = sleep
        self.catalogue = catalogue or default_catalogue()
        self.last_report: BenchmarkReport | None = None

    def _client(self, base_url: str, token: str | None) -> HttpClient:
        return HttpClient(
            base_url=base_url,
            token=token,
            timeout=self._timeout,
            max_rate_limit_wait=self._max_wait,
            rate_limit_policy=HUGGING_FACE,
            sleep=self._sleep,
        )

    def new_result(self) -> CollectionResult:
        return CollectionResult(source=SOURCE)

    def read(self, start: RunStart[CollectionResult]) -> CollectionResult:
        """Results for the tracked models in `explicit` (its datasets: leaderboards, corpora)."""
        progress, result = start.progress, start.result
        report = BenchmarkReport()
        models = sorted({a for a in start.explicit if a.kind == "model"})
        datasets = sorted({a for a in start.explicit if a.kind == "dataset"})
        for dataset in datasets:
            benchmark = self.catalogue.benchmark_of_dataset(dataset.repo_id)
            if benchmark is not None:
                report.corpora[dataset] = benchmark
        if not models:
            progress.note("benchmarks: no tracked models, nothing to collect")
            self.last_report = report
            return result
        by_id = {m.repo_id: m for m in models}

        self._hf_leaderboards(result, report, by_id, datasets, progress)
        self._opencompass(result, report, ModelMatcher(models), progress)
        self._open_llm(result, report, by_id, progress)

        progress.note(f"{len(result.benchmark_results)} results; {report.summary()}")
        self.last_report = report
        return result

    # -- Hugging Face leaderboards ----------------------------------------------------------------

    def _hf_leaderboards(
        self,
        result: CollectionResult,
        report: BenchmarkReport,
        tracked: dict[str, ArtifactId],
        datasets: Sequence[ArtifactId],
        progress: Progress,
    ) -> None:
        targets = dict.fromkeys([*self.catalogue.datasets, *(d.repo_id for d in datasets)])
        progress.begin("benchmarks: Hugging Face leaderboards", len(targets))
        with self._client(self.hf_endpoint, self._hf_token) as client:
            try:
                for dataset_id in targets:
                    self._one_leaderboard(client, dataset_id, result, report, tracked)
                    progress.advance()
            except RateLimitBudgetExceeded as err:
                result.failures.append(
                    ArtifactFailure("benchmarks:hf_leaderboard", SOURCE, "rate_limited", str(err))
                )
                progress.note(f"benchmarks: Hugging Face leaderboards stopped: {err}")
            except HttpError as err:
                # the Hub is unreachable: asking the remaining datasets would only wait longer
                result.failures.append(
                    ArtifactFailure("benchmarks:hf_leaderboard", SOURCE, err.reason, str(err))
                )
                progress.note(f"benchmarks: Hugging Face leaderboards stopped: {err}")
            _add_stats(result.stats, client.stats)

    def _one_leaderboard(
        self,
        client: HttpClient,
        dataset_id: str,
        result: CollectionResult,
        report: BenchmarkReport,
        tracked: dict[str, ArtifactId],
    ) -> None:
        path = f"/api/datasets/{dataset_id}/leaderboard"
        try:
            answer = client.get_json(path, params={"base_model": "false"})
        except HttpError as err:
            if err.reason in ("timeout", "connection"):
                raise
            if err.status == 404:
                report.no_leaderboard.append(dataset_id)
                return
            result.failures.append(
                ArtifactFailure(f"hf:dataset:{dataset_id}", SOURCE, err.reason, str(err))
            )
            return
        try:
            parsed = hf_eval.parse_leaderboard(
                answer.data, dataset_id, tracked, observed_at=utcnow(), source_url=answer.url
            )
        except hf_eval.LeaderboardFormatError as err:
            result.failures.append(
                ArtifactFailure(f"hf:dataset:{dataset_id}", SOURCE, "malformed", str(err))
            )
            return
        result.benchmark_results.extend(parsed.results)
        report.skipped.extend(parsed.problems)
        report.untracked_rows += parsed.untracked

    # -- OpenCompass ------------------------------------------------------------------------------

    def _opencompass(
        self,
        result: CollectionResult,
        report: BenchmarkReport,
        matcher: ModelMatcher,
        progress: Progress,
    ) -> None:
        progress.begin("benchmarks: OpenCompass", 1)
        with self._client(self.opencompass_url, None) as client:
            try:
                answer = client.get_json(self.opencompass_url)
                parsed = opencompass.parse_opencompass(answer.data)
            except (HttpError, RateLimitBudgetExceeded, opencompass.OpenCompassFormatError) as err:
                reason = err.reason if isinstance(err, HttpError) else "malformed"
                if isinstance(err, RateLimitBudgetExceeded):
                    reason = "rate_limited"
                result.failures.append(
                    ArtifactFailure("benchmarks:opencompass", SOURCE, reason, str(err))
                )
                progress.note(f"benchmarks: OpenCompass failed: {err}")
                return
            finally:
                _add_stats(result.stats, client.stats)
                progress.advance()
        observed_at = utcnow()
        unmatched: set[str] = set()
        for score in parsed.scores:
            artifact = matcher.match(score.url, score.model_name, score.display_name)
            if artifact is None:
                unmatched.add(score.model_name)
                continue
            result.benchmark_results.append(
                BenchmarkResult(
                    artifact=artifact,
                    benchmark=score.benchmark,
                    raw_name=score.benchmark,
                    metric=score.metric,
                    value=score.value,
                    source=opencompass.SOURCE,
                    trust="independent",
                    observed_at=observed_at,
                    source_url=answer.url,
                    split=score.split,
                )
            )
        report.unmatched.extend(sorted(unmatched))
        report.skipped.extend(f"opencompass: {p}" for p in parsed.problems)

    # -- Open LLM Leaderboard archive -------------------------------------------------------------

    def _open_llm(
        self,
        result: CollectionResult,
        report: BenchmarkReport,
        tracked: dict[str, ArtifactId],
        progress: Progress,
    ) -> None:
        if self.open_llm_parquet is None:
            return
        progress.begin("benchmarks: Open LLM Leaderboard archive", 1)
        try:
            table = open_llm.read_archive(self.open_llm_parquet)
        except open_llm.OpenLlmArchiveError as err:
            result.failures.append(
                ArtifactFailure("benchmarks:open_llm_leaderboard", SOURCE, "malformed", str(err))
            )
            progress.note(f"benchmarks: Open LLM Leaderboard archive failed: {err}")
            return
        finally:
            progress.advance()
        parsed = open_llm.parse_archive(table, tracked, observed_at=utcnow())
        result.benchmark_results.extend(parsed.results)
        report.skipped.extend(f"open_llm_leaderboard: {p}" for p in parsed.problems)
        report.untracked_rows += parsed.untracked


def _add_stats(total: CollectionStats, part: CollectionStats) -> None:
    total.requests += part.requests
    total.not_modified += part.not_modified
    total.rate_limit_waits += part.rate_limit_waits
    total.rate_limit_wait_seconds += part.rate_limit_wait_seconds
    if part.stopped_reason and not total.stopped_reason:
        total.stopped_reason = part.stopped_reason
