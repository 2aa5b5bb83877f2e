"""The signals a methodology may name: where each comes from and what it means.

The methodology YAML picks signals from this catalogue and gives them transforms and weights; the
catalogue says how each is derived from observations, so a new signal is one entry here plus one
derivation in `signals.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ossimpact.domain import Category, Metric

Aggregation = Literal["sum", "max", "median"]
AGGREGATIONS: tuple[Aggregation, ...] = ("sum", "max", "median")


@dataclass(frozen=True)
class SignalSpec:
    name: str
    categories: tuple[Category, ...]
    description: str
    description_zh: str
    metric: str | None = None  # the observed metric it aggregates over a product's artifacts
    aggregate: Aggregation | None = None  # default aggregation of `metric`; None = derived


_M: tuple[Category, ...] = ("model",)
_C: tuple[Category, ...] = ("corpus",)
_MC: tuple[Category, ...] = ("model", "corpus")
_G: tuple[Category, ...] = ("community",)

SIGNALS: dict[str, SignalSpec] = {
    s.name: s
    for s in (
        SignalSpec(
            "downloads_30d",
            _MC,
            "Downloads in the last 30 days on every hub (Hugging Face's own figure; ModelScope and "
            "OpenDataLab from our daily snapshots), summed over the product's artifacts",
            "近 30 天下载量（各平台之和：Hugging Face 为平台数据，魔搭与 OpenDataLab 由每日快照推算；产品各制品之和）",
            Metric.DOWNLOADS_30D,
            "sum",
        ),
        SignalSpec(
            "downloads_all_time",
            _MC,
            "All-time downloads on every hub (Hugging Face, ModelScope, OpenDataLab), summed over "
            "the product's artifacts",
            "累计下载量（Hugging Face、魔搭、OpenDataLab 各平台之和；产品各制品之和）",
            Metric.DOWNLOADS_ALL_TIME,
            "sum",
        ),
        SignalSpec(
            "downloads_growth",
            _MC,
            "All-time downloads gained inside the award window (up to the as-of date)",
            "评选周期内（截至评估日）新增的累计下载量",
            None,
            None,
        ),
        SignalSpec(
            "relative_adoption",
            _M,
            "Downloads relative to the leaders of the same size class and age (ATOM-style relative adoption)",
            "相对采用度：与同参数规模、同发布时长模型领先者的下载量之比",
            None,
            None,
        ),
        SignalSpec(
            "benchmark_score",
            _M,
            "Benchmark results scaled 0–1 per benchmark; independent results weigh more than self-reported ones",
            "基准评测成绩（按基准缩放到 0–1，独立评测权重高于自报）",
            None,
            None,
        ),
        SignalSpec(
            "likes",
            _MC,
            "Hugging Face likes, summed over the product's artifacts",
            "Hugging Face 点赞数（产品各制品之和）",
            Metric.LIKES,
            "sum",
        ),
        SignalSpec(
            "derivatives",
            _M,
            "Third-party derivatives (finetunes, adapters, quantisations, merges), each counted once, weighted by relation",
            "第三方衍生模型（微调、适配器、量化、合并），去重计数并按关系加权",
            None,
            None,
        ),
        SignalSpec(
            "spaces",
            _M,
            "Hugging Face Spaces using the product's models",
            "使用该模型的 Hugging Face Spaces 数",
            Metric.SPACES,
            "sum",
        ),
        SignalSpec(
            "code_stars",
            _MC,
            "GitHub stars of the product's code repositories",
            "产品代码仓库的 GitHub 星标数",
            Metric.STARS,
            "max",
        ),
        SignalSpec(
            "models_trained_on",
            _C,
            "Distinct models that declare training on the corpus",
            "声明使用该语料训练的模型数（去重）",
            None,
            None,
        ),
        SignalSpec(
            "evaluations",
            _C,
            "Distinct models evaluated on the corpus (benchmark corpora)",
            "在该语料（评测基准）上评测的模型数",
            None,
            None,
        ),
        SignalSpec(
            "stars",
            _G,
            "GitHub stars of the community's repositories",
            "社区仓库的 GitHub 星标数",
            Metric.STARS,
            "max",
        ),
        SignalSpec(
            "forks",
            _G,
            "GitHub forks of the community's repositories",
            "社区仓库的 GitHub 复刻数",
            Metric.FORKS,
            "max",
        ),
        SignalSpec(
            "stars_growth",
            _G,
            "Stars gained inside the award window (up to the as-of date)",
            "评选周期内（截至评估日）新增的星标数",
            None,
            None,
        ),
        SignalSpec(
            "contributors",
            _G,
            "Contributors to the community's repositories",
            "贡献者人数",
            Metric.CONTRIBUTORS,
            "max",
        ),
        SignalSpec(
            "outside_contributors",
            _G,
            "Contributors from outside the organisation",
            "来自组织外部的贡献者人数",
            Metric.OUTSIDE_CONTRIBUTORS,
            "max",
        ),
        SignalSpec(
            "commits_90d",
            _G,
            "Commits in the last 90 days",
            "近 90 天提交数",
            Metric.COMMITS_90D,
            "sum",
        ),
        SignalSpec(
            "prs_90d",
            _G,
            "Pull requests opened in the last 90 days",
            "近 90 天新建拉取请求数",
            Metric.PRS_OPENED_90D,
            "sum",
        ),
        SignalSpec(
            "issues_90d",
            _G,
            "Issues opened in the last 90 days",
            "近 90 天新建议题数",
            Metric.ISSUES_OPENED_90D,
            "sum",
        ),
        SignalSpec(
            "openrank",
            _G,
            "OpenDigger OpenRank of the latest month",
            "OpenDigger 最近一月 OpenRank",
            Metric.OPENRANK,
            "sum",
        ),
        SignalSpec(
            "activity",
            _G,
            "OpenDigger activity of the latest month",
            "OpenDigger 最近一月活跃度",
            Metric.ACTIVITY,
            "sum",
        ),
        SignalSpec(
            "responsiveness",
            _G,
            "Median hours to the first response on issues and PRs (smaller is better)",
            "议题与拉取请求首次响应时间中位数（小时，越小越好）",
            Metric.MEDIAN_FIRST_RESPONSE_HOURS,
            "median",
        ),
        SignalSpec("releases", _G, "Published releases", "发布版本数", Metric.RELEASES, "sum"),
        SignalSpec(
            "bus_factor",
            _G,
            "Bus factor: fewest contributors making half of the activity",
            "巴士因子：贡献一半活动量的最少人数",
            Metric.BUS_FACTOR,
            "max",
        ),
    )
}
