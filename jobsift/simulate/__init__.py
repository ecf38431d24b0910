"""A simulated marketplace with known outcomes, for tests and benchmarks (issue 11 item 6)."""
