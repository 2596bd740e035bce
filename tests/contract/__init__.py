"""Contract tests: each repository port's in-memory fake and SQL adapter, side by side."""
