"""The registry of Shanghai organisations and their products.

Load it with `load_registry(path)` (raises `RegistryError` listing every problem) or check it
with `check_registry(path)`; a `Registry` tells which organisation owns an artifact, whether an
owner is an excluded look-alike, and which product an artifact counts towards.
"""

from ossimpact.registry.loading import check_registry, load_registry
from ossimpact.registry.model import ExcludedOrganization, Grouping, Registry
from ossimpact.registry.patterns import IncludePattern, InvalidPattern
from ossimpact.registry.problems import RegistryError, RegistryProblem
from ossimpact.registry.yaml_source import MAX_FILE_BYTES

__all__ = [
    "MAX_FILE_BYTES",
    "ExcludedOrganization",
    "Grouping",
    "IncludePattern",
    "InvalidPattern",
    "Registry",
    "RegistryError",
    "RegistryProblem",
    "check_registry",
    "load_registry",
]
