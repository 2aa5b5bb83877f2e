"""Benchmark results: independent leaderboards, normalised to canonical ids and 0..1 scores."""

from collectors.benchmarks.aliases import BenchmarkCatalogue, default_catalogue, load_catalogue
from collectors.benchmarks.collector import BenchmarkCollector, BenchmarkReport
from collectors.benchmarks.scaling import UnknownReport, normalise

__all__ = [
    "BenchmarkCatalogue",
    "BenchmarkCollector",
    "BenchmarkReport",
    "UnknownReport",
    "default_catalogue",
    "load_catalogue",
    "normalise",
]
