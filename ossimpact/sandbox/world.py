"""Generates a synthetic Shanghai ecosystem (`World`) from a seed, for the fake servers and the demo.

Everything random comes from one `random.Random(seed)` and a numpy Generator seeded from it, and
records are built in a fixed order, so the same arguments give the same world on every machine.
Figures are heavy-tailed like the real platforms: a few flagships with millions of downloads or
tens of thousands of stars, most artifacts with tens to thousands. Daily histories exist for the
tracked (registry-owned) artifacts only; third-party derivatives carry current figures.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import math
import random
import re
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import numpy as np
import numpy.typing as npt

from ossimpact.sandbox.catalogue import publish_catalogue
from ossimpact.sandbox.model import (
    GhIssue,
    GhOrg,
    GhRelease,
    GhRepo,
    GhStar,
    GhUser,
    HfCollection,
    HfDataset,
    HfEvalResult,
    HfModel,
    LeaderboardEntry,
    OpenDiggerSeries,
    PlantedGaming,
    World,
)

FloatArray = npt.NDArray[np.float64]

THIRD_PARTY_AUTHORS = (
    "bartowski",
    "unsloth",
    "mlx-community",
    "TheBloke",
    "lmstudio-community",
    "QuantFactory",
    "mradermacher",
)
FAMOUS_DATASETS = (
    "HuggingFaceFW/fineweb",
    "allenai/c4",
    "teknium/OpenHermes-2.5",
    "BAAI/Infinity-Instruct",
    "liuhaotian/LLaVA-Instruct-150K",
    "open-r1/OpenR1-Math-220k",
)
# dataset id, task id, leaderboard column, (score of a ~0.5B model, score of a ~72B model)
BENCHMARKS = (
    ("cais/mmlu", "mmlu", "MMLU", (30.0, 86.0)),
    ("openai/gsm8k", "gsm8k", "GSM8K", (25.0, 93.0)),
    ("TIGER-Lab/MMLU-Pro", "mmlu_pro", "MMLU-Pro", (12.0, 68.0)),
    ("haonan-li/cmmlu", "cmmlu", "CMMLU", (32.0, 88.0)),
    ("ceval/ceval-exam", "ceval", "C-Eval", (33.0, 87.0)),
    ("Idavidrein/gpqa", "gpqa", "GPQA", (22.0, 55.0)),
    ("openai/openai_humaneval", "humaneval", "HumanEval", (15.0, 88.0)),
    ("google/IFEval", "ifeval", "IFEval", (30.0, 85.0)),
    ("lukaemon/bbh", "bbh", "BBH", (25.0, 84.0)),
    ("MMMU/MMMU", "mmmu", "MMMU", (25.0, 70.0)),
    ("opencompass/MMBench", "mmbench", "MMBench", (40.0, 88.0)),
    ("echo840/OCRBench", "ocrbench", "OCRBench", (35.0, 89.0)),
)
VISION_BENCHMARKS = frozenset({"MMMU/MMMU", "opencompass/MMBench", "echo840/OCRBench"})
SIZE_SUFFIXES = ("0.5B", "1B", "1.8B", "2B", "4B", "7B", "8B", "14B", "20B", "32B", "38B", "72B")
PATTERN_MODEL_SUFFIXES = ("1B", "2B", "8B", "14B", "38B", "78B", "8B-AWQ", "8B-GGUF")
PATTERN_OTHER_SUFFIXES = ("v2", "Lite", "Pro", "Mini", "Plus")
FAMILY_WORDS = ("Chat", "VL", "Coder", "Math", "Audio", "Omni", "Vision", "Reason", "Agent", "Doc")
MODEL_VARIANTS = ("", "-Instruct", "-Chat", "-Base")
QUANT_SUFFIXES = ("AWQ", "GPTQ-Int4", "GGUF", "FP8")
PIPELINES = (
    ("text-generation", 50),
    ("image-text-to-text", 16),
    ("feature-extraction", 7),
    ("text-to-image", 6),
    ("automatic-speech-recognition", 4),
    ("text-to-speech", 3),
    ("image-classification", 4),
    (None, 10),
)
LIBRARY_BY_PIPELINE = {
    "text-generation": "transformers",
    "image-text-to-text": "transformers",
    "feature-extraction": "sentence-transformers",
    "text-to-image": "diffusers",
    "automatic-speech-recognition": "transformers",
    "text-to-speech": "transformers",
    "image-classification": "timm",
}
LICENSES = (("apache-2.0", 55), ("mit", 20), ("other", 20), (None, 5))
DATASET_WORDS = ("Bench", "Corpus", "Instruct", "Pretrain", "Eval", "Doc", "Math", "Code", "Vision")
REPO_WORDS = (
    "deploy",
    "tuner",
    "bench",
    "eval",
    "agent",
    "kit",
    "serve",
    "cookbook",
    "studio",
    "parser",
    "docs",
    "toolkit",
    "datasets",
    "finetune",
)
LANGUAGES = (("Python", 60), ("C++", 10), ("TypeScript", 8), ("Jupyter Notebook", 8), ("Go", 4))
REPO_LICENSES = (("Apache-2.0", 55), ("MIT", 25), ("BSD-3-Clause", 5), ("NOASSERTION", 5))
TOPICS = (
    "llm",
    "multimodal",
    "deep-learning",
    "pytorch",
    "computer-vision",
    "nlp",
    "inference",
    "evaluation",
    "rag",
    "agents",
    "ocr",
    "quantization",
)
BOTS = ("dependabot[bot]", "github-actions[bot]", "pre-commit-ci[bot]")
NAME_PARTS = (
    "zhang",
    "wang",
    "li",
    "liu",
    "chen",
    "yang",
    "huang",
    "zhao",
    "wu",
    "zhou",
    "xu",
    "sun",
    "ma",
    "zhu",
    "hu",
    "guo",
    "lin",
    "luo",
    "gao",
    "alex",
    "sam",
    "kai",
    "leo",
    "max",
    "amy",
    "eva",
    "ian",
    "joe",
    "nova",
    "pixel",
    "code",
    "dev",
    "ml",
    "ai",
)
OPENDIGGER_METRICS = (
    "openrank",
    "activity",
    "attention",
    "participants",
    "bus_factor",
    "new_contributors",
    "issue_response_time",
)
RECENT_STARGAZERS = 200
BURST_STARS = 2_000
BURST_DAYS_AGO = 40  # or a third of a shorter history
MIN_HISTORY_DAYS = 30
MIN_SIZE = 40  # room for the planted gaming and the troublemakers


class WorldSpecError(ValueError):
    """The arguments cannot describe a world (bad size, no handles, unreadable pattern)."""


@dataclasses.dataclass(frozen=True)
class _Pattern:
    kind: str  # "model" | "dataset" | "repo"
    owner: str
    name: str  # may contain "*"


def generate_world(
    seed: int = 20251,
    size: int = 600,
    *,
    hf_handles: Sequence[str],
    gh_handles: Sequence[str],
    product_patterns: Sequence[str] = (),
    today: date = date(2026, 11, 28),
    history_days: int = 120,
    troublemakers: bool = True,
    catalogue: bool = False,
) -> World:
    """A deterministic synthetic ecosystem of about `size` tracked artifacts; with `catalogue`,
    handles with a real-habit catalogue (`sandbox/catalogue.py`) publish all of it instead."""
    if size < MIN_SIZE:
        raise WorldSpecError(f"world size must be at least {MIN_SIZE} artifacts, got {size}")
    if history_days < MIN_HISTORY_DAYS:
        raise WorldSpecError(
            f"history_days must be at least {MIN_HISTORY_DAYS}, got {history_days}"
        )
    if not hf_handles or not gh_handles:
        raise WorldSpecError("a world needs at least one Hugging Face and one GitHub handle")
    patterns = [_parse_pattern(text) for text in product_patterns]
    builder = _WorldBuilder(seed, size, list(hf_handles), list(gh_handles), today, history_days)
    builder.catalogue = catalogue
    return builder.build(patterns, troublemakers=troublemakers)


def world_fingerprint(world: World) -> str:
    """sha256 over a canonical dump of the world: equal worlds give equal fingerprints."""
    digest = hashlib.sha256()
    for chunk in _canonical_chunks(world):
        digest.update(chunk.encode())
        digest.update(b"\n")
    return digest.hexdigest()


def _parse_pattern(text: str) -> _Pattern:
    match = re.fullmatch(r"hf:(model|dataset):([^/\s]+)/([^/\s]+)|gh:([^/\s:]+)/([^/\s]+)", text)
    if match is None:
        raise WorldSpecError(
            f"product pattern {text!r} is not hf:model:OWNER/NAME, hf:dataset:OWNER/NAME "
            "or gh:OWNER/REPO"
        )
    if match.group(1):
        return _Pattern(match.group(1), match.group(2), match.group(3))
    return _Pattern("repo", match.group(4), match.group(5))


def _plain(value: Any) -> Any:
    """JSON fallback: records by their fields, dates in ISO form."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return vars(value)
    raise TypeError(f"cannot fingerprint a {type(value).__name__}")


