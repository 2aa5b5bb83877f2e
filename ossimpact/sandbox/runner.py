"""Start the fake servers over one synthetic world: for tests, the demo, benchmarks and operators.

`ossimpact sandbox` prints the URLs and the environment that points the real clients at them.
"""

from __future__ import annotations

import importlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol, Self

from rich.console import Console

from ossimpact.registry import Registry, load_registry
from ossimpact.sandbox.faults import FaultPlan
from ossimpact.sandbox.http import FakeServer
from ossimpact.sandbox.limits import EnforcedLimits, LimitPolicy
from ossimpact.sandbox.mainland import attach_owners, catalogue_for, owners_from_registry
from ossimpact.sandbox.model import World
from ossimpact.sandbox.world import generate_world

SANDBOX_GITHUB_TOKEN = "sandbox-github-token"  # noqa: S105 - the fake GitHub wants a token for GraphQL
SANDBOX_HF_TOKEN = "sandbox-hf-token"  # noqa: S105

# name → (module, app factory): servers whose module has not landed are simply not started.
_APPS: dict[str, tuple[str, str]] = {
    "huggingface": ("ossimpact.sandbox.huggingface", "make_hf_app"),
    "github": ("ossimpact.sandbox.github", "make_github_app"),
    "opendigger": ("ossimpact.sandbox.opendigger", "make_opendigger_app"),
    "opencompass": ("ossimpact.sandbox.opencompass", "make_opencompass_app"),
    "modelscope": ("ossimpact.sandbox.modelscope", "make_modelscope_app"),
    "opendatalab": ("ossimpact.sandbox.opendatalab", "make_opendatalab_app"),
}
# The fake OpenDataLab serves the dataset API under the path the real host uses.
OPENDATALAB_API_PATH = "/datasets/api/v2"


def world_for_registry(
    registry: Registry,
    *,
    size: int = 600,
    seed: int = 20251,
    today: date | None = None,
    history_days: int = 120,
    troublemakers: bool = True,
) -> World:
    """A world whose organisations and flagship families are the registry's."""
    # The world is Hugging Face's and GitHub's; the mainland hubs' part is derived from it.
    patterns = [
        pattern
        for product in registry.products.values()
        for pattern in product.include
        if pattern.startswith(("hf:", "gh:"))
    ]
    kwargs: dict[str, Any] = {}
    if today is not None:
        kwargs["today"] = today
    world = generate_world(
        seed,
        size,
        hf_handles=registry.hf_handles(),
        gh_handles=registry.gh_handles(),
        product_patterns=patterns,
        history_days=history_days,
        troublemakers=troublemakers,
        **kwargs,
    )
    # The mainland hubs publish under the registry's ModelScope/OpenDataLab owner names.
    attach_owners(world, owners_from_registry(registry))
    return world


def _hub_with_leaderboards(world: World, base_url: str) -> Any:
    """The fake Hub, with the dataset leaderboard route served beside it on the same endpoint."""
    from ossimpact.sandbox.hf_leaderboards import make_hf_leaderboards_app
    from ossimpact.sandbox.huggingface import make_hf_app

    hub = make_hf_app(world, base_url)
    leaderboards = make_hf_leaderboards_app(world, base_url)

    def app(environ: Any, start_response: Any) -> Any:
        path = environ.get("PATH_INFO", "")
        if path.startswith("/api/datasets/") and path.endswith("/leaderboard"):
            return leaderboards(environ, start_response)
        return hub(environ, start_response)

    return app


def _factory(name: str) -> Callable[[World, str], Any] | None:
    if name == "huggingface":
        return _hub_with_leaderboards
    module_name, attribute = _APPS[name]
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError:
        return None
    factory: Callable[[World, str], Any] = getattr(module, attribute)
    return factory


SANDBOX_TIME_SCALE = 600.0


def settings_overrides_for(urls: Mapping[str, str]) -> dict[str, Any]:
    """Settings fields (by name) that point ossimpact at fake servers, given their URLs by name."""
    # the fake servers answer at once: the published limits are paced, but a "minute" lasts 0.1 s
    overrides: dict[str, Any] = {"synthetic": True, "pacing_time_scale": SANDBOX_TIME_SCALE}
    if "huggingface" in urls:
        overrides["hf_endpoint"] = urls["huggingface"]
        overrides["hf_token"] = SANDBOX_HF_TOKEN
    if "github" in urls:
        overrides["github_api_url"] = urls["github"]
        overrides["github_token"] = SANDBOX_GITHUB_TOKEN
    if "opendigger" in urls:
        overrides["opendigger_url"] = urls["opendigger"]
    if "opencompass" in urls:
        overrides["opencompass_url"] = urls["opencompass"]
    if "modelscope" in urls:
        overrides["modelscope_endpoint"] = urls["modelscope"]
    if "opendatalab" in urls:
        overrides["opendatalab_endpoint"] = urls["opendatalab"] + OPENDATALAB_API_PATH
    return overrides


