"""Fitting free parameters to the archival targets."""
