"""Closing the gap: simulation-based staffing, shift scheduling and the cheapest plan of levers
(docs/planning.md)."""
