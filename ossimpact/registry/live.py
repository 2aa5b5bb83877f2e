"""Live registry check: does each handle and product of the registry still match the platforms?

`ossimpact registry check --live` and every refresh of Hugging Face or GitHub ask each platform
about every handle (`collectors.handles`) and turn the answers into findings an operator can act
on: a renamed handle ("replace hf:fnlp with hf:OpenMOSS-Team"), an empty or unknown one, an
explicit product whose include patterns match nothing listed today. A handle the platform could
not answer for is reported as such and the others go on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Literal

from collectors.handles import HandleAnswer, probe_gh_handle, probe_hf_handle
from collectors.http import HUGGING_FACE, HttpClient
from ossimpact.domain import ArtifactFailure, ArtifactId, CollectionStats, FailureReason
from ossimpact.registry.model import Registry
from ossimpact.registry.patterns import IncludePattern
from ossimpact.settings import Settings

SOURCE = "registry-check"
EXIT_OK = 0
EXIT_FINDINGS = 3
# A few handles at a time: the check is a courtesy call, not a crawl.
MAX_CONCURRENT_HANDLES = 4

ProductState = Literal["matches", "matches_nothing", "partly", "unknown"]


@dataclass(frozen=True)
class HandleFinding:
    organization: str
    answer: HandleAnswer
    suggestion: str | None

    @property
    def is_problem(self) -> bool:
        return self.answer.state != "found"


@dataclass(frozen=True)
class ProductFinding:
    product: str
    state: ProductState
    dead_patterns: tuple[str, ...] = ()
    matched: int = 0  # listed artifacts the product's patterns match
    suggestion: str | None = None

    @property
    def is_problem(self) -> bool:
        return self.state in ("matches_nothing", "partly")


@dataclass
class LiveReport:
    handles: list[HandleFinding] = field(default_factory=list)
    products: list[ProductFinding] = field(default_factory=list)
    stats: CollectionStats = field(default_factory=CollectionStats)

    @property
    def problems(self) -> int:
        return sum(f.is_problem for f in self.handles) + sum(f.is_problem for f in self.products)

    @property
    def exit_code(self) -> int:
        return EXIT_FINDINGS if self.problems else EXIT_OK

    def failures(self) -> list[ArtifactFailure]:
        """The findings as run failures: what a refresh records and Data health lists."""
        found: list[ArtifactFailure] = []
        reason: FailureReason
        for handle in self.handles:
            answer = handle.answer
            if not handle.is_problem:
                continue
            reason = _HANDLE_REASONS.get(answer.state) or answer.failure or "other"
            detail = handle.suggestion or ""
            if answer.detail:
                detail = f"{detail} ({answer.detail})" if detail else answer.detail
            subject = f"{answer.platform}:org:{answer.name}"
            found.append(ArtifactFailure(subject, SOURCE, reason, detail[:2000]))
        for product in self.products:
            if not product.is_problem:
                continue
            reason = (
                "product_matches_nothing"
                if product.state == "matches_nothing"
                else "pattern_matches_nothing"
            )
            subject = f"product:{product.product}"
            found.append(ArtifactFailure(subject, SOURCE, reason, product.suggestion or ""))
        return found


_HANDLE_REASONS: dict[str, FailureReason] = {
    "renamed": "handle_renamed",
    "empty": "handle_empty",
    "not_found": "handle_not_found",
}


def _is_listed(registry: Registry, tag: str, name: str) -> bool:
    for organization in registry.organizations.values():
        handles = organization.huggingface if tag == "hf" else organization.github
        if any(handle.casefold() == name.casefold() for handle in handles):
            return True
    return False


def _handle_suggestion(registry: Registry, answer: HandleAnswer) -> str | None:
    tag, name = answer.platform, answer.name
    if answer.state == "renamed":
        new = f"{tag}:{answer.renamed_to}"
        if _is_listed(registry, tag, answer.renamed_to or ""):
            return f"remove {answer.handle}: the platform now calls it {new}, already listed"
        return f"replace {answer.handle} with {new}"
    if answer.state == "empty":
        return f"remove {answer.handle} or keep it knowingly: it has no public artifacts today"
    if answer.state == "not_found":
        return f"remove {answer.handle} or correct its spelling: {name} does not exist"
    if answer.state == "failed":
        return f"check {answer.handle} again: the platform did not answer"
    return None


def _product_findings(
    registry: Registry, answers: dict[tuple[str, str], HandleAnswer]
) -> list[ProductFinding]:
    findings = []
    for product in registry.products.values():
        dead: list[str] = []
        matched = 0
        unknown = False
        renamed: list[HandleAnswer] = []
        for text in product.include:
            pattern = IncludePattern.parse(text)
            answer = answers.get((pattern.platform, pattern.owner.casefold()))
            if answer is None or answer.state == "failed" or answer.truncated:
                unknown = True
                continue
            if answer.state == "renamed":
                renamed.append(answer)
            hits = sum(pattern.matches(artifact) for artifact in answer.artifacts)
            matched += hits
            if not hits:
                dead.append(text)
        state: ProductState
        if not dead:
            state = "unknown" if unknown and not matched else "matches"
        elif matched:
            state = "partly"
        else:
            state = "unknown" if unknown else "matches_nothing"
        suggestion = None
        if state in ("matches_nothing", "partly"):
            suggestion = _product_suggestion(product.id, dead, renamed)
        findings.append(ProductFinding(product.id, state, tuple(dead), matched, suggestion))
    return findings


def _product_suggestion(product: str, dead: list[str], renamed: list[HandleAnswer]) -> str:
    listed = ", ".join(dead)
    if renamed:
        moves = ", ".join(f"{a.name} → {a.renamed_to}" for a in renamed)
        return f"rewrite {listed} of product {product} for the renamed owner ({moves})"
    return f"correct or remove {listed} of product {product}: nothing listed today matches"


Probe = Callable[[HttpClient, str, Sequence[ArtifactId]], HandleAnswer]


def _clients(settings: Settings) -> tuple[HttpClient, HttpClient]:
    def secret(value: object) -> str | None:
        reveal = getattr(value, "get_secret_value", None)
        return reveal() if callable(reveal) else None

    common = {
        "timeout": settings.http_timeout_seconds,
        "max_rate_limit_wait": settings.max_rate_limit_wait_seconds,
        "max_connections": MAX_CONCURRENT_HANDLES,
    }
    hf = HttpClient(
        base_url=settings.hf_endpoint,
        token=secret(settings.hf_token),
        rate_limit_policy=HUGGING_FACE,
        **common,  # type: ignore[arg-type]
    )
    gh = HttpClient(
        base_url=settings.github_api_url,
        token=secret(settings.github_token),
        headers={"Accept": "application/vnd.github+json"},
        **common,  # type: ignore[arg-type]
    )
    return hf, gh


def _key(probe: Probe, handle: str) -> tuple[str, str]:
    return ("hf" if probe is probe_hf_handle else "gh", handle.casefold())


def check_live(
    registry: Registry,
    settings: Settings,
    *,
    platforms: Iterable[str] = ("hf", "gh"),
    on_answer: Callable[[HandleAnswer], None] | None = None,
) -> LiveReport:
    """Ask the platforms about every handle of the registry; never raises for a platform error."""
    wanted = set(platforms)
    hf, gh = _clients(settings)
    # Artifacts the registry names exactly, by handle: asked for when a handle lists nothing.
    known: dict[tuple[str, str], list[ArtifactId]] = {}
    for artifact in registry.explicit_artifacts():
        known.setdefault((artifact.platform, artifact.owner.casefold()), []).append(artifact)
    jobs: list[tuple[str, HttpClient, Probe, str]] = []
    for organization in registry.organizations.values():
        if "hf" in wanted:
            jobs += [(organization.id, hf, probe_hf_handle, h) for h in organization.huggingface]
        if "gh" in wanted:
            jobs += [(organization.id, gh, probe_gh_handle, h) for h in organization.github]
    report = LiveReport()
    try:
        with ThreadPoolExecutor(MAX_CONCURRENT_HANDLES, thread_name_prefix="handles") as pool:
            futures = [
                (org, pool.submit(probe, client, handle, known.get(_key(probe, handle), [])))
                for org, client, probe, handle in jobs
            ]
            for org, future in futures:
                answer = future.result()
                if on_answer is not None:
                    on_answer(answer)
                suggestion = _handle_suggestion(registry, answer)
                report.handles.append(HandleFinding(org, answer, suggestion))
    finally:
        hf.close()
        gh.close()
    answers = {(f.answer.platform, f.answer.name.casefold()): f.answer for f in report.handles}
    report.products = _product_findings(registry, answers)
    for client in (hf, gh):
        report.stats.requests += client.stats.requests
        report.stats.rate_limit_waits += client.stats.rate_limit_waits
        report.stats.rate_limit_wait_seconds += client.stats.rate_limit_wait_seconds
    return report
