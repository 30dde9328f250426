"""Synthetic population of the 1937 USSR, with the groups and register marks
through which the repression ran."""
