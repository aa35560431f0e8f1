"""The nightly dump-refresh job: the staged pipeline with artifacts, history and metrics."""
