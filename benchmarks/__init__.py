"""The benchmark harness: `make bench` (python -m benchmarks) prints one table of ratios."""
