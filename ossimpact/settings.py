"""Settings: the only reader of the environment.

Real endpoints are the defaults; mirrors (HF_ENDPOINT) and GitHub Enterprise (GITHUB_API_URL) are
one variable away. Tokens are secret values: they print as `**********`.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# re-exported: the rule lives in the domain, where the collectors can read it too
from ossimpact.domain import graphql_url_for as graphql_url_for

PACKAGE_DATA = Path(__file__).resolve().parent / "data"
DEFAULT_REGISTRY = PACKAGE_DATA / "registry.yaml"
DEFAULT_METHODOLOGY = Path(__file__).resolve().parent.parent / "scoring" / "methodology.yaml"

GITHUB_DOT_COM_API = "https://api.github.com"


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
