"""A measurement's figures: target, what was measured, the baseline beside it, the ratio."""

from __future__ import annotations

import json
import os
import platform
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table


@dataclass
class Figure:
    """One row of the table. `met` is None when the figure has no target (context only)."""

    target_id: str  # P1 … P6
    name: str
    measured: float | None
    unit: str
    target: str = ""
    met: bool | None = None
    baseline: float | None = None
    baseline_label: str = ""
    note: str = ""
    higher_is_better: bool = False
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        """How many times better ossimpact is than the baseline (> 1 is better)."""
        if self.baseline is None or self.measured is None:
            return None
        numerator, divisor = (
            (self.measured, self.baseline)
            if self.higher_is_better
            else (self.baseline, self.measured)
        )
        return numerator / divisor if divisor else None


def number(value: float | None) -> str:
    """A figure as the tables print it (the terminal's and the README's)."""
    if value is None:
        return "—"
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    if abs(value) >= 0.1:
        return f"{value:.2f}"
    return f"{value:.4f}"


def render_table(figures: list[Figure], console: Console) -> None:
    table = Table(title="ossimpact benchmarks", show_lines=False)
    for column in ("target", "figure", "measured", "baseline", "ratio", "goal", "met?"):
        table.add_column(column)
    for figure in figures:
        met = "—" if figure.met is None else ("[green]yes[/]" if figure.met else "[red]no[/]")
        ratio = figure.ratio
        table.add_row(
            figure.target_id,
            figure.name,
            f"{number(figure.measured)} {figure.unit}".strip(),
            number(figure.baseline)
            + (f" ({figure.baseline_label})" if figure.baseline_label else "")
            if figure.baseline is not None
            else "—",
            f"{ratio:.1f}×" if ratio is not None else "—",
            figure.target or "—",
            met,
        )
    console.print(table)
    for figure in figures:
        if figure.note:
            console.print(f"[dim]{figure.target_id} {figure.name}: {figure.note}[/]")


def machine() -> dict[str, Any]:
    """The machine the figures came from: cores, CPU model, RAM, load at the time."""
    model = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb: float | None = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gb = round(int(line.split()[1]) / 1024 / 1024, 1)
                break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "cpu_model": model,
        "memory_gb": memory_gb,
        "load_average": list(os.getloadavg()),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def write_json(
    path: Path, figures: list[Figure], options: dict[str, Any], started: str, finished: str
) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {
        "started": started,
        "finished": finished,
        "options": options,
        "machine": machine(),
        "figures": [{**asdict(f), "ratio": f.ratio} for f in figures],
    }
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")
