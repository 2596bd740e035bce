"""Entrypoints: the HTTP API and web UI, the CLI and the queue worker."""
