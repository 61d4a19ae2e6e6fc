"""Prefect flows and deployments of ingest: orchestration only, the work is in `ingest`."""
