"""Benchmarks and their data set; run with ``make bench`` (see bench/README.md).

Not part of the test run.
"""
