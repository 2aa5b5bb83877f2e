"""Real payloads of the fake servers, read in-process (no sockets), as seeds for fuzzing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from werkzeug.test import Client

from collectors.github.graphql import ORGANIZATION_REPOSITORIES
from ossimpact.sandbox.github import make_github_app
from ossimpact.sandbox.huggingface import make_hf_app
from ossimpact.sandbox.model import World
from ossimpact.sandbox.opencompass import leaderboard_payload
from ossimpact.sandbox.opendigger import make_opendigger_app

_HF_EXPAND = [
    "downloads",
    "downloadsAllTime",
    "likes",
    "trendingScore",
    "safetensors",
    "cardData",
    "tags",
    "createdAt",
    "lastModified",
    "gated",
    "spaces",
    "library_name",
    "pipeline_tag",
    "childrenModelCount",
    "baseModels",
    "evalResults",
]


@dataclass(frozen=True)
class Seeds:
    hf_models: list[dict[str, Any]]
    hf_datasets: list[dict[str, Any]]
    gh_repos: list[dict[str, Any]]
    gh_graphql_page: dict[str, Any]
    gh_contributors: list[Any]
    opendigger: list[Any]
    opencompass: dict[str, Any]


def _json(response: Any) -> Any:
    assert response.status_code == 200, response.status
    return json.loads(response.get_data(as_text=True))


def seed_payloads(world: World) -> Seeds:
    """A few payloads of every endpoint a parser reads, as the fake servers answer them."""
    hub = Client(make_hf_app(world, "http://hub.test"))
    models = _json(
        hub.get(
            "/api/models",
            query_string={"author": "internlm", "full": "true", "limit": 8, "expand": _HF_EXPAND},
        )
    )
    datasets = _json(
        hub.get("/api/datasets", query_string={"author": "opendatalab", "full": "true", "limit": 4})
    )
    github = Client(make_github_app(world, "http://github.test"))
    auth = {"Authorization": "token fuzz"}
    answers = (github.get(f"/repos/{name}", headers=auth) for name in sorted(world.repos))
    # The world's troublemakers (legal holds, renames) answer otherwise: take readable ones.
    repos = [_json(answer) for answer in answers if answer.status_code == 200][:4]
    names = [str(repo["full_name"]) for repo in repos]
    page = _json(
        github.post(
            "/graphql",
            json={
                "query": ORGANIZATION_REPOSITORIES,
                "variables": {
                    "org": names[0].split("/")[0],
                    "cursor": None,
                    "first": 3,
                    "since": "2026-01-01T00:00:00Z",
                },
            },
            headers=auth,
        )
    )
    contributors = _json(github.get(f"/repos/{names[0]}/contributors", headers=auth))
    digger = Client(make_opendigger_app(world, "http://opendigger.test"))
    series = [
        _json(digger.get(f"/github/{repo}/{metric}.json"))
        for repo, metric in sorted(world.opendigger)[:4]
    ]
    return Seeds(
        hf_models=models,
        hf_datasets=datasets,
        gh_repos=repos,
        gh_graphql_page=page,
        gh_contributors=contributors,
        opendigger=series,
        opencompass=leaderboard_payload(world),
    )
