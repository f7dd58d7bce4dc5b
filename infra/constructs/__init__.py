"""Reusable constructs: the function factory, the bus consumer and the ingestion API."""
