"""ModelScope (modelscope.cn): all-time downloads and likes of the organisations' models and datasets."""

from collectors.modelscope.collector import ModelScopeCollector

__all__ = ["ModelScopeCollector"]
