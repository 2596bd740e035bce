"""The Litestar HTTP/SSE API, the web UI and the sandboxed preview."""
