"""Settings: the only reader of the environment.

Real endpoints are the defaults; mirrors (HF_ENDPOINT) and GitHub Enterprise (GITHUB_API_URL) are
one variable away. Tokens are secret values: they print as `**********`.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AliasChoices, Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from ossimpact.cron import crontab_trigger

# re-exported: the rule lives in the domain, where the collectors can read it too
from ossimpact.domain import graphql_url_for as graphql_url_for

PACKAGE_DATA = Path(__file__).resolve().parent / "data"
DEFAULT_REGISTRY = PACKAGE_DATA / "registry.yaml"
DEFAULT_METHODOLOGY = Path(__file__).resolve().parent.parent / "scoring" / "methodology.yaml"

GITHUB_DOT_COM_API = "https://api.github.com"
SCHEDULE_ENV_PREFIX = "OSSIMPACT_SCHEDULE_"


def _schedule(name: str) -> AliasChoices:
    """The scheduler's variables: OSSIMPACT_SCHEDULE_<NAME>, or the field `schedule_<name>`."""
    return AliasChoices(f"{SCHEDULE_ENV_PREFIX}{name.upper()}", f"schedule_{name}")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="", extra="ignore", populate_by_name=True)

    data_dir: Path = Field(
        default=Path("data"), validation_alias=AliasChoices("OSSIMPACT_DATA_DIR", "data_dir")
    )
    database_url_override: str | None = Field(
        default=None, validation_alias=AliasChoices("OSSIMPACT_DATABASE_URL", "database_url")
    )
    registry_path: Path = Field(
        default=DEFAULT_REGISTRY,
        validation_alias=AliasChoices("OSSIMPACT_REGISTRY", "registry_path"),
    )
    methodology_path: Path = Field(
        default=DEFAULT_METHODOLOGY,
        validation_alias=AliasChoices("OSSIMPACT_METHODOLOGY", "methodology_path"),
    )
    hf_endpoint: str = Field(
        default="https://huggingface.co",
        validation_alias=AliasChoices("HF_ENDPOINT", "hf_endpoint"),
    )
    github_api_url: str = Field(
        default=GITHUB_DOT_COM_API,
        validation_alias=AliasChoices("GITHUB_API_URL", "github_api_url"),
    )
    opendigger_url: str = Field(
        default="https://oss.x-lab.info/open_digger",
        validation_alias=AliasChoices("OSSIMPACT_OPENDIGGER_URL", "opendigger_url"),
    )
    # The JSON file OpenCompass publishes (linked from VLMEvalKit's README as the detailed
    # results); its rank site is a JavaScript app with no data at its root.
    opencompass_url: str = Field(
        default="http://opencompass.openxlab.space/assets/OpenVLM.json",
        validation_alias=AliasChoices("OSSIMPACT_OPENCOMPASS_URL", "opencompass_url"),
    )
    # The mainland hubs. ModelScope's China site (the international modelscope.ai is another site
    # with its own counts); OpenDataLab's dataset API lives on openxlab.org.cn.
    modelscope_endpoint: str = Field(
        default="https://modelscope.cn",
        validation_alias=AliasChoices(
            "MODELSCOPE_ENDPOINT", "OSSIMPACT_MODELSCOPE_ENDPOINT", "modelscope_endpoint"
        ),
    )
    modelscope_token: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("MODELSCOPE_API_TOKEN", "modelscope_token"),
    )
    opendatalab_endpoint: str = Field(
        default="https://openxlab.org.cn/datasets/api/v2",
        validation_alias=AliasChoices(
            "OPENDATALAB_ENDPOINT", "OSSIMPACT_OPENDATALAB_ENDPOINT", "opendatalab_endpoint"
        ),
    )
    open_llm_parquet: Path | None = Field(
        default=None,
        validation_alias=AliasChoices("OSSIMPACT_OPEN_LLM_PARQUET", "open_llm_parquet"),
    )
    hf_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("HF_TOKEN", "hf_token")
    )
    github_token: SecretStr | None = Field(
        default=None, validation_alias=AliasChoices("GITHUB_TOKEN", "github_token")
    )
    dashboard_password: SecretStr | None = Field(
        default=None,
        validation_alias=AliasChoices("OSSIMPACT_DASHBOARD_PASSWORD", "dashboard_password"),
    )
    http_timeout_seconds: float = Field(
        default=30.0,
        validation_alias=AliasChoices("OSSIMPACT_HTTP_TIMEOUT", "http_timeout_seconds"),
    )
    max_rate_limit_wait_seconds: float = Field(
        default=900.0,
        validation_alias=AliasChoices(
            "OSSIMPACT_MAX_RATE_LIMIT_WAIT", "max_rate_limit_wait_seconds"
        ),
    )
    concurrency: int = Field(
        default=8,
        ge=1,
        le=64,
        validation_alias=AliasChoices("OSSIMPACT_CONCURRENCY", "concurrency"),
    )
    # The platforms' published limits, paced before they have to say no (collectors/pacing.py).
    github_requests_per_minute: float = Field(
        default=900.0,
        gt=0,
        validation_alias=AliasChoices(
            "OSSIMPACT_GITHUB_REQUESTS_PER_MINUTE", "github_requests_per_minute"
        ),
    )
    github_graphql_points_per_minute: float = Field(
        default=2000.0,
        gt=0,
        validation_alias=AliasChoices(
            "OSSIMPACT_GITHUB_GRAPHQL_POINTS_PER_MINUTE", "github_graphql_points_per_minute"
        ),
    )
    github_requests_per_hour: float = Field(
        default=5000.0,
        gt=0,
        validation_alias=AliasChoices(
            "OSSIMPACT_GITHUB_REQUESTS_PER_HOUR", "github_requests_per_hour"
        ),
    )
    github_max_concurrency: int = Field(
        default=20,
        ge=1,
        le=100,
        validation_alias=AliasChoices("OSSIMPACT_GITHUB_MAX_CONCURRENCY", "github_max_concurrency"),
    )
    hf_requests_per_window: float = Field(
        default=500.0,
        gt=0,
        validation_alias=AliasChoices("OSSIMPACT_HF_REQUESTS_PER_WINDOW", "hf_requests_per_window"),
    )
    hf_window_seconds: float = Field(
        default=300.0,
        gt=0,
        validation_alias=AliasChoices("OSSIMPACT_HF_WINDOW_SECONDS", "hf_window_seconds"),
    )
    modelscope_requests_per_second: float = Field(
        default=1.0,
        gt=0,
        validation_alias=AliasChoices(
            "OSSIMPACT_MODELSCOPE_REQUESTS_PER_SECOND", "modelscope_requests_per_second"
        ),
    )
    # GitHub's hourly budget spent with its reset further off than this (published seconds): the
    # run stops cleanly, partial, and the next scheduled run resumes with what it did not reach.
    hourly_budget_max_wait_seconds: float = Field(
        default=900.0,
        ge=0,
        validation_alias=AliasChoices(
            "OSSIMPACT_HOURLY_BUDGET_MAX_WAIT", "hourly_budget_max_wait_seconds"
        ),
    )
    # Shrinks every limit's period (the sandbox's fake servers: at 600, a "minute" is 0.1 s).
    pacing_time_scale: float = Field(
        default=1.0,
        gt=0,
        validation_alias=AliasChoices("OSSIMPACT_PACING_TIME_SCALE", "pacing_time_scale"),
    )
    # How long a crashed refresh's lock blocks the next one (its holder stops renewing it).
    refresh_lock_ttl_seconds: float = Field(
        default=120.0,
        gt=0,
        validation_alias=AliasChoices("OSSIMPACT_REFRESH_LOCK_TTL", "refresh_lock_ttl_seconds"),
    )
    synthetic: bool = Field(
        default=False, validation_alias=AliasChoices("OSSIMPACT_SYNTHETIC", "synthetic")
    )
    # The scheduler daemon (`ossimpact schedule`): when each source is refreshed. Cron
    # expressions are read in schedule_timezone; "" turns a source off.
    schedule_timezone: str = Field(default="Asia/Shanghai", validation_alias=_schedule("timezone"))
    schedule_huggingface_cron: str = Field(
        default="0 3 * * *", validation_alias=_schedule("huggingface_cron")
    )
    schedule_github_cron: str = Field(
        default="0 3 * * *", validation_alias=_schedule("github_cron")
    )
    # The mainland hubs keep all-time totals only: daily snapshots are their history. A run of
    # their own, so their one-request-a-second pace and their outages never hold up the others.
    schedule_modelscope_cron: str = Field(
        default="30 3 * * *", validation_alias=_schedule("modelscope_cron")
    )
    schedule_opendatalab_cron: str = Field(
        default="30 3 * * *", validation_alias=_schedule("opendatalab_cron")
    )
    # OpenDigger publishes last month's metrics in the first days of a month.
    schedule_opendigger_cron: str = Field(
        default="0 4 3 * *", validation_alias=_schedule("opendigger_cron")
    )
    schedule_benchmarks_cron: str = Field(
        default="0 5 * * mon", validation_alias=_schedule("benchmarks_cron")
    )
    # A run that starts up to an hour late (restart, busy host) still runs; later it is skipped
    # and the next one is awaited, rather than piling up (coalesce).
    schedule_misfire_grace_seconds: int = Field(
        default=3600, ge=1, validation_alias=_schedule("misfire_grace_seconds")
    )
    # How long a scheduled run waits for a manual refresh that holds the lock.
    schedule_lock_timeout_seconds: float = Field(
        default=4 * 3600.0, gt=0, validation_alias=_schedule("lock_timeout_seconds")
    )
    schedule_run_at_start: bool = Field(default=False, validation_alias=_schedule("run_at_start"))

    @field_validator(
        "hf_endpoint",
        "github_api_url",
        "opendigger_url",
        "opencompass_url",
        "modelscope_endpoint",
        "opendatalab_endpoint",
    )
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")

    @field_validator("schedule_timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown timezone {value!r} (e.g. Asia/Shanghai)") from None
        return value

    @field_validator(
        "schedule_huggingface_cron",
        "schedule_github_cron",
        "schedule_modelscope_cron",
        "schedule_opendatalab_cron",
        "schedule_opendigger_cron",
        "schedule_benchmarks_cron",
    )
    @classmethod
    def _valid_cron(cls, value: str) -> str:
        if value.strip():
            crontab_trigger(value, "UTC")
        return value.strip()

    @property
    def database_url(self) -> str:
        if self.database_url_override:
            return self.database_url_override
        return f"sqlite:///{(self.data_dir / 'ossimpact.db').resolve()}"

    @cached_property
    def github_graphql_url(self) -> str:
        return graphql_url_for(self.github_api_url)

    def effective(self) -> dict[str, str]:
        """The settings as the operator should see them: secrets masked, URLs without passwords."""
        return {
            "data_dir": str(self.data_dir),
            "database_url": mask_url_password(self.database_url),
            "registry": str(self.registry_path),
            "methodology": str(self.methodology_path),
            "hf_endpoint": self.hf_endpoint,
            "github_api_url": self.github_api_url,
            "github_graphql_url": self.github_graphql_url,
            "opendigger_url": self.opendigger_url,
            "opencompass_url": self.opencompass_url,
            "modelscope_endpoint": self.modelscope_endpoint,
            "modelscope_token": _mask(self.modelscope_token),
            "opendatalab_endpoint": self.opendatalab_endpoint,
            "open_llm_parquet": str(self.open_llm_parquet or "(not set)"),
            "hf_token": _mask(self.hf_token),
            "github_token": _mask(self.github_token),
            "dashboard_password": _mask(self.dashboard_password),
            "http_timeout_seconds": str(self.http_timeout_seconds),
            "max_rate_limit_wait_seconds": str(self.max_rate_limit_wait_seconds),
            "concurrency": str(self.concurrency),
            "refresh_lock_ttl_seconds": str(self.refresh_lock_ttl_seconds),
            "synthetic": str(self.synthetic).lower(),
        }


def _mask(secret: SecretStr | None) -> str:
    return "(not set)" if secret is None or not secret.get_secret_value() else "**********"


def mask_url_password(url: str) -> str:
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def load_settings() -> Settings:
    return Settings()


def variable_problems(error: ValidationError) -> str:
    """A validation error as "VARIABLE: problem; ...", each setting named by its variable."""
    problems = []
    for problem in error.errors():
        name = str(problem["loc"][0]) if problem["loc"] else "settings"
        if name.startswith("schedule_"):  # given by field name, not from the environment
            name = SCHEDULE_ENV_PREFIX + name.removeprefix("schedule_")
        message = str(problem["msg"]).removeprefix("Value error, ")
        problems.append(f"{name.upper()}: {message}")
    return "; ".join(problems)
