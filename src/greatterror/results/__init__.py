"""The results of a finished run: its output files, the run registry, reports and comparisons."""
