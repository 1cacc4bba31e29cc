"""Prefect flows and deployments around the `sld` library (which never imports Prefect)."""
