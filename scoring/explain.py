"""One product's score in plain words: every signal's raw value, normalised value, weight and
contribution, grouped under the measure's words (a downloads signal with what each hub gave),
then the flags with their evidence."""

from __future__ import annotations

from collections.abc import Mapping

from ossimpact.domain import ScoreRow
from scoring.catalogue import SIGNALS
from scoring.eligibility import ELIGIBILITY_FLAGS
from scoring.hubs import HUB_NAMES, HUB_PREFIXES
from scoring.methodology import Methodology

_TEXT = {
    "en": {
        "head": "**{product}** ({category}): score {total:.3f}, rank {rank} "
        "(interval {low}–{high}{share}), coverage {coverage:.0%}, methodology {version}",
        "share": ", top-N in {share:.0%} of draws",
        "cohort": "Cohort: {cohort}",
        "line": "- {signal}: raw {raw} → normalised {norm:.3f} × weight {weight:.3f} "
        "(effective {eff:.3f}) = {contrib:.3f}",
        "missing": "- {signal}: missing; its weight {weight:.3f} is shared among the present signals",
        "hubs": "  - by hub: {parts}",
        "flags": "Integrity flags:",
        "flag": "- {kind}{artifact}: {evidence}{excluded}",
        "excluded": " (window excluded from the score)",
        "no_flags": "No integrity flags.",
        "eligibility": "Eligibility doubts (for the committee to decide):",
        "no_eligibility": "No eligibility doubts.",
    },
    "zh": {
        "head": "**{product}**（{category}）：得分 {total:.3f}，排名 {rank}"
        "（区间 {low}–{high}{share}），覆盖率 {coverage:.0%}，方法版本 {version}",
        "share": "，{share:.0%} 的抽样中进入前 N",
        "cohort": "同类组：{cohort}",
        "line": "- {signal}：原始值 {raw} → 归一化 {norm:.3f} × 权重 {weight:.3f}"
        "（有效权重 {eff:.3f}）= {contrib:.3f}",
        "missing": "- {signal}：缺失；其权重 {weight:.3f} 按比例分配给其余信号",
        "hubs": "  - 各平台：{parts}",
        "flags": "数据可信度提示：",
        "flag": "- {kind}{artifact}：{evidence}{excluded}",
        "excluded": "（该时段已从得分中排除）",
        "no_flags": "无数据可信度提示。",
        "eligibility": "参评资格疑点（由评审委员会决定）：",
        "no_eligibility": "无参评资格疑点。",
    },
}
_CATEGORY_ZH = {"model": "模型", "corpus": "语料", "community": "社区"}
_GROUP_ZH = {
    "high downloads": "下载量高",
    "excellent performance": "性能优异",
    "large influence": "影响力大",
    "community results": "社区成效",
}


def _raw(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 or value == int(value) else f"{value:,.3g}"


def explain(
    row: ScoreRow,
    methodology: Methodology,
    lang: str = "en",
    hubs: Mapping[str, Mapping[str, float]] | None = None,
) -> str:
    """Markdown lines explaining a score row; `lang` is "en" or "zh". `hubs`: signal → hub →
    raw figure (`scoring.hubs.downloads_by_hub`), shown under the signal it adds up."""
    t = _TEXT["zh" if lang.startswith("zh") else "en"]
    zh = t is _TEXT["zh"]
    names = HUB_NAMES["zh" if zh else "en"]
    share = "" if row.top_n_share != row.top_n_share else t["share"].format(share=row.top_n_share)
    lines = [
        t["head"].format(
            product=row.product_id,
            category=_CATEGORY_ZH[row.category] if zh else row.category,
            total=row.total,
            rank=row.rank,
            low=row.rank_low,
            high=row.rank_high,
            share=share,
            coverage=row.coverage,
            version=row.methodology_version,
        )
    ]
    if row.cohort:
        lines.append(t["cohort"].format(cohort=row.cohort))
    groups = {s.name: s.group for s in methodology.signals(row.category)}
    current = None
    for c in row.contributions:
        group = groups.get(c.signal, "")
        if group != current:
            current = group
            lines.append("")
            lines.append(f"*{_GROUP_ZH.get(group, group) if zh else group}*")
        spec = SIGNALS.get(c.signal)
        label = c.signal
        if spec is not None:
            label = f"{c.signal} ({spec.description_zh if zh else spec.description})"
        if c.raw is None or c.normalized is None:
            lines.append(t["missing"].format(signal=label, weight=c.weight))
        else:
            lines.append(
                t["line"].format(
                    signal=label,
                    raw=_raw(c.raw),
                    norm=c.normalized,
                    weight=c.weight,
                    eff=c.effective_weight,
                    contrib=c.contribution,
                )
            )
            per_hub = (hubs or {}).get(c.signal)
            if per_hub:
                parts = " · ".join(
                    f"{names[h]} {_raw(per_hub[h])}" for h in HUB_PREFIXES if h in per_hub
                )
                lines.append(t["hubs"].format(parts=parts))
    integrity = [f for f in row.flags if f.kind not in ELIGIBILITY_FLAGS]
    eligibility = [f for f in row.flags if f.kind in ELIGIBILITY_FLAGS]
    for heading, found, none in (
        (t["flags"], integrity, t["no_flags"]),
        (t["eligibility"], eligibility, t["no_eligibility"]),
    ):
        lines.append("")
        lines.append(heading if found else none)
        lines.extend(
            t["flag"].format(
                kind=f.kind,
                artifact=f" [{f.artifact}]" if f.artifact else "",
                evidence=f.evidence,
                excluded=t["excluded"] if f.excluded else "",
            )
            for f in found
        )
    return "\n".join(lines)
