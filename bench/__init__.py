"""Benchmarks (see docs/benchmarks.md). Not part of the application."""
