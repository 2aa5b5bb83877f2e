"""Measurements of ossimpact against naive baselines on sandbox worlds: `python -m benchmarks`."""
