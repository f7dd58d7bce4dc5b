"""Baton's CDK app: a stateful core stack and one stack per capability (see app.py)."""
