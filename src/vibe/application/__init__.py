"""Use cases: one stateless service per aggregate, plus the agent loop and its workspace."""
