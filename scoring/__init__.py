"""Scoring: pure functions from observations to rankings under a versioned methodology."""

from scoring.docs import methodology_markdown
from scoring.engine import ScoringResult, score_products
from scoring.explain import explain
from scoring.inputs import ScoringInputs, history_frame
from scoring.methodology import Methodology, MethodologyError, load_methodology
from scoring.reweigh import reweighted_totals
from scoring.serialize import scores_csv_bytes

__all__ = [
    "Methodology",
    "MethodologyError",
    "ScoringInputs",
    "ScoringResult",
    "explain",
    "history_frame",
    "load_methodology",
    "methodology_markdown",
    "reweighted_totals",
    "score_products",
    "scores_csv_bytes",
]
