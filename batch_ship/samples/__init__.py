"""Synthetic inputs for demos, tests and benchmarks: Taobao export pairs and courier returns."""
