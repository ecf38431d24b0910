"""jobsift benchmarks: ``python -m bench NAME [--quick]``; results go to BENCHMARKS.md."""
