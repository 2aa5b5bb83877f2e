"""Helpers shared by the crash, secrets and hostile-text tests."""
