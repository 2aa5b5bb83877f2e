"""Where `shared/` is: beside the checkout (as CI lays it out), else the workplace's copy.

The recorded real payloads live there; contract tests must not pass by skipping when it is missing.
"""

from __future__ import annotations

from pathlib import Path

_CANDIDATES = (Path(__file__).resolve().parents[2] / "shared", Path("/work/shared"))
SHARED = next((path for path in _CANDIDATES if (path / "api-samples").is_dir()), None)
if SHARED is None:
    raise RuntimeError(f"shared/ with api-samples not found in {[str(p) for p in _CANDIDATES]}")
API_SAMPLES = SHARED / "api-samples"
