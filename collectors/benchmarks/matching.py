"""A leaderboard's model name → the tracked Hugging Face model it means.

Leaderboards name models their own way ("InternVL3-8B", "internlm/internlm3-8b-instruct",
"InternLM3 8B Instruct"). Matching goes, in order, and stops at the first step that gives exactly
one tracked model:
1. a Hugging Face URL or `OWNER/NAME` id given by the row, exactly;
2. the same, ignoring case;
3. normalised: case folded, spaces, dashes, underscores and dots dropped, a trailing
   parenthesis removed ("InternVL3-8B (SFT)") — compared with the whole id, then with the name
   part of each tracked id when the row names no owner.
A name that matches no tracked model, or several, is unmatched and goes into the report.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable

from collectors.benchmarks.aliases import name_key
from ossimpact.domain import ArtifactId

_HF_URL = re.compile(r"^https?://(?:www\.)?huggingface\.co/(?P<id>[^/?#\s]+/[^/?#\s]+)")


def hf_id_from_url(url: str) -> str | None:
    """`https://huggingface.co/OWNER/NAME/tree/main` → `OWNER/NAME`; None for other URLs."""
    match = _HF_URL.match(url.strip())
    if match is None or match["id"].split("/", 1)[0] in ("datasets", "spaces", "docs"):
        return None
    return match["id"]


class ModelMatcher:
    def __init__(self, tracked: Iterable[ArtifactId]) -> None:
        models = [a for a in tracked if a.platform == "hf" and a.kind == "model"]
        self._exact = {a.repo_id: a for a in models}
        self._folded: dict[str, set[ArtifactId]] = defaultdict(set)
        self._normal: dict[str, set[ArtifactId]] = defaultdict(set)
        self._name_only: dict[str, set[ArtifactId]] = defaultdict(set)
        for artifact in models:
            self._folded[artifact.repo_id.casefold()].add(artifact)
            self._normal[_id_key(artifact.repo_id)].add(artifact)
            self._name_only[name_key(artifact.name)].add(artifact)

    def match(self, *names: str | None) -> ArtifactId | None:
        """The one tracked model the given names (id, URL, display name) mean, else None."""
        candidates = [n.strip() for n in names if n and n.strip()]
        ids = [hf_id_from_url(n) or n for n in candidates]
        for name in ids:
            if name in self._exact:
                return self._exact[name]
        for index in (self._folded, self._normal):
            for name in ids:
                key = name.casefold() if index is self._folded else _id_key(name)
                found = index.get(key, set())
                if len(found) == 1:
                    return next(iter(found))
        for name in ids:
            if "/" not in name:
                found = self._name_only.get(name_key(name), set())
                if len(found) == 1:
                    return next(iter(found))
        return None


def _id_key(repo_id: str) -> str:
    owner, _, name = repo_id.partition("/")
    return f"{name_key(owner)}/{name_key(name)}" if name else name_key(owner)