def _canonical_chunks(world: World) -> Iterator[str]:
    yield json.dumps([world.seed, world.size, world.today.isoformat(), world.history_days])
    yield json.dumps([world.hf_authors, world.synthetic])
    if world.hf_renamed_authors or world.gh_renamed_orgs:  # absent: earlier fingerprints hold
        yield json.dumps([world.hf_renamed_authors, world.gh_renamed_orgs], sort_keys=True)
    sections: list[tuple[str, dict[Any, Any] | list[Any]]] = [
        ("models", world.models),
        ("datasets", world.datasets),
        ("spaces", world.spaces),
        ("users", world.users),
        ("orgs", world.orgs),
        ("repos", world.repos),
        ("opendigger", world.opendigger),
        ("collections", world.collections),
        ("leaderboard", world.leaderboard),
        ("planted", world.planted),
    ]
    for name, records in sections:
        yield name
        if isinstance(records, dict):
            for key in sorted(records, key=str):
                yield json.dumps([str(key), records[key]], sort_keys=True, default=_plain)
        else:
            for record in records:
                yield json.dumps(record, sort_keys=True, default=_plain)


def _split(total: int, weights: Sequence[float]) -> list[int]:
    """Largest-remainder split of `total` in proportion to `weights`."""
    scale = total / sum(weights)
    shares = [w * scale for w in weights]
    counts = [int(s) for s in shares]
    order = sorted(range(len(shares)), key=lambda i: (counts[i] - shares[i], i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _stem(handle: str) -> str:
    """A family stem from a handle: "MiniMaxAI" -> "MiniMax", "stepfun-ai" -> "stepfun"."""
    stem = re.sub(r"(?i)[-_]?ai$", "", handle) or handle
    return stem.replace("-", "").replace("_", "")


def _parameters(name: str) -> int | None:
    match = re.search(r"(\d+(?:\.\d+)?)B(?![a-z])", name)
    return int(float(match.group(1)) * 1e9) if match else None


class _WorldBuilder:
    def __init__(
        self,
        seed: int,
        size: int,
        hf_handles: list[str],
        gh_handles: list[str],
        today: date,
        history_days: int,
    ) -> None:
        self.rng = random.Random(seed)
        self.np = np.random.default_rng(self.rng.getrandbits(64))
        self.size = size
        self.hf_handles = hf_handles
        self.gh_handles = gh_handles
        self.today = today
        self.now = datetime.combine(today, time(12, 0), tzinfo=UTC)
        self.days = history_days
        self.world = World(seed=seed, size=size, today=today, history_days=history_days)
        self.world.hf_authors = list(hf_handles)
        self.flagships: set[str] = set()  # ids generated from product patterns
        self.tracked_models: list[HfModel] = []
        self.next_id = 10_000_000
        # organisation logins are taken: no generated user may share one
        self.logins: set[str] = set(gh_handles)
        self.pool: list[str] = []
        self.catalogue = False  # publish sandbox/catalogue.py's real-habit names where known

    # --- small helpers -------------------------------------------------------------------
    def weighted(self, options: Sequence[tuple[Any, int]]) -> Any:
        values = [o[0] for o in options]
        return self.rng.choices(values, weights=[o[1] for o in options])[0]

    def lognormal(self, median: float, sigma: float) -> float:
        return median * math.exp(self.rng.gauss(0.0, sigma))

    def days_ago(self, days: float) -> datetime:
        return self.now - timedelta(days=days, seconds=self.rng.randrange(40_000))

    def new_id(self) -> int:
        self.next_id += self.rng.randrange(1, 50)
        return self.next_id

    def org_weights(self, n: int) -> list[float]:
        return [1.0 / (i + 1) ** 1.2 for i in range(n)]

    # --- the whole world -------------------------------------------------------------------
    def build(self, patterns: list[_Pattern], *, troublemakers: bool) -> World:
        n_models = round(self.size * 0.45)
        n_datasets = round(self.size * 0.10)
        n_repos = self.size - n_models - n_datasets
        self.make_user_pool()
        self.make_datasets(n_datasets, [p for p in patterns if p.kind == "dataset"])
        self.make_models(n_models, [p for p in patterns if p.kind == "model"])
        self.make_orgs()
        self.make_repos(n_repos, [p for p in patterns if p.kind == "repo"])
        self.hf_histories()
        self.gh_histories()
        self.make_derivatives()
        self.make_spaces()
        self.make_evaluations()
        self.make_collections()
        self.make_stargazers_and_community()
        self.make_opendigger()
        self.plant_gaming()
        if troublemakers:
            self.add_troublemakers()
        return self.world

    # --- GitHub users ----------------------------------------------------------------------
    def new_login(self, fresh: bool = False) -> str:
        while True:
            a, b = self.rng.choice(NAME_PARTS), self.rng.choice(NAME_PARTS)
            if fresh:
                login = f"{a}{b}{self.rng.randrange(10_000, 99_999)}"
            else:
                login = self.rng.choice((f"{a}{b}", f"{a}-{b}", f"{a}{b}{self.rng.randrange(100)}"))
            if login not in self.logins:
                self.logins.add(login)
                return login

    def add_user(self, login: str, user: GhUser) -> None:
        self.world.users[login] = user

    def make_user_pool(self) -> None:
        for bot in BOTS:
            self.logins.add(bot)
            self.add_user(
                bot,
                GhUser(bot, self.new_id(), datetime(2017, 5, 1, tzinfo=UTC), 0, 0, 0, 0, True),
            )
        n = min(25_000, max(600, self.size * 2))
        draw = self.np
        age_days = draw.uniform(200, 16 * 365, size=n).tolist()
        followers = np.floor(12 * np.exp(draw.normal(0, 1.6, size=n))).astype(int).tolist()
        following = np.floor(10 * np.exp(draw.normal(0, 1.2, size=n))).astype(int).tolist()
        repos = (1 + np.floor(18 * np.exp(draw.normal(0, 1.0, size=n)))).astype(int).tolist()
        gists = np.floor(np.exp(draw.normal(0, 1.2, size=n))).astype(int).tolist()
        active = draw.integers(8, 301, size=n).tolist()
        events = draw.integers(40, 4_001, size=n).tolist()
        for i in range(n):
            login = self.new_login()
            self.add_user(
                login,
                GhUser(
                    login=login,
                    id=self.new_id(),
                    created_at=self.now - timedelta(days=age_days[i]),
                    followers=followers[i],
                    following=following[i],
                    public_repos=repos[i],
                    public_gists=gists[i],
                    active_days=active[i],
                    events=events[i],
                ),
            )
            self.pool.append(login)

    # --- Hugging Face ----------------------------------------------------------------------
    def model(self, model_id: str, author: str, *, flagship: bool = False) -> HfModel:
        age = self.rng.uniform(5, 3 * 365)
        d30 = int(self.lognormal(400000, 0.9)) if flagship else int(self.lognormal(300, 2.2))
        created = self.days_ago(age)
        name = model_id.split("/", 1)[1]
        pipeline = self.weighted(PIPELINES)
        if "VL" in name or "Vision" in name:
            pipeline = "image-text-to-text"
        library = "gguf" if "GGUF" in name else LIBRARY_BY_PIPELINE.get(pipeline or "")
        return HfModel(
            id=model_id,
            author=author,
            created_at=created,
            last_modified=created + (self.now - created) * self.rng.random(),
            downloads_30d=d30,
            downloads_all_time=d30,  # set with the history
            likes=int(0.8 * d30**0.6 * math.exp(self.rng.gauss(0, 0.4))),
            trending_score=0.0,
            pipeline_tag=pipeline,
            library_name=library,
            license=self.weighted(LICENSES),
            gated="auto" if self.rng.random() < 0.05 else False,
            parameters=_parameters(name),
        )

    def add_model(self, model: HfModel) -> None:
        self.world.models[model.id] = model
        self.tracked_models.append(model)

    def quantize(self, base: HfModel, suffix: str, author: str | None = None) -> HfModel:
        owner = author or base.author
        quant = self.model(f"{owner}/{base.id.split('/', 1)[1]}-{suffix}", owner)
        quant.downloads_30d = max(1, int(base.downloads_30d * self.rng.uniform(0.02, 0.3)))
        quant.likes = max(0, int(base.likes * self.rng.uniform(0.01, 0.1)))
        quant.base_model, quant.base_relation = base.id, "quantized"
        quant.pipeline_tag, quant.parameters, quant.license = (
            base.pipeline_tag,
            base.parameters,
            base.license,
        )
        quant.created_at = max(quant.created_at, base.created_at + timedelta(days=2))
        quant.last_modified = max(quant.last_modified, quant.created_at)
        return quant

    def make_models(self, total: int, patterns: list[_Pattern]) -> None:
        # Flagship families take at most half of the models, so a registry with many families
        # still leaves ordinary models (and room to plant gaming away from the flagships).
        families = sum(1 for pattern in patterns if "*" in pattern.name)
        per_family = len(PATTERN_MODEL_SUFFIXES)
        if families:
            per_family = max(1, min(per_family, (total // 2) // families))
        suffixes = PATTERN_MODEL_SUFFIXES[:per_family]
        for pattern in patterns:
            if "*" not in pattern.name:
                self.add_model(self.model(f"{pattern.owner}/{pattern.name}", pattern.owner))
                self.flagships.add(f"{pattern.owner}/{pattern.name}")
                continue
            bases: dict[str, HfModel] = {}
            for suffix in suffixes:
                model_id = f"{pattern.owner}/{pattern.name.replace('*', suffix)}"
                size_part = suffix.split("-", 1)[0]
                if "-" in suffix and size_part in bases:
                    model = self.quantize(bases[size_part], suffix.split("-", 1)[1])
                    model.id = model_id
                else:
                    model = self.model(model_id, pattern.owner, flagship=True)
                    model.downloads_30d = int(
                        model.downloads_30d * (2.0 if "8B" in suffix else 1.0)
                    )
                    bases[size_part] = model
                self.add_model(model)
                self.flagships.add(model_id)
        counts = _split(
            max(0, total - len(self.world.models)), self.org_weights(len(self.hf_handles))
        )
        for handle, count in zip(self.hf_handles, counts, strict=True):
            self.org_models(handle, count)

    def org_models(self, handle: str, count: int) -> None:
        if self.catalogue and publish_catalogue(self, handle):
            return
        stem = _stem(handle)
        made = 0
        version = 1
        while made < count:
            word = self.rng.choice(FAMILY_WORDS)
            family = f"{stem}-{word}{version}" if self.rng.random() < 0.6 else f"{stem}{version}"
            version += 1
            sizes = sorted(
                self.rng.sample(SIZE_SUFFIXES, self.rng.randint(1, 4)), key=SIZE_SUFFIXES.index
            )
            if self.rng.random() < 0.1:
                sizes = ["reward"]
            variant = self.rng.choice(MODEL_VARIANTS)
            for size in sizes:
                if made >= count:
                    break
                model_id = f"{handle}/{family}-{size}{variant}"
                if model_id in self.world.models:
                    continue
                base = self.model(model_id, handle)
                self.add_model(base)
                made += 1
                if made < count and self.rng.random() < 0.2:
                    quant = self.quantize(base, self.rng.choice(QUANT_SUFFIXES))
                    if quant.id not in self.world.models:
                        self.add_model(quant)
                        made += 1

    def dataset(self, dataset_id: str, author: str, *, flagship: bool = False) -> HfDataset:
        created = self.days_ago(self.rng.uniform(5, 3 * 365))
        d30 = int(self.lognormal(40_000 if flagship else 150, 0.8 if flagship else 2.0))
        name = dataset_id.split("/", 1)[1]
        benchmark = "Bench" in name or "Eval" in name or self.rng.random() < 0.1
        return HfDataset(
            id=dataset_id,
            author=author,
            created_at=created,
            last_modified=created + (self.now - created) * self.rng.random(),
            downloads_30d=d30,
            downloads_all_time=d30,
            likes=int(0.5 * d30**0.55 * math.exp(self.rng.gauss(0, 0.5))),
            trending_score=0.0,
            license=self.weighted(LICENSES),
            gated="auto" if self.rng.random() < 0.08 else False,
            description=f"Synthetic {'benchmark' if benchmark else 'dataset'} {name}.",
            benchmark=benchmark,
        )

    def make_datasets(self, total: int, patterns: list[_Pattern]) -> None:
        for pattern in patterns:
            suffixes = PATTERN_OTHER_SUFFIXES[:2] if "*" in pattern.name else ("",)
            for suffix in suffixes:
                dataset_id = f"{pattern.owner}/{pattern.name.replace('*', suffix)}"
                self.world.datasets[dataset_id] = self.dataset(
                    dataset_id, pattern.owner, flagship=True
                )
                self.flagships.add(dataset_id)
        counts = _split(
            max(0, total - len(self.world.datasets)), self.org_weights(len(self.hf_handles))
        )
        for handle, count in zip(self.hf_handles, counts, strict=True):
            made = 0
            while made < count:
                word = self.rng.choice(DATASET_WORDS)
                name = f"{_stem(handle)}{word}{self.rng.choice(('', '-v2', '-1M', '-zh', '-Lite'))}"
                dataset_id = f"{handle}/{name}"
                if dataset_id in self.world.datasets:
                    dataset_id = f"{dataset_id}-{made}"
                self.world.datasets[dataset_id] = self.dataset(dataset_id, handle)
                made += 1

    def hf_histories(self) -> None:
        models = self.tracked_models
        datasets = list(self.world.datasets.values())
        records: list[HfModel | HfDataset] = [*models, *datasets]
        created = [self.creation_index(r.created_at) for r in records]
        downloads = self.rolling_histories([r.downloads_30d for r in records], created)
        likes = self.cumulative_histories([r.likes for r in records], created)
        for i, record in enumerate(records):
            record.downloads_history = downloads[i].tolist()
            record.likes_history = likes[i].tolist()
            span_total = int(downloads[i][::30].sum())
            age_months = max(1.0, (self.now - record.created_at).days / 30)
            all_time = int(record.downloads_30d * age_months * self.rng.uniform(0.5, 1.2))
            record.downloads_all_time = max(all_time, span_total, record.downloads_30d)
            record.trending_score = round(
                float(record.likes_history[-1] - record.likes_history[-8])
                + record.downloads_30d / 50_000,
                1,
            )

    def creation_index(self, created_at: datetime) -> int:
        age = (self.now - created_at).days
        return max(0, self.days - 1 - age)

    def noise(self, rows: int, cols: int, sigma: float) -> FloatArray:
        return np.exp(self.np.normal(0.0, sigma, size=(rows, cols)))

    def cumulative_histories(self, current: list[int], created: list[int]) -> npt.NDArray[np.int64]:
        """Non-decreasing daily totals ending at `current`, zero before creation."""
        n, days = len(current), self.days
        if n == 0:
            return np.zeros((0, days), dtype=np.int64)
        target = np.asarray(current, dtype=np.float64)
        start_share = self.np.uniform(0.55, 0.9, size=n)
        start_idx = np.asarray(created)
        steps = self.noise(n, days, 0.25)
        cols = np.arange(days)
        steps[cols[None, :] <= start_idx[:, None]] = 0.0
        growth = np.cumsum(steps, axis=1)
        growth /= np.maximum(growth[:, -1:], 1e-9)
        # an artifact created inside the window starts from zero, an older one from a share
        base = np.where(start_idx > 0, 0.0, start_share * target)
        values = base[:, None] + (target - base)[:, None] * growth
        values[cols[None, :] < start_idx[:, None]] = 0.0
        result = np.floor(values).astype(np.int64)
        result[:, -1] = np.asarray(current, dtype=np.int64)
        return np.maximum.accumulate(result, axis=1)

    def rolling_histories(self, current: list[int], created: list[int]) -> npt.NDArray[np.int64]:
        """30-day rolling download counts per day, ending at `current`."""
        n, days = len(current), self.days
        if n == 0:
            return np.zeros((0, days), dtype=np.int64)
        span = days + 29
        trend = np.linspace(0.0, 1.0, span)[None, :] * self.np.uniform(-0.4, 0.8, size=(n, 1))
        weekly = 1.0 + 0.08 * np.sin(np.arange(span) * 2 * np.pi / 7)[None, :]
        daily = np.exp(trend) * weekly * self.noise(n, span, 0.15)
        start = np.asarray(created)[:, None] + 29
        daily[np.arange(span)[None, :] < start] = 0.0
        self.daily_downloads = daily
        return self.scale_rolling(daily, current)

    def scale_rolling(self, daily: FloatArray, current: list[int]) -> npt.NDArray[np.int64]:
        cumulative = np.cumsum(daily, axis=1)
        rolling = cumulative[:, 29:] - np.concatenate(
            [np.zeros((daily.shape[0], 1)), cumulative[:, :-30]], axis=1
        )
        target = np.asarray(current, dtype=np.float64)
        scale = np.where(rolling[:, -1] > 0, target / np.maximum(rolling[:, -1], 1e-9), 0.0)
        result = np.rint(rolling * scale[:, None]).astype(np.int64)
        result[:, -1] = np.asarray(current, dtype=np.int64)
        clipped: npt.NDArray[np.int64] = np.maximum(result, 0)
        return clipped

    def make_derivatives(self) -> None:
        bases = [m for m in self.tracked_models if m.base_relation is None and m.parameters]
        wanted = [
            min(150, int(m.downloads_30d**0.33 * self.rng.paretovariate(1.5) * 0.3)) for m in bases
        ]
        cap = 2 * self.size
        if sum(wanted) > cap:
            wanted = [int(w * cap / sum(wanted)) for w in wanted]
        community = [self.new_login() for _ in range(max(20, self.size // 10))]
        authors = [*THIRD_PARTY_AUTHORS, *community]
        relations = (("quantized", 45), ("finetune", 30), ("adapter", 15), ("merge", 10))
        for base, count in zip(bases, wanted, strict=True):
            name = base.id.split("/", 1)[1]
            for k in range(count):
                relation = self.weighted(relations)
                author = self.rng.choice(authors[:7] if relation == "quantized" else authors)
                if relation == "quantized":
                    model_id = f"{author}/{name}-{self.rng.choice(('GGUF', '4bit', '8bit', 'AWQ', 'i1-GGUF'))}"
                else:
                    topic = self.rng.choice(
                        ("medical", "law", "zh", "sft", "dpo", "roleplay", "math")
                    )
                    model_id = f"{author}/{name}-{relation}-{topic}-{k}"
                if model_id in self.world.models:
                    continue
                d30 = int(self.lognormal(60, 1.8))
                life = max(1.0, (self.now - base.created_at).total_seconds() / 86_400 - 1)
                created = base.created_at + timedelta(days=1 + self.rng.random() * life)
                derivative = HfModel(
                    id=model_id,
                    author=author,
                    created_at=created,
                    last_modified=created,
                    downloads_30d=d30,
                    downloads_all_time=int(d30 * (1 + 7 * self.rng.random())),
                    likes=int(d30**0.5 * self.rng.random()),
                    trending_score=round(self.rng.random() * 3, 1),
                    pipeline_tag=base.pipeline_tag,
                    library_name={
                        "quantized": "gguf" if "GGUF" in model_id else "mlx",
                        "adapter": "peft",
                    }.get(relation, "transformers"),
                    license=base.license,
                    gated=False,
                    parameters=None if relation == "adapter" else base.parameters,
                    base_model=base.id,
                    base_relation=relation,
                )
                self.world.models[model_id] = derivative

    def make_spaces(self) -> None:
        popular = sorted(self.tracked_models, key=lambda m: (-m.downloads_30d, m.id))
        popular = popular[: max(3, len(popular) // 10)]
        for model in popular:
            for k in range(min(25, int(self.rng.paretovariate(1.2)))):
                owner = self.rng.choice(self.pool)
                space_id = f"{owner}/{model.id.split('/', 1)[1]}-demo{k or ''}"
                uses = [model.id]
                if self.rng.random() < 0.2:
                    uses.append(self.rng.choice(popular).id)
                uses = sorted(set(uses))
                self.world.spaces[space_id] = uses
                for used in uses:
                    self.world.models[used].spaces.append(space_id)
        by_author: dict[str, list[str]] = {}
        for dataset in self.world.datasets.values():
            by_author.setdefault(dataset.author, []).append(dataset.id)
        for model in self.tracked_models:
            if self.rng.random() < 0.25:
                own = by_author.get(model.author, [])
                if own:
                    model.datasets.append(self.rng.choice(own))
            if self.rng.random() < 0.3:
                model.datasets.append(self.rng.choice(FAMOUS_DATASETS))
            model.datasets = sorted(set(model.datasets))

    def make_evaluations(self) -> None:
        for model in self.tracked_models:
            if model.base_relation or not model.parameters or self.rng.random() > 0.35:
                continue
            vision = model.pipeline_tag == "image-text-to-text"
            # vision-language models report both kinds; text models no vision benchmarks
            choices = [b for b in BENCHMARKS if vision or b[0] not in VISION_BENCHMARKS]
            scale = min(1.0, max(0.0, math.log(model.parameters / 5e8) / math.log(144)))
            on_board = self.rng.random() < 0.5
            for dataset_id, task_id, column, (low, high) in self.rng.sample(
                choices, min(len(choices), self.rng.randint(3, 6))
            ):
                value = round(
                    min(99.0, max(1.0, low + (high - low) * scale + self.rng.gauss(0, 3))), 1
                )
                verified = self.rng.random() < 0.3
                model.eval_results.append(
                    HfEvalResult(
                        dataset_id=dataset_id,
                        task_id=task_id,
                        value=value,
                        verified=verified,
                        source_name="OpenCompass" if verified else None,
                        source_url=f"https://rank.opencompass.org.cn/{task_id}"
                        if verified
                        else None,
                        in_model_index=self.rng.random() < 0.7,
                    )
                )
                if on_board:
                    board_value = value - self.rng.uniform(0.3, 4.0) * self.rng.choice(
                        (1, 1, 1, -0.3)
                    )
                    self.world.leaderboard.append(
                        LeaderboardEntry(
                            model.id, column, round(board_value, 1), "opencompass", dataset_id
                        )
                    )

    def make_collections(self) -> None:
        for handle in self.hf_handles:
            families: dict[str, list[str]] = {}
            for model in self.tracked_models:
                if model.author == handle and model.base_relation is None:
                    family = re.sub(r"-(\d+(\.\d+)?B|reward)\b.*$", "", model.id.split("/", 1)[1])
                    families.setdefault(family, []).append(model.id)
            grouped = [(f, ids) for f, ids in families.items() if len(ids) >= 2]
            for family, ids in grouped[:3]:
                slug = f"{handle}/{family}-{self.rng.getrandbits(32):08x}"
                self.world.collections.append(HfCollection(slug, handle, family, ids))

    # --- GitHub ----------------------------------------------------------------------------
    def make_orgs(self) -> None:
        for rank, handle in enumerate(self.gh_handles):
            members = self.rng.sample(self.pool, self.rng.randint(3, 30))
            self.world.orgs[handle] = GhOrg(
                login=handle,
                id=self.new_id(),
                name=_stem(handle),
                created_at=self.days_ago(self.rng.uniform(400, 9 * 365)),
                followers=int(self.lognormal(3_000 / (rank + 1), 0.6)),
                members=members,
            )

    def repo(self, owner: str, name: str, *, flagship: bool = False) -> GhRepo:
        stars = int(self.lognormal(15_000, 0.8) if flagship else self.lognormal(50, 1.9))
        created = self.days_ago(self.rng.uniform(5, 5 * 365))
        topics = sorted(self.rng.sample(TOPICS, self.rng.randint(0, 5)))
        repo = GhRepo(
            id=self.new_id(),
            owner=owner,
            name=name,
            description=f"Synthetic {name} by {owner}.",
            created_at=created,
            pushed_at=self.days_ago(self.rng.uniform(0, 60)),
            stars=stars,
            forks=int(stars * self.rng.uniform(0.05, 0.2)),
            watchers=int(stars * self.rng.uniform(0.005, 0.03)) + self.rng.randint(1, 10),
            language=self.weighted(LANGUAGES),
            license_spdx=self.weighted(REPO_LICENSES),
            topics=topics,
            stargazers_restricted=self.rng.random() < 0.2,
        )
        repo.archived = not flagship and self.rng.random() < 0.03
        return repo

    def add_repo(self, repo: GhRepo) -> None:
        self.world.repos[repo.full_name] = repo
        if repo.owner in self.world.orgs:
            self.world.orgs[repo.owner].repos.append(repo.name)

    def make_repos(self, total: int, patterns: list[_Pattern]) -> None:
        for pattern in patterns:
            suffixes = PATTERN_OTHER_SUFFIXES[:2] if "*" in pattern.name else ("",)
            for suffix in suffixes:
                repo = self.repo(pattern.owner, pattern.name.replace("*", suffix), flagship=True)
                self.add_repo(repo)
                self.flagships.add(repo.full_name)
        counts = _split(
            max(0, total - len(self.world.repos)), self.org_weights(len(self.gh_handles))
        )
        for handle, count in zip(self.gh_handles, counts, strict=True):
            stem = _stem(handle)
            made = 0
            while made < count:
                word = self.rng.choice((*REPO_WORDS, *(w.lower() for w in FAMILY_WORDS)))
                name = self.rng.choice(
                    (f"{stem}-{word}", f"{word}-{stem.lower()}", f"{stem}{word.title()}")
                )
                if f"{handle}/{name}" in self.world.repos:
                    name = f"{name}-{made}"
                self.add_repo(self.repo(handle, name))
                made += 1

    def gh_histories(self) -> None:
        repos = list(self.world.repos.values())
        created = [self.creation_index(r.created_at) for r in repos]
        histories = self.cumulative_histories([r.stars for r in repos], created)
        for repo, history in zip(repos, histories, strict=True):
            repo.stars_history = history.tolist()

    def make_stargazers_and_community(self) -> None:
        for repo in self.world.repos.values():
            self.stargazers(repo)
            self.community(repo)

    def pool_sample(self, count: int) -> list[str]:
        """`count` distinct logins of the pool (numpy draws: this runs for every repository)."""
        count = min(count, len(self.pool))
        picked: dict[int, None] = {}
        while len(picked) < count:
            draws = self.np.integers(0, len(self.pool), size=count + count // 8 + 4).tolist()
            picked.update(dict.fromkeys(draws))
        return [self.pool[i] for i in list(picked)[:count]]

    def stargazers(self, repo: GhRepo, users: list[str] | None = None) -> None:
        """The most recent stargazers, dated by the repo's own star history, oldest first."""
        logins = (
            users if users is not None else self.pool_sample(min(repo.stars, RECENT_STARGAZERS))
        )
        wanted = len(logins)
        history = np.asarray(repo.stars_history, dtype=np.int64)
        gained = np.maximum(np.diff(history), 0)[::-1]  # newest day first
        days_back = np.repeat(np.arange(gained.size), gained)[:wanted]
        seconds = days_back * 86_400 + self.np.integers(0, 43_000, size=days_back.size)
        missing = wanted - days_back.size
        if missing > 0:
            # older stars are spread over the repo's life before the window, not piled on one day
            window = (len(history) - 1) * 86_400
            life = max(86_400.0, (self.now - repo.created_at).total_seconds() - window)
            older = window + self.np.uniform(1.0, life, size=missing).astype(np.int64)
            seconds = np.concatenate([seconds, older])
        stamps = (self.now.timestamp() - np.sort(seconds)[::-1]).tolist()  # oldest first
        at = datetime.fromtimestamp
        repo.stargazers = [GhStar(u, at(x, UTC)) for u, x in zip(logins, stamps, strict=True)]

    def community(self, repo: GhRepo) -> None:
        members = self.world.orgs[repo.owner].members if repo.owner in self.world.orgs else []
        n_contrib = max(1, min(100, int(repo.stars**0.5 * self.rng.uniform(0.2, 0.9))))
        insiders = self.rng.sample(members, min(len(members), self.rng.randint(1, 4)))
        outsiders = self.pool_sample(max(0, n_contrib - len(insiders)))
        logins = list(dict.fromkeys([*insiders, *outsiders]))
        counts = sorted((int(self.rng.paretovariate(1.1) * 3) for _ in logins), reverse=True)
        repo.contributors = list(zip(logins, counts, strict=True))
        repo.commits_90d = int(self.lognormal(5 + repo.stars**0.4, 0.8))
        for k in range(self.rng.randint(0, 10)):
            repo.releases.append(
                GhRelease(
                    tag_name=f"v0.{k + 1}.{self.rng.randint(0, 3)}",
                    published_at=self.days_ago(700 - k * 60 - self.rng.randint(0, 50)),
                    asset_downloads=int(self.lognormal(repo.stars * 0.5 + 10, 1.0)),
                )
            )
        responders = [*insiders, BOTS[1]] if insiders else [BOTS[1]]
        n_issues = min(60, int(repo.stars**0.45 * self.rng.uniform(0.2, 1.0)))
        opened = sorted(self.rng.uniform(0, 180) for _ in range(n_issues))
        for number, ago in enumerate(reversed(opened), start=1):
            is_pr = self.rng.random() < 0.4
            author = BOTS[0] if is_pr and self.rng.random() < 0.2 else self.rng.choice(self.pool)
            created = self.days_ago(ago)
            answered = self.rng.random() < 0.82
            first = created + timedelta(hours=self.lognormal(10, 1.5)) if answered else None
            if first is not None and first > self.now:
                first = None
            closed = created + timedelta(days=self.lognormal(6, 1.2))
            repo.issues.append(
                GhIssue(
                    number=number,
                    is_pull_request=is_pr,
                    author=author,
                    created_at=created,
                    closed_at=closed if closed < self.now and self.rng.random() < 0.7 else None,
                    first_response_at=first,
                    first_responder=self.rng.choice(responders) if first else None,
                )
            )

    def make_opendigger(self) -> None:
        first_of_month = self.today.replace(day=1)
        months: list[str] = []
        cursor = first_of_month
        for _ in range(24):
            cursor = (cursor - timedelta(days=1)).replace(day=1)
            months.append(cursor.strftime("%Y-%m"))
        months.reverse()
        covered = [r for r in self.world.repos.values() if self.rng.random() >= 0.15]
        if not covered:
            return
        level = np.asarray([(r.stars + 5) ** 0.5 for r in covered]) * self.np.uniform(
            0.2, 1.0, size=len(covered)
        )
        walk = level[:, None] * np.exp(np.cumsum(self.np.normal(0.0, 0.12, (len(covered), 24)), 1))
        born = [max(0, 24 - (self.now - r.created_at).days // 30) for r in covered]
        shapes: dict[str, FloatArray] = {
            "openrank": np.round(walk * 0.3, 2),
            "activity": np.round(walk, 2),
            "attention": np.round(walk * 1.8, 2),
            "participants": np.round(walk * 0.4 + 1),
            "bus_factor": np.round(np.maximum(1.0, walk**0.4)).astype(np.float64),
            "new_contributors": np.round(walk * 0.1),
            "issue_response_time": np.round(24 / (1 + walk**0.3), 2),
        }
        for metric in OPENDIGGER_METRICS:
            rows = shapes[metric].tolist()
            for repo, start, row in zip(covered, born, rows, strict=True):
                values = dict(zip(months[start:], row[start:], strict=True))
                key = (repo.full_name, metric)
                self.world.opendigger[key] = OpenDiggerSeries(repo.full_name, metric, values)

    # --- planted gaming ----------------------------------------------------------------------
    def plant_gaming(self) -> None:
        days_ago = min(BURST_DAYS_AGO, self.days // 3)
        burst_idx = self.days - days_ago
        candidates = [r for r in self.world.repos.values() if r.full_name not in self.flagships]
        believable = [
            r
            for r in candidates
            if (self.now - r.created_at).days > self.days + 30
            and 80 <= r.stars <= 3_000
            and not r.archived
        ]
        repos = believable if len(believable) >= 2 else self.oldest(candidates, 2)
        repos.sort(key=lambda r: (r.stars, r.full_name))
        for repo in self.spread(repos, 2):
            fakes = self.fake_accounts(burst_idx)
            per_day = (700, 800, BURST_STARS - 1_500)
            for offset, gained in enumerate(per_day):
                for d in range(burst_idx + offset, self.days):
                    repo.stars_history[d] += gained
            repo.stars += BURST_STARS
            repo.stargazers_restricted = False
            recent_normal = repo.stars_history[-1] - repo.stars_history[burst_idx + 2]
            normal = self.rng.sample(self.pool, max(0, min(recent_normal, len(self.pool))))
            self.stargazers_with_burst(repo, fakes, normal)
            artifact = f"gh:{repo.full_name}"
            self.world.planted.append(
                PlantedGaming(
                    artifact,
                    "star_burst",
                    burst_idx,
                    f"+{BURST_STARS} stars in 3 days, {days_ago} days before {self.today}",
                )
            )
            self.world.planted.append(
                PlantedGaming(
                    artifact,
                    "fake_stargazers",
                    burst_idx,
                    f"{len(fakes)} accounts created the week before, 0-1 followers, 1 active day",
                )
            )
        candidates_m = [
            m for m in self.tracked_models if m.id not in self.flagships and m.base_relation is None
        ]
        believable_m = [
            m
            for m in candidates_m
            if (self.now - m.created_at).days > self.days + 30 and 500 <= m.downloads_30d <= 50_000
        ]
        models = believable_m if len(believable_m) >= 3 else self.oldest(candidates_m, 3)
        models.sort(key=lambda m: (m.downloads_30d, m.id))
        spiked = self.spread(models, 3)
        for model in spiked[:2]:
            self.spike_downloads(model, burst_idx + days_ago // 8)
        if len(spiked) > 2:
            model = spiked[2]
            extra = model.downloads_30d * 3
            for d in range(self.days):
                model.likes_history[d] += int(extra * (d + 1) / self.days)
            model.likes = model.likes_history[-1]
            self.world.planted.append(
                PlantedGaming(
                    f"hf:model:{model.id}",
                    "likes_outlier",
                    self.days - 1,
                    f"{model.likes} likes on {model.downloads_30d} downloads in 30 days",
                )
            )

    def oldest(self, items: list[Any], count: int) -> list[Any]:
        """A tiny world's fallback: its oldest artifacts, whose histories start before the window."""
        return sorted(items, key=lambda item: item.created_at)[: max(count, len(items) // 3)]

    def spread(self, items: list[Any], count: int) -> list[Any]:
        """`count` items taken at even steps through a sorted list, avoiding the ends."""
        if len(items) < count:
            raise WorldSpecError(
                f"the world is too small to plant gaming: {len(items)} candidates, need {count}"
            )
        step = len(items) / (count + 1)
        return [items[int(step * (k + 1))] for k in range(count)]

    def fake_accounts(self, burst_idx: int) -> list[str]:
        burst_day = self.now - timedelta(days=self.days - 1 - burst_idx)
        logins = []
        for _ in range(BURST_STARS):
            login = self.new_login(fresh=True)
            self.add_user(
                login,
                GhUser(
                    login=login,
                    id=self.new_id(),
                    created_at=burst_day - timedelta(days=self.rng.uniform(0.5, 6.5)),
                    followers=self.rng.randint(0, 1),
                    following=self.rng.randint(0, 2),
                    public_repos=self.rng.randint(0, 1),
                    public_gists=0,
                    active_days=1,
                    events=self.rng.randint(1, 2),
                ),
            )
            logins.append(login)
        return logins

    def stargazers_with_burst(self, repo: GhRepo, fakes: list[str], normal: list[str]) -> None:
        """All stargazers since the burst began, so the fake accounts can be inspected."""
        # the oldest of these stamps fall on the burst days (the history says so): the fakes'
        self.stargazers(repo, users=[*fakes, *normal])

    def spike_downloads(self, model: HfModel, start: int) -> None:
        record = self.tracked_models.index(model)
        daily = self.daily_downloads[record].copy()
        daily[start + 29 : start + 29 + 4] *= 20.0
        model.downloads_history = self.scale_rolling(daily[None, :], [model.downloads_30d])[
            0
        ].tolist()
        self.world.planted.append(
            PlantedGaming(
                f"hf:model:{model.id}",
                "download_spike",
                start,
                "20x daily downloads for 4 days",
            )
        )

    # --- troublemakers ---------------------------------------------------------------------
    def add_troublemakers(self) -> None:
        planted = {p.artifact for p in self.world.planted}
        models = [
            m
            for m in self.tracked_models
            if m.id not in self.flagships
            and f"hf:model:{m.id}" not in planted
            and m.base_relation is None
            and not m.spaces
        ]
        renamed, disabled, gated = self.spread(models, 3)
        new_id = f"{renamed.author}/{renamed.id.split('/', 1)[1]}-renamed"
        moved = copy.deepcopy(renamed)
        moved.id = new_id
        renamed.renamed_to = new_id
        self.world.models[new_id] = moved
        self.tracked_models.append(moved)
        disabled.disabled = True
        gated.gated = "manual"
        repos = [
            r
            for r in self.world.repos.values()
            if r.full_name not in self.flagships and f"gh:{r.full_name}" not in planted
        ]
        repos.sort(key=lambda r: (r.stars, r.full_name))
        moved_repo, empty, legal = self.spread(repos, 3)
        new_name = f"{moved_repo.name}-next"
        moved_copy = copy.deepcopy(moved_repo)
        moved_copy.name = new_name
        self.add_repo(moved_copy)
        if moved_repo.owner in self.world.orgs:
            self.world.orgs[moved_repo.owner].repos.remove(moved_repo.name)
        moved_repo.renamed_to = f"{moved_repo.owner}/{new_name}"
        empty.empty = True
        empty.commits_90d = 0
        empty.contributors = []
        empty.releases = []
        legal.unavailable_legal = True
