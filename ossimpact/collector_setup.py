"""The collectors as the settings configure them: endpoints, tokens, wait budgets, pacing.

`make_collector` is the one place a source's collector is built from `Settings`; the pipeline, the
benchmarks and the tests take it from here (`ossimpact.pipeline` re-exports it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from collectors.base import Progress, ResponseCache
from collectors.pacing import PublishedRates, source_pacer
from ossimpact.domain import ArtifactId, CollectionResult
from ossimpact.settings import Settings

SOURCES: tuple[str, ...] = (
    "huggingface",
    "github",
    "modelscope",
    "opendatalab",
    "opendigger",
    "benchmarks",
)


class SourceUnavailable(Exception):
    """A source whose collector is not built or not configured; nothing is collected from it."""


class Collector(Protocol):
    source: str

    def collect(
        self,
        handles: Sequence[str],
        explicit: Sequence[ArtifactId] = (),
        progress: Progress | None = None,
    ) -> CollectionResult: ...


def _token(secret: object) -> str | None:
    value = getattr(secret, "get_secret_value", None)
    return value() if callable(value) else None


def published_rates(settings: Settings) -> PublishedRates:
    """The limits pacing follows, as the settings give them."""
    return PublishedRates(
        github_requests_per_minute=settings.github_requests_per_minute,
        github_graphql_points_per_minute=settings.github_graphql_points_per_minute,
        github_requests_per_hour=settings.github_requests_per_hour,
        github_max_concurrency=settings.github_max_concurrency,
        hf_requests_per_window=settings.hf_requests_per_window,
        hf_window_seconds=settings.hf_window_seconds,
        modelscope_requests_per_second=settings.modelscope_requests_per_second,
        opendatalab_requests_per_second=settings.modelscope_requests_per_second,
        time_scale=settings.pacing_time_scale,
        github_resume_past_wait=settings.hourly_budget_max_wait_seconds,
    )


def make_collector(source: str, settings: Settings, cache: ResponseCache) -> Collector:
    """The collector of one source, configured from settings (endpoints, tokens, budgets)."""
    rates = published_rates(settings)
    try:
        if source == "huggingface":
            from collectors.huggingface import HuggingFaceCollector

            return HuggingFaceCollector(
                settings.hf_endpoint,
                _token(settings.hf_token),
                max_rate_limit_wait=settings.max_rate_limit_wait_seconds,
                timeout=settings.http_timeout_seconds,
                concurrency=settings.concurrency,
                pacer=source_pacer(source, rates),
            )
        if source == "github":
            from collectors.github import GitHubCollector

            return GitHubCollector(
                settings.github_api_url,
                _token(settings.github_token),
                graphql_url=settings.github_graphql_url,
                cache=cache,
                concurrency=settings.concurrency,
                max_rate_limit_wait=settings.max_rate_limit_wait_seconds,
                timeout=settings.http_timeout_seconds,
                pacer=source_pacer(source, rates),
            )
        if source == "modelscope":
            from collectors.modelscope import ModelScopeCollector

            collector_ms: Collector = ModelScopeCollector(
                settings.modelscope_endpoint,
                _token(settings.modelscope_token),
                timeout=settings.http_timeout_seconds,
                max_rate_limit_wait=settings.max_rate_limit_wait_seconds,
                pacer=source_pacer(source, rates),
            )
            return collector_ms
        if source == "opendatalab":
            from collectors.opendatalab import OpenDataLabCollector

            collector_odl: Collector = OpenDataLabCollector(
                settings.opendatalab_endpoint,
                timeout=settings.http_timeout_seconds,
                max_rate_limit_wait=settings.max_rate_limit_wait_seconds,
                pacer=source_pacer(source, rates),
            )
            return collector_odl
        if source == "opendigger":
            from collectors.opendigger import OpenDiggerCollector

            collector: Collector = OpenDiggerCollector(
                settings.opendigger_url,
                cache=cache,
                concurrency=settings.concurrency,
                timeout=settings.http_timeout_seconds,
                max_rate_limit_wait=settings.max_rate_limit_wait_seconds,
            )
            return collector
        if source == "benchmarks":
            from collectors.benchmarks import BenchmarkCollector

            collector = BenchmarkCollector(
                hf_endpoint=settings.hf_endpoint,
                hf_token=_token(settings.hf_token),
                opencompass_url=settings.opencompass_url,
                open_llm_parquet=settings.open_llm_parquet,
                timeout=settings.http_timeout_seconds,
                max_rate_limit_wait=settings.max_rate_limit_wait_seconds,
            )
            return collector
    except ImportError as exc:
        raise SourceUnavailable(f"the {source} collector is not available: {exc}") from exc
    raise SourceUnavailable(f"unknown source {source!r} (known: {', '.join(SOURCES)})")
