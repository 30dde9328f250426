"""The simulation of the repression system: institutions, daily processes, results."""
