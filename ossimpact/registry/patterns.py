"""Include patterns: an artifact id whose name may hold shell wildcards.

`hf:model:OpenGVLab/InternVL3-*` matches every Hugging Face model of OpenGVLab whose name starts
with `InternVL3-`. Owners are exact (a pattern belongs to one organisation's handle); both the
owner and the name compare case-insensitively, as both platforms resolve names that way.
"""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from functools import cached_property

from ossimpact.domain import (
    ARTIFACT_ID_FORMS,
    ArtifactId,
    ArtifactKind,
    InvalidArtifactId,
    Platform,
)

WILDCARDS = ("*", "?")


class InvalidPattern(ValueError):
    """An include entry that is neither an artifact id nor an artifact id with wildcards."""


@dataclass(frozen=True)
class IncludePattern:
    text: str
    platform: Platform
    kind: ArtifactKind
    owner: str
    name: str

    @classmethod
    def parse(cls, text: str) -> IncludePattern:
        # Wildcards stand in for handle characters, so a placeholder lets ArtifactId check the rest.
        probe = text.replace("*", "x").replace("?", "x")
        try:
            probe_id = ArtifactId.parse(probe)
        except InvalidArtifactId:
            raise InvalidPattern(
                f"bad pattern {text!r}: expected {ARTIFACT_ID_FORMS}, with * or ? allowed in NAME"
            ) from None
        owner_and_name = text[len(text) - len(probe_id.repo_id) :]
        owner, name = owner_and_name.split("/", 1)
        if any(wildcard in owner for wildcard in WILDCARDS):
            raise InvalidPattern(
                f"bad pattern {text!r}: wildcards are allowed in the name only, not the owner"
            )
        return cls(text, probe_id.platform, probe_id.kind, owner, name)

    @property
    def is_exact(self) -> bool:
        return not any(wildcard in self.name for wildcard in WILDCARDS)

    @property
    def artifact(self) -> ArtifactId | None:
        """The one artifact an exact pattern names; None for a pattern with wildcards."""
        return (
            ArtifactId(self.platform, self.kind, self.owner, self.name) if self.is_exact else None
        )

    @property
    def owner_key(self) -> tuple[Platform, ArtifactKind, str]:
        return (self.platform, self.kind, self.owner.casefold())

    @cached_property
    def _name_regex(self) -> re.Pattern[str]:
        return re.compile(fnmatch.translate(self.name.casefold()))

    def matches(self, artifact: ArtifactId) -> bool:
        return (
            artifact.platform == self.platform
            and artifact.kind == self.kind
            and artifact.owner.casefold() == self.owner.casefold()
            and self._name_regex.match(artifact.name.casefold()) is not None
        )
