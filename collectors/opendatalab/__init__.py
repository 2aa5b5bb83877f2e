"""OpenDataLab (opendatalab.com, Shanghai AI Laboratory): downloads and views of named datasets."""

from collectors.opendatalab.collector import OpenDataLabCollector

__all__ = ["OpenDataLabCollector"]
