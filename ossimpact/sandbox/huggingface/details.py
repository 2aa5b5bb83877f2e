"""The fake Hub's detail routes: a model's or dataset's info, an account's overview.

Errors as the Hub sends them: `X-Error-Code: RepoNotFound` (404), a disabled repository (403),
`X-Error-Code: GatedRepo` when the options refuse gated info, 307 for a renamed model or account.
"""

from __future__ import annotations

from collections.abc import Callable

from werkzeug.wrappers import Request, Response

from ossimpact.sandbox.huggingface.fields import (
    DATASET_EXPAND,
    DATASET_INFO_DEFAULT,
    DISABLED_MESSAGE,
    MODEL_EXPAND,
    MODEL_INFO_DEFAULT,
)
from ossimpact.sandbox.huggingface.index import HubIndex
from ossimpact.sandbox.huggingface.listings import expand_fields
from ossimpact.sandbox.huggingface.options import HubOptions
from ossimpact.sandbox.huggingface.wire import ApiError, json_response, redirect
from ossimpact.sandbox.model import HfDataset, HfModel


class Details:
    """Info and overview answers over one index."""

    def __init__(self, index: HubIndex, options: HubOptions) -> None:
        self.index = index
        self.options = options

    def model_info(self, request: Request, owner: str, name: str) -> Response:
        repo_id = f"{owner}/{name}"
        if repo_id in self.index.renamed:
            return redirect(f"/api/models/{self.index.renamed[repo_id]}")
        model = self.index.models.get(repo_id)
        fields = (MODEL_EXPAND, MODEL_INFO_DEFAULT)
        return self._info(request, ("model", repo_id), model, fields, self.index.model_full)

    def dataset_info(self, request: Request, owner: str, name: str) -> Response:
        repo_id = f"{owner}/{name}"
        dataset = self.index.datasets.get(repo_id)
        fields = (DATASET_EXPAND, DATASET_INFO_DEFAULT)
        return self._info(request, ("dataset", repo_id), dataset, fields, self.index.dataset_full)

    def _info(
        self,
        request: Request,
        named: tuple[str, str],
        repo: HfModel | HfDataset | None,
        fields: tuple[frozenset[str], list[str]],
        full: Callable[[str], dict[str, object]],
    ) -> Response:
        """A repository's info: `named` is (kind, repo id), `fields` (expand allowed, default)."""
        kind, repo_id = named
        if repo is None:
            raise ApiError(404, "Repository not found", {"X-Error-Code": "RepoNotFound"})
        if repo.disabled:
            raise ApiError(403, DISABLED_MESSAGE, {"X-Error-Message": DISABLED_MESSAGE})
        if repo.gated and self.options.refuse_gated_info:
            raise ApiError(
                403, f"Access to {kind} {repo_id} is restricted.", {"X-Error-Code": "GatedRepo"}
            )
        allowed, default = fields
        expand = expand_fields(request, allowed)
        return json_response(self.index.item(repo_id, full(repo_id), expand or default))

    def account_overview(self, request: Request, name: str) -> Response:
        """An organisation's (or user's) overview: 307 when renamed, 404 for an unknown name."""
        world = self.index.world
        renamed = {old.lower(): new for old, new in world.hf_renamed_authors.items()}
        if name.lower() in renamed:
            kind = request.path.split("/")[2]
            return redirect(f"/api/{kind}/{renamed[name.lower()]}/overview")
        known = {author.lower() for author in world.hf_authors}
        known |= set(self.index.models_by_author) | set(self.index.datasets_by_author)
        if name.lower() not in known:
            raise ApiError(404, "Not Found", {"X-Error-Code": "RepoNotFound"})
        return json_response({"name": name, "fullname": name, "type": "org"})
