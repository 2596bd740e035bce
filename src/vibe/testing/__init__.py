"""The test harness vibe ships: fakes of every port, Hypothesis strategies, a stand-in Claude server.

Production code never imports this package (an import-linter contract enforces it).
"""
