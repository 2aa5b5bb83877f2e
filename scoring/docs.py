"""The methodology as a Markdown page, generated from the YAML so the two never disagree.

`python -m scoring.docs [FILE]` rewrites docs/methodology.md from the shipped default (or FILE).
"""

from __future__ import annotations

import sys
from pathlib import Path

from ossimpact.domain import CATEGORIES
from scoring.catalogue import SIGNALS
from scoring.methodology import Methodology, Transform, load_methodology

DOCS_PATH = Path(__file__).resolve().parent.parent / "docs" / "methodology.md"


def _transform(t: Transform) -> str:
    if t.kind == "log_cap":
        text = f"log, capped at {t.cap:,.10g}"
    elif t.kind == "linear":
        text = f"linear, capped at {t.cap:,.10g}"
    else:
        text = "percentile in category"
    return text + (", smaller is better" if t.smaller_is_better else "")


def _names(names: list[str]) -> str:
    return ", ".join(f"`{n}`" for n in names) or "none"


def _ratio_pairs(m: Methodology) -> str:
    """`likes/downloads_30d` (model, corpus), … — each pair once, with the categories it is in."""
    where: dict[tuple[str, str], list[str]] = {}
    for category, pairs in m.integrity.ratio_pairs.items():
        for pair in pairs:
            where.setdefault((pair.numerator, pair.denominator), []).append(category)
    return (
        "; ".join(f"`{n}/{d}` ({', '.join(cats)})" for (n, d), cats in where.items()) or "no ratios"
    )


