"""Benchmarks of prevoyance (python bench/run.py); a package so that run.py imports bench.api."""
