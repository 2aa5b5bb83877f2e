"""Where the recorded real payloads are: `tests/samples/`, kept in the tree.

`samples/api-samples/` holds real HTTP exchanges and bodies copied byte for byte from public
repositories' test data (origins, commits and licences in its README); `samples/registry-seed.yaml`
is the evidence the shipped registry was built from. Contract tests read them from here so that a
fresh clone tests itself with nothing beside it.
"""

from __future__ import annotations

from pathlib import Path

SHARED = Path(__file__).resolve().parent / "samples"
API_SAMPLES = SHARED / "api-samples"
if not API_SAMPLES.is_dir():
    raise RuntimeError(f"the recorded payloads are missing: {API_SAMPLES}")
