"""The store table where a mock keeps its own state between starts (beside the vendors'):
which vendors hold demo data and where it came from (`demo_data.py`), and the clock
(`saved_clock.py`)."""

META = "mockexp.meta"
