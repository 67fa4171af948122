"""Rapport's search benchmark harness (see bench/README.md and docs/benchmarks.md).

`python bench/run.py prepare|run|report`. Modules that need Django (`outcome`,
`sql`, `naive`, `layers`, `scenarios`) are imported only after the worker
process has set the dataset's environment and called `django.setup()`.
"""
