"""`mockexp drift`: the same stateful sequence against a real API and a fresh mock, and where they differ."""
