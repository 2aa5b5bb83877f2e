"""Hugging Face: models, datasets, derivatives and collections of the registry's handles."""

from collectors.huggingface.collector import HuggingFaceCollector

__all__ = ["HuggingFaceCollector"]
