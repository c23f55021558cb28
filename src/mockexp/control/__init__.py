"""The control plane for tests and demos: what was asked of the mock (the request journal),
what goes wrong on purpose (faults and latency), and saved states (snapshots)."""
