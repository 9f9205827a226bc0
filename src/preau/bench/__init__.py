"""Benchmarks, run by `make bench` (``python -m preau.bench``); not part of the test suite.

They start a production-like server on PostgreSQL and Redis, load the demo school, and report
figures and ratios measured in one run: the guardian dashboard against the trivial health view,
the dashboard's query count, and the password hasher's cost.
"""
