"""The validation proxy (`mockexp proxy`), and what drift and record build on it."""
