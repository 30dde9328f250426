"""Uncached compiled wrappers through which the tests call kernels that other kernels call.

A cached kernel that another cached kernel calls is linked, with a copy of its environment,
into its caller's cache entry, and Numba names environments after a per-process count: a
process that loads the caller's entry first and then calls the kernel from Python may box
the kernel's result with the caller's copy and crash (``'descr' is NULL``;
docs/design/compiled-core.md, "Known problem"). The package's Python never calls such a
kernel (tests/test_kernel_callers.py); the tests reach them through these wrappers instead.
A wrapper here is compiled without ``cache``: its environment is never pickled, so it cannot
share a name with another process's. Each wrapper passes its arguments unchanged, so the
kernel is compiled for the types the test gives; one wrapper per kernel, shared by the
tests, keeps the compile time they add small (each compiles once per test process).
"""

from __future__ import annotations

from numba import njit

from greatterror.model import core_kernels as ck
from greatterror.model import kernels as mk
from greatterror.model import pairwise as pw
from greatterror.model import sorting as so
from greatterror.model import stream_pointers as sp
from greatterror.population import kernels_marks as km


@njit
def add_kind(core, kind, idx, due, day):  # pragma: no cover - compiled
    return ck.add_kind(core, kind, idx, due, day)


@njit
def take_kind(core, kind, day):  # pragma: no cover - compiled
    return ck.take_kind(core, kind, day)


@njit
def open_cases(idx, cases, people, order):  # pragma: no cover - compiled
    return mk.open_cases(idx, cases, people, order)


@njit
def close_cases(idx, closing, cases, people):  # pragma: no cover - compiled
    return mk.close_cases(idx, closing, cases, people)


@njit
def pairwise_sum(a, lo, n):  # pragma: no cover - compiled
    return pw.pairwise_sum(a, lo, n)


@njit
def search_sorted(values, x):  # pragma: no cover - compiled
    return so.search_sorted(values, x)


@njit
def sorted_copy(values):  # pragma: no cover - compiled
    return so.sorted_copy(values)


@njit
def stable_argsort(values):  # pragma: no cover - compiled
    return so.stable_argsort(values)


@njit
def kulak_head(codes, start, size, age, male):  # pragma: no cover - compiled
    return km.kulak_head(codes, start, size, age, male)


@njit
def random(table, code):  # pragma: no cover - compiled
    return sp.random(table, code)


@njit
def integers(table, code, low, high):  # pragma: no cover - compiled
    return sp.integers(table, code, low, high)


@njit
def binomial(table, code, n, p):  # pragma: no cover - compiled
    return sp.binomial(table, code, n, p)


@njit
def poisson(table, code, lam):  # pragma: no cover - compiled
    return sp.poisson(table, code, lam)


@njit
def geometric(table, code, p):  # pragma: no cover - compiled
    return sp.geometric(table, code, p)


@njit
def negative_binomial(table, code, n, p):  # pragma: no cover - compiled
    return sp.negative_binomial(table, code, n, p)


@njit
def choice_without_replacement(table, code, n, size):  # pragma: no cover - compiled
    return sp.choice_without_replacement(table, code, n, size)


@njit
def fill_random(table, code, out):  # pragma: no cover - compiled
    return sp.fill_random(table, code, out)
