"""Scoring glue: the store's observations and the registry's products → scores → the store.

Everything that decides a score lives in `scoring/` (pure); this module only reads, groups and
writes, so the CLI, the pipeline and the scheduler share one path.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterable
from datetime import datetime

from ossimpact.domain import Organization, Product, utcnow
from ossimpact.registry import Grouping, Registry
from ossimpact.registry.membership import ProductRule, group_artifacts
from ossimpact.store import ScoringMember, Store
from scoring import Methodology, ScoringInputs, ScoringResult, score_products


def build_inputs(store: Store, registry: Registry, as_of: datetime | None) -> ScoringInputs:
    """What the store knew at `as_of` (None: now), grouped into products by the one membership
    rule (`ossimpact.registry.membership`: registry products, then release families, then each
    artifact alone).

    Third-party artifacts (kept only for counts and edges) are not products; artifacts claimed by
    two products stay out of both, as the registry reports.
    """
    return _inputs_and_grouping(store, registry, as_of)[0]


def _inputs_and_grouping(
    store: Store, registry: Registry, as_of: datetime | None
) -> tuple[ScoringInputs, Grouping]:
    when = as_of or utcnow()
    records = store.artifacts()
    tracked = [r.id for r in records if r.tracked]
    edges = store.edges(when)
    grouping = registry.group(tracked, edges)
    history = store.observation_history(until=when)
    organizations = dict(registry.organizations)
    for org in store.organizations():
        organizations.setdefault(org.id, org)
    inputs = ScoringInputs(
        as_of=when,
        products=sorted(grouping.products.values(), key=lambda p: p.id),
        members={pid: list(ms) for pid, ms in grouping.members.items()},
        organizations=organizations,
        artifacts={r.id: r for r in records},
        history=history,
        edges=edges,
        benchmarks=store.benchmark_results(when),
    )
    return inputs, grouping


def scoring_members(grouping: Grouping) -> list[ScoringMember]:
    """The grouping as the store records it with a scoring run."""
    return [
        ScoringMember(
            product_id=m.product.id,
            product_name=m.product.name,
            organization=m.product.organization,
            category=m.product.category,
            artifact=str(m.artifact),
            grouped_by=m.grouped_by,
        )
        for m in grouping.rows()
    ]


def input_run_ids(inputs: ScoringInputs) -> list[int]:
    """The collection runs whose observations went into the scores."""
    if "run_id" not in inputs.history.columns or inputs.history.empty:
        return []
    return sorted(int(r) for r in inputs.history["run_id"].dropna().unique())


def run_scoring(
    store: Store,
    registry: Registry,
    methodology: Methodology,
    as_of: datetime | None,
    *,
    seed: int = 0,
    draws: int = 1000,
    purpose: str | None = None,
) -> tuple[int, ScoringResult]:
    """Score at `as_of` and record a scoring run; returns (scoring run id, result).

    `purpose` None: official when scoring the newest data (no as-of), else as_of. A caller
    scoring with a methodology other than the configured one passes "trial".
    """
    purpose = purpose or ("official" if as_of is None else "as_of")
    run_id = store.start_run("score")
    try:
        inputs, grouping = _inputs_and_grouping(store, registry, as_of)
        result = score_products(inputs, methodology, seed=seed, draws=draws)
        scored = {row.product_id for row in result.rows}
        scoring_run_id = store.record_scores(
            run_id,
            result.methodology_version,
            inputs.as_of,
            input_run_ids(inputs),
            result.rows,
            [m for m in scoring_members(grouping) if m.product_id in scored],
            purpose=purpose,
            methodology_hash=methodology.content_hash or None,
        )
    except Exception as exc:
        store.finish_run(run_id, "failed", message=f"scoring failed: {type(exc).__name__}: {exc}")
        raise
    except BaseException:
        store.finish_run(run_id, "interrupted", message="scoring interrupted")
        raise
    store.finish_run(run_id, "succeeded")
    return scoring_run_id, result


def run_members(
    store: Store,
    scoring_run_id: int,
    as_of: datetime,
    product_ids: Collection[str] | None = None,
) -> list[ScoringMember]:
    """The members of a scoring run (only of `product_ids` when given), as the dashboard and the
    exports show them.

    What the run recorded; a run scored before runs recorded their members (store revision
    0003 and older) gets the same rule applied to what the store holds now: the stored registry
    products, the tracked artifacts and the edges known at its as-of, kept to the products it
    scored.
    """
    recorded = store.scoring_members(scoring_run_id, product_ids)
    if recorded or store.scoring_member_set(scoring_run_id) is not None:
        return recorded
    scored = set(store.score_summaries(scoring_run_id)["product_id"].map(str))
    if not scored:
        return []
    owners: dict[tuple[str, str], Organization] = {}
    for org in store.organizations():
        owners.update({("hf", h.casefold()): org for h in org.huggingface})
        owners.update({("gh", h.casefold()): org for h in org.github})
    rules = [ProductRule.of(p) for p in store.products() if not p.implicit]
    grouping = group_artifacts(
        rules,
        lambda a: owners.get((a.platform, a.owner.casefold())),
        [r.id for r in store.artifacts() if r.tracked],
        store.edges(as_of),
    )
    wanted = scored if product_ids is None else scored & {str(p) for p in product_ids}
    return [m for m in scoring_members(grouping) if m.product_id in wanted]


def recorded_products(known: Iterable[Product], members: Iterable[ScoringMember]) -> list[Product]:
    """The products a scoring run grouped, named, categorised and owned as the run recorded them
    (so a later registry edit does not rename an old ranking), each registry product keeping its
    description and patterns; then the registry's products the run did not score."""
    recorded: dict[str, ScoringMember] = {}
    for member in members:
        recorded.setdefault(member.product_id, member)
    registry = {p.id: p for p in known}
    products: list[Product] = []
    for product_id, member in recorded.items():
        as_scored = {
            "name": member.product_name,
            "category": member.category,
            "organization": member.organization,
        }
        if product_id in registry:
            products.append(dataclasses.replace(registry[product_id], **as_scored))  # type: ignore[arg-type]
        else:
            products.append(
                Product(id=product_id, implicit=member.grouped_by != "registry", **as_scored)  # type: ignore[arg-type]
            )
    products.extend(p for p in registry.values() if p.id not in recorded)
    return products
