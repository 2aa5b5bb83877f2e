"""ossimpact."""