def methodology_markdown(methodology: Methodology) -> str:
    m = methodology
    out = [
        f"# {m.title}",
        "",
        f"Methodology version **{m.version}**. Award window: **{m.award_window.start}** to "
        f'**{m.award_window.end}**; growth and "in window" figures count from the start of the '
        "window to its end or the as-of date, whichever comes first.",
        "",
        "_This page is generated from `scoring/methodology.yaml` by `python -m scoring.docs`; "
        "edit the YAML, not this page._",
        "",
        "## How a score is computed",
        "",
        "1. **As-of date.** Only observations, relations and benchmark results recorded up to the "
        "as-of date are used, so a past ranking can be reproduced exactly.",
        "2. **Products from artifacts.** A product's figures are aggregated from its artifacts: "
        "downloads and likes are summed; stars use the aggregation named below (max by default, "
        "so splitting a project into many repositories does not multiply its stars); derivatives "
        "and models trained on a corpus are counted once even when reachable from several "
        "artifacts of the product, and derivatives published by the product's own organisation "
        "are not third-party influence.",
        "3. **Normalisation** to 0–1, robust to heavy tails: *log, capped at T* is "
        "`ln(1+min(S,T)) / ln(1+T)` (OpenSSF criticality_score); *percentile in category* is the "
        "mid-rank share of products of the same category with a smaller value (a lone product "
        "sits at 0.5); *linear* is `min(S,T)/T`; *smaller is better* takes `1 −` the result.",
        "4. **Missing is not zero.** A signal a product lacks is shown as missing; its weight is "
        "shared among the product's present signals in proportion to their weights, and the "
        "product's **coverage** (the share of weight whose signals it has) is shown next to the "
        f"score. Products with coverage below **{m.min_coverage:.0%}** are ranked after all others.",
        "5. **Total** = Σ effective weight × normalised value; each signal's contribution is "
        "shown, and the contributions add up to the total.",
        "",
    ]
    for category in CATEGORIES:
        out += [
            f"## {category.capitalize()}",
            "",
            "| group | signal | what it measures | transform | weight |",
            "|---|---|---|---|---|",
        ]
        for s in m.signals(category):
            spec = SIGNALS[s.name]
            how = (
                f" ({m.aggregation(s)} over artifacts)"
                if spec.metric and m.aggregation(s) != "sum"
                else ""
            )
            out.append(
                f"| {s.group} | `{s.name}` | {spec.description}{how} | {_transform(s.transform)} | {s.weight:.2f} |"
            )
        out.append("")
    trust = ", ".join(f"{k} {v:g}" for k, v in m.trust_weights.items())
    relations = ", ".join(f"{k} {v:g}" for k, v in m.derivative_relation_weights.items())
    classes = ", ".join(c.label for c in m.cohorts.size_classes)
    ages = ", ".join(str(d) for d in m.cohorts.age_bucket_days)
    it = m.integrity
    iv = m.intervals
    out += [
        "## Performance (benchmarks)",
        "",
        "A benchmark result is scaled to 0–1: its baseline-normalised value when the benchmark "
        "has a known random baseline (or the source gives one), otherwise its mid-rank percentile "
        "among all models with a result on the same benchmark and metric, each model counted once "
        "with its best, values compared as percents of the benchmark's full score (a fraction, a "
        "percent and a score out of 1,000 rank together). Per benchmark a product counts its best "
        "artifact; a product's benchmark score is "
        f"the mean over its results weighted by trust ({trust}), so independent results weigh "
        "more than self-reported ones.",
        "",
        "## Derivatives",
        "",
        f"Third-party derivatives are weighted by relation ({relations}).",
        "",
        "## Cohorts (model fairness)",
        "",
        f"Models are placed in a size class by parameter count ({classes}; the largest artifact "
        "of the product counts) and an age bucket by days since the first release of the product "
        f"(edges {ages} days). **Relative adoption** (after ATOM's RAM) is the product's all-time "
        f"downloads divided by those of the {m.cohorts.leaders}th best model of its cohort (the "
        "last one if the cohort is smaller): 1 means on a par with the cohort's leaders, so a "
        "small new model is measured against its peers rather than against year-old giants.",
        "",
        "## Rank intervals",
        "",
        "The ranking is recomputed many times (seeded, reproducible) with weights drawn from a "
        f"Dirichlet distribution around the methodology's weights (concentration {iv.concentration:g}) "
        f"and the raw values of {_names(iv.noisy_signals)} multiplied by log-normal noise "
        f"(σ {iv.download_noise:g}). Each product "
        f"shows the {iv.low_quantile:.0%}–{iv.high_quantile:.0%} range of its ranks (widened to "
        "include its published rank) and the share of draws in which it makes the top N.",
        "",
        "## Integrity flags",
        "",
        "Flags are shown with their evidence and never silently applied. "
        + (
            f"The windows of flags {_names(it.excludable)} are **excluded** from the score (the "
            "rise above the usual level is taken out)."
            if it.exclude_flagged_window
            else "Flagged windows are **not excluded** from the score in this version."
        ),
        "",
        f"- **Star burst / download spike**: a day's rise in our own daily series against the "
        f"usual rise of the preceding {it.star_burst.baseline_days // 7} weeks (median of weekly "
        "medians, a rolling median that stays fast on 100,000 series); a series that was at zero "
        "in those weeks is a new artifact taking off and is not judged; robust z ≥ "
        f"{it.star_burst.z_threshold:g}, at least {it.star_burst.min_ratio:g}× the usual rise, and at "
        f"least {it.star_burst.min_increase:,.0f} stars / {it.download_spike.min_increase:,.0f} "
        f"downloads a day; a download spike must last at least {it.download_spike.min_days} days "
        "(one-day jumps of 30-day counts are often recounts). The scale is the larger of "
        "1.4826·MAD and the Poisson noise √median.",
        "- **Downloads decreased**: Hugging Face all-time downloads that fell between two "
        "observations (a recount or CI clean-up).",
        f"- **Ratio outliers**: {_ratio_pairs(m)} with a robust z ≥ {it.ratio_outlier.z_threshold:g} on the log ratio within the category "
        f"(at least {it.ratio_outlier.min_products} products, numerator ≥ {it.ratio_outlier.min_numerator:g}).",
        f"- **Suspect stargazers** (StarScout heuristics, when the GitHub collector sampled "
        f"stargazers): ≥ {it.stargazers.min_low_activity:g} low-activity accounts (one active day, "
        f"≤ 2 actions, ≤ 1 repository), ≥ {it.stargazers.min_lockstep:g} lockstep stargazers, or a "
        f"low-activity share ≥ {it.stargazers.min_share:.0%} of the sample that extrapolates to "
        f"≥ {it.stargazers.min_low_activity:g} stars.",
        "",
    ]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args and args[0] in ("-h", "--help"):
        print((__doc__ or "python -m scoring.docs [FILE]").strip())
        return 0
    methodology = load_methodology(Path(args[0]) if args else None)
    DOCS_PATH.parent.mkdir(parents=True, exist_ok=True)
    DOCS_PATH.write_text(methodology_markdown(methodology), encoding="utf-8")
    print(f"wrote {DOCS_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