def environment_for(overrides: Mapping[str, Any]) -> dict[str, str]:
    """Settings overrides as environment variables, for a shell."""
    names = {
        "hf_endpoint": "HF_ENDPOINT",
        "hf_token": "HF_TOKEN",
        "github_api_url": "GITHUB_API_URL",
        "github_token": "GITHUB_TOKEN",
        "opendigger_url": "OSSIMPACT_OPENDIGGER_URL",
        "opencompass_url": "OSSIMPACT_OPENCOMPASS_URL",
        "modelscope_endpoint": "MODELSCOPE_ENDPOINT",
        "opendatalab_endpoint": "OPENDATALAB_ENDPOINT",
        "synthetic": "OSSIMPACT_SYNTHETIC",
        "pacing_time_scale": "OSSIMPACT_PACING_TIME_SCALE",
    }
    env = {
        names[key]: str(value).lower() if isinstance(value, bool) else str(value)
        for key, value in overrides.items()
    }
    env["HF_HUB_DISABLE_TELEMETRY"] = "1"
    return env


class ServesAt(Protocol):
    """A running fake server, here or in another process: where it answers."""

    @property
    def url(self) -> str: ...


class RunningSandbox:
    """A started sandbox: each server's URL, as settings or environment; a context that stops it."""

    servers: Mapping[str, ServesAt]

    def stop(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def url(self, name: str) -> str:
        return self.servers[name].url

    def settings_overrides(self) -> dict[str, Any]:
        """Settings fields (by name) that point ossimpact at these servers."""
        return settings_overrides_for({name: s.url for name, s in self.servers.items()})

    def environment(self) -> dict[str, str]:
        """The same as environment variables, for a shell."""
        return environment_for(self.settings_overrides())


@dataclass
class Sandbox(RunningSandbox):
    world: World
    servers: dict[str, FakeServer] = field(default_factory=dict)
    enforcers: dict[str, EnforcedLimits] = field(default_factory=dict)

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()


def start_sandbox(
    world: World,
    *,
    latency: float = 0.0,
    plans: Mapping[str, FaultPlan] | None = None,
    only: tuple[str, ...] | None = None,
    limits: Mapping[str, LimitPolicy] | None = None,
) -> Sandbox:
    """Start every fake server that exists (or those in `only`) on free ports of 127.0.0.1.

    `limits`: the servers (by name) that enforce a platform's published limits, answering as
    the platform does once a window is spent (`sandbox.limits`); their counts are in
    `sandbox.enforcers`."""
    sandbox = Sandbox(world)
    try:
        for name in only or tuple(_APPS):
            factory = _factory(name)
            if factory is None:
                continue
            plan = (plans or {}).get(name) or FaultPlan(latency_seconds=latency)

            policy = (limits or {}).get(name)

            def app_factory(
                base_url: str,
                factory: Callable[[World, str], Any] = factory,
                policy: LimitPolicy | None = policy,
                name: str = name,
            ) -> Any:
                app = factory(world, base_url)
                if policy is None:
                    return app
                enforced = EnforcedLimits(app, policy)
                sandbox.enforcers[name] = enforced
                return enforced

            sandbox.servers[name] = FakeServer(app_factory, plan, name=name).start()
    except BaseException:
        sandbox.stop()
        raise
    return sandbox


def serve_forever(
    registry_path: Path, *, size: int, seed: int, latency: float, console: Console
) -> None:
    registry = load_registry(registry_path)
    world = world_for_registry(registry, size=size, seed=seed)
    with start_sandbox(world, latency=latency) as sandbox:
        console.print(
            f"synthetic world: seed {seed}, {world.artifact_count} artifacts with third-party ones "
            f"({len(world.models)} models, {len(world.datasets)} datasets, {len(world.repos)} repositories)"
        )
        mainland = catalogue_for(world)
        console.print(
            f"mainland hubs: {mainland.ms_count} ModelScope repositories, "
            f"{len(mainland.odl_datasets)} OpenDataLab datasets"
        )
        for name, server in sandbox.servers.items():
            console.print(f"  {name:12} {server.url}")
        console.print("environment for ossimpact (synthetic data):")
        for key, value in sandbox.environment().items():
            console.print(f"  export {key}={value}", highlight=False)
        console.print("Ctrl-C stops the servers.")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            console.print("stopped")
