"""Reusable constructs: the function factory, the bus consumer, the ingestion API and the events lake."""
