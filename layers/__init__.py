"""Lambda layer recipes: see build.py."""
