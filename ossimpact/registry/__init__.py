"""The registry of Shanghai organisations and their products.

Load it with `load_registry(path)` (raises `RegistryError` listing every problem) or check it
with `check_registry(path)`; a `Registry` tells which organisation owns an artifact, whether an
owner is an excluded look-alike, and which product an artifact counts towards (the one
membership rule, `membership.py`, with release families inferred in `families.py`).
"""

from ossimpact.guarded_yaml import MAX_FILE_BYTES
from ossimpact.registry.families import Family, infer_families, stem
from ossimpact.registry.loading import check_registry, load_registry
from ossimpact.registry.membership import GROUPED_BY, GroupedBy, Grouping, Member
from ossimpact.registry.model import ExcludedOrganization, Registry
from ossimpact.registry.patterns import IncludePattern, InvalidPattern
from ossimpact.registry.problems import RegistryError, RegistryProblem

__all__ = [
    "GROUPED_BY",
    "MAX_FILE_BYTES",
    "ExcludedOrganization",
    "Family",
    "GroupedBy",
    "Grouping",
    "IncludePattern",
    "InvalidPattern",
    "Member",
    "Registry",
    "RegistryError",
    "RegistryProblem",
    "check_registry",
    "infer_families",
    "load_registry",
    "stem",
]
