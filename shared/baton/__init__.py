"""Baton: intelligent support escalation."""

__version__ = "0.1.0"
