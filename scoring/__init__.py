"""Scoring: pure functions from observations to rankings under a versioned methodology."""

from scoring.docs import methodology_markdown
from scoring.engine import ScoringResult, score_products, what_if
from scoring.explain import explain
from scoring.inputs import ScoringInputs, history_frame
from scoring.methodology import Methodology, MethodologyError, load_methodology
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
    "score_products",
    "scores_csv_bytes",
    "what_if",
]
