"""Adapters: the ports of vibe.domain implemented on real technology (SQL, Redis, Claude, argon2...)."""
