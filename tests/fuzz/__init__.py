"""Fuzz harness: mutated inputs for every reader (see harness.py)."""
