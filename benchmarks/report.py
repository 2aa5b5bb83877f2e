"""Markdown table of one or more result files, for benchmarks/README.md:
`python -m benchmarks.report benchmarks/results/<stamp>.json …`."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from benchmarks.results import number


def markdown(payloads: list[dict[str, Any]]) -> str:
    lines = [
        "| target | figure | measured | baseline | ratio | goal | met? |",
        "|---|---|---|---|---|---|---|",
    ]
    for payload in payloads:
        for f in payload["figures"]:
            met = "—" if f["met"] is None else ("yes" if f["met"] else "**no**")
            baseline = (
                f"{number(f['baseline'])} ({f['baseline_label']})"
                if f["baseline"] is not None
                else "—"
            )
            ratio = f"{f['ratio']:.1f}×" if f.get("ratio") is not None else "—"
            measured = f"{number(f['measured'])} {f['unit']}".strip()
            lines.append(
                f"| {f['target_id']} | {f['name']} | {measured} | {baseline} | {ratio} | "
                f"{f['target'] or '—'} | {met} |"
            )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m benchmarks.report RESULT.json …", file=sys.stderr)
        return 2
    payloads = []
    for name in argv:
        try:
            payloads.append(json.loads(Path(name).read_text()))
        except (OSError, json.JSONDecodeError) as exc:
            print(f"cannot read {name}: {exc}", file=sys.stderr)
            return 2
    print(markdown(payloads))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
