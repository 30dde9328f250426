"""The compiled draws of model/stream_pointers.py give NumPy's numbers on the named streams.

Each test draws from one run's ``Streams`` through its pointer table (compiled) and from a
twin ``Streams`` of the same seed through NumPy's ``Generator`` methods, and requires the
numbers and every stream's ``bit_generator.state`` to be equal: the compiled draws must
advance the stream exactly as NumPy would, so that a Python draw after a compiled one
continues the same sequence, and must touch no other stream.
"""

from __future__ import annotations

import copy
import gc
import pickle
import sys
from collections.abc import Callable
from typing import Any

import compiled_calls as cc
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from greatterror.model import stream_pointers as sp
from greatterror.model.streams import STREAMS, Streams

#: the streams the tests draw from: first, last and some between (a wrong row shows)
CODES = (0, 5, sp.stream_code("gulag"), sp.stream_code("duration"), len(STREAMS) - 1)

#: name -> (the compiled draw, NumPy's draw on a Generator), same arguments after the stream
DRAWS: dict[str, tuple[Callable[..., Any], Callable[..., Any]]] = {
    "random": (cc.random, lambda g: g.random()),
    "integers": (cc.integers, lambda g, lo, hi: g.integers(lo, hi)),
    "binomial": (cc.binomial, lambda g, n, p: g.binomial(n, p)),
    "poisson": (cc.poisson, lambda g, lam: g.poisson(lam)),
    "geometric": (cc.geometric, lambda g, p: g.geometric(p)),
    "negative_binomial": (cc.negative_binomial, lambda g, n, p: g.negative_binomial(n, p)),
    "choice": (
        cc.choice_without_replacement,
        lambda g, n, size: g.choice(n, size=size, replace=False),
    ),
}

#: argument lists for each draw, with the edge cases NumPy treats apart
ARGUMENTS: dict[str, list[tuple[Any, ...]]] = {
    "random": [()],
    "integers": [
        (0, 1),  # low = high - 1: no draw at all
        (5, 6),
        (0, 7),
        (-3, 1000),
        (0, 300_000),
        (0, 2**32 - 1),
        (0, 2**32),  # the span 2**32 - 1: one raw 32-bit draw
        (7, 2**32 + 8),
        (0, 2**33),
        (-(2**62), 2**62),
        (-(2**63), 2**63 - 1),
    ],
    "binomial": [
        (0, 0.5),
        (10, 0.0),
        (10, 1.0),
        (1, 0.5),
        (3, 0.2),
        (100, 0.3),  # inversion
        (400_000, 0.0001),
        (1000, 0.2),  # BTPE
        (1000, 0.8),  # n - BTPE(1 - p)
        (50, 0.99),
        (10**12, 0.3),  # large n
    ],
    "poisson": [(0.0,), (1e-9,), (0.5,), (3.0,), (9.99,), (10.0,), (20.0,), (1e3,), (1e7,)],
    "geometric": [
        (1.0,),
        (0.5,),
        (0.333333333333333333,),
        (0.3,),
        (1 / 30,),
        (1 / 400,),
        (1e-12,),
        (1e-300,),  # beyond INT64_MAX: NumPy clamps
    ],
    "negative_binomial": [(1.0, 0.5), (0.3, 0.9), (5.0, 1.0), (50.0, 0.01), (1e-3, 0.5)],
    "choice": [
        (0, 0),
        (1, 0),
        (1, 1),
        (5, 5),
        (10, 3),
        (1000, 1),
        (1000, 1000),
        (137_000, 3),  # Floyd's algorithm
        (10_000, 9_000),  # n <= 10000: Floyd's even for a large sample
        (10_001, 201),  # n // 50 = 200: the tail shuffle
        (20_000, 400),  # exactly n // 50: Floyd's
        (20_000, 20_000),
    ],
}


def states(streams: Streams) -> list[dict[str, Any]]:
    return [getattr(streams, name).bit_generator.state for name in STREAMS]


def assert_twins(streams: Streams, twin: Streams) -> None:
    assert states(streams) == states(twin)


@pytest.mark.parametrize("name", sorted(DRAWS))
def test_each_draw_gives_numpys_numbers_and_state(name: str) -> None:
    compiled, numpy_draw = DRAWS[name]
    streams, twin = Streams(11), Streams(11)
    table = streams.pointers
    for args in ARGUMENTS[name]:
        for code in CODES:
            for _ in range(3):
                got = compiled(table, code, *args)
                want = numpy_draw(getattr(twin, STREAMS[code]), *args)
                np.testing.assert_array_equal(got, want, err_msg=f"{name}{args} stream {code}")
                assert np.asarray(got).dtype.kind == np.asarray(want).dtype.kind
        assert_twins(streams, twin)


def test_fill_random_gives_numpys_array() -> None:
    streams, twin = Streams(3), Streams(3)
    for size in (0, 1, 7, 1000):
        out = np.empty(size)
        cc.fill_random(streams.pointers, CODES[2], out)
        np.testing.assert_array_equal(out, twin.gulag.random(size))
    assert_twins(streams, twin)


def test_python_and_compiled_draws_interleave_on_one_stream() -> None:
    """A stream drawn alternately by NumPy and by the kernels gives the sequence of one drawn
    by NumPy alone (the 32-bit half-buffer of PCG64 included: odd counts of 32-bit draws)."""
    streams, twin = Streams(5), Streams(5)
    table, code = streams.pointers, sp.stream_code("duration")
    gen, ref = streams.duration, twin.duration
    order = np.random.default_rng(0).integers(0, 2, size=400)
    for step, by_kernel in enumerate(order):
        kind = step % 5
        if kind == 0:
            got = cc.integers(table, code, 0, 7) if by_kernel else gen.integers(0, 7)
            assert got == ref.integers(0, 7)
        elif kind == 1:
            got = cc.random(table, code) if by_kernel else gen.random()
            assert got == ref.random()
        elif kind == 2:
            got = cc.binomial(table, code, 900, 0.4) if by_kernel else gen.binomial(900, 0.4)
            assert got == ref.binomial(900, 0.4)
        elif kind == 3:
            got = (
                cc.negative_binomial(table, code, 2.0, 0.3)
                if by_kernel
                else gen.negative_binomial(2.0, 0.3)
            )
            assert got == ref.negative_binomial(2.0, 0.3)
        else:
            got = (
                cc.choice_without_replacement(table, code, 50, 4)
                if by_kernel
                else gen.choice(50, size=4, replace=False)
            )
            np.testing.assert_array_equal(got, ref.choice(50, size=4, replace=False))
    assert_twins(streams, twin)


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 10**9),
    p=st.one_of(st.floats(0.0, 1.0), st.sampled_from([0.0, 1.0, 0.5, 1e-9])),
    code=st.sampled_from(CODES),
)
def test_binomial_property(n: int, p: float, code: int) -> None:
    streams, twin = Streams(2), Streams(2)
    for _ in range(3):
        want = getattr(twin, STREAMS[code]).binomial(n, p)
        assert cc.binomial(streams.pointers, code, n, p) == want
    assert_twins(streams, twin)


@settings(max_examples=60, deadline=None)
@given(
    low=st.integers(-(2**63), 2**63 - 2),
    width=st.one_of(st.integers(1, 2**34), st.integers(1, 2**64)),
)
def test_integers_property(low: int, width: int) -> None:
    high = min(low + width, 2**63 - 1)
    streams, twin = Streams(4), Streams(4)
    for _ in range(3):
        assert cc.integers(streams.pointers, 0, low, high) == twin.denunciation.integers(low, high)
    assert_twins(streams, twin)


@settings(max_examples=60, deadline=None)
@given(data=st.data(), n=st.one_of(st.integers(0, 300), st.integers(9_000, 60_000)))
def test_choice_property(data: st.DataObject, n: int) -> None:
    size = data.draw(st.one_of(st.integers(0, min(n, 5)), st.integers(0, n)))
    streams, twin = Streams(6), Streams(6)
    got = cc.choice_without_replacement(streams.pointers, len(STREAMS) - 1, n, size)
    want = getattr(twin, STREAMS[-1]).choice(n, size=size, replace=False)
    np.testing.assert_array_equal(got, want)
    assert got.dtype == np.int64
    assert_twins(streams, twin)


@settings(max_examples=60, deadline=None)
@given(
    lam=st.floats(0.0, 1e8),
    p=st.floats(1e-6, 1.0, exclude_min=False),
    n=st.floats(1e-3, 1e3),
)
def test_poisson_geometric_negative_binomial_property(lam: float, p: float, n: float) -> None:
    streams, twin = Streams(8), Streams(8)
    table, code = streams.pointers, 5
    ref = getattr(twin, STREAMS[code])
    assert cc.poisson(table, code, lam) == ref.poisson(lam)
    assert cc.geometric(table, code, p) == ref.geometric(p)
    assert cc.negative_binomial(table, code, n, p) == ref.negative_binomial(n, p)
    assert_twins(streams, twin)


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("integers", (3, 3)),
        ("binomial", (-1, 0.5)),
        ("binomial", (5, 1.5)),
        ("binomial", (5, float("nan"))),
        ("poisson", (-1.0,)),
        ("poisson", (float("nan"),)),
        ("poisson", (1e20,)),
        ("geometric", (0.0,)),
        ("geometric", (1.5,)),
        ("negative_binomial", (0.0, 0.5)),
        ("negative_binomial", (5.0, 0.0)),
        ("negative_binomial", (1e30, 1e-30)),
        ("choice", (0, 1)),
        ("choice", (5, 6)),
        ("choice", (5, -1)),
    ],
)
def test_arguments_numpy_refuses_are_refused(name: str, args: tuple[Any, ...]) -> None:
    compiled, numpy_draw = DRAWS[name]
    streams = Streams(1)
    with pytest.raises(ValueError):
        numpy_draw(np.random.default_rng(0), *args)
    with pytest.raises(ValueError):
        compiled(streams.pointers, 0, *args)


def test_codes_follow_streams_and_rows_point_at_them() -> None:
    streams = Streams(1)
    table = streams.pointers
    assert table.shape == (len(STREAMS), sp.COLUMNS) and table.dtype == np.uint64
    assert streams.pointers is table  # made once
    for code, name in enumerate(STREAMS):
        assert sp.stream_code(name) == code
        address = getattr(streams, name).bit_generator.ctypes.state_address
        assert int(table[code, sp.STATE]) == address
    with pytest.raises(ValueError, match="no random stream named 'nonesuch'"):
        sp.stream_code("nonesuch")
    with pytest.raises(AttributeError, match="'gulag' cannot be replaced"):
        streams.gulag = np.random.default_rng(0)  # the table would still draw from the old one
    for code in (-1, len(STREAMS)):
        with pytest.raises(IndexError):
            cc.random(table, code)
    with pytest.raises(IndexError):  # not four columns: never read as addresses
        cc.random(np.zeros((3, 2), dtype=np.uint64), 0)


def test_the_table_keeps_the_generators_alive() -> None:
    """The table (or a view of it) holds the generators after their ``Streams`` is gone.
    (A bit generator takes no weak reference: its references are counted instead.)"""
    streams, twin = Streams(9), Streams(9)
    table, code = streams.pointers, sp.stream_code("gulag")
    gen = streams.gulag
    assert table.base.generators[code] is gen  # type: ignore[union-attr]
    del streams
    gc.collect()
    held = sys.getrefcount(gen)
    assert cc.random(table[code:], 0) == twin.gulag.random()  # a view points at it too
    assert cc.binomial(table, code, 50, 0.5) == twin.gulag.binomial(50, 0.5)
    assert gen.bit_generator.state == twin.gulag.bit_generator.state
    view = table[code:]
    del table
    gc.collect()
    assert sys.getrefcount(gen) == held  # the view keeps the owner
    del view
    gc.collect()
    assert sys.getrefcount(gen) == held - 1  # the owner held it, and nothing else did


@pytest.mark.parametrize(
    "duplicate", [copy.deepcopy, lambda s: pickle.loads(pickle.dumps(s))], ids=["copy", "pickle"]
)
def test_a_copied_streams_points_at_its_own_generators(
    duplicate: Callable[[Streams], Streams],
) -> None:
    streams = Streams(12)
    table = streams.pointers
    streams.review.random(3)
    other = duplicate(streams)
    assert other.review is not streams.review and other.review is other._gens["review"]
    assert "_pointers" not in other.__dict__
    theirs = other.pointers
    assert not np.array_equal(theirs[:, sp.STATE], table[:, sp.STATE])
    np.testing.assert_array_equal(theirs[:, sp.NEXT_UINT64 :], table[:, sp.NEXT_UINT64 :])
    before = states(streams)
    code = sp.stream_code("review")
    twin = copy.deepcopy(other)
    assert cc.random(theirs, code) == twin.review.random()
    assert states(streams) == before  # the original's streams did not move
    assert_twins(other, twin)


def test_the_draws_are_in_the_stale_cache_stamp_but_not_in_the_notice() -> None:
    """A kernel calling the draws caches them with it, and its stream codes are positions in
    ``STREAMS``: an edit of either module must drop every kernel cache (model/compiled.py).
    No run calls the draws yet, so the first-run notice does not count them as missing."""
    from greatterror.model import compiled, streams

    modules = compiled._kernel_modules()
    assert sp in modules and streams in modules
    assert any(
        name.startswith("greatterror.model.stream_pointers.")
        for name, _ in compiled._kernels(modules)
    )
    assert not [n for n in compiled.uncompiled_kernels() if "stream_pointers" in n]


def test_a_kernel_passing_constants_compiles_each_draw_once() -> None:
    """A kernel's constant arguments are literals to Numba; the draws cast them, so that the
    cached draws are compiled for int64 and float64 only, never once per constant (which
    would compile them again for every caller, in every process)."""
    from numba import njit, types

    @njit
    def kernel(table):  # type: ignore[no-untyped-def]
        out = np.empty(2)
        sp.fill_random(table, 7, out)
        return (
            sp.random(table, 7) + sp.integers(table, 7, 0, 9) + sp.binomial(table, 7, 40, 0.25)
            + sp.poisson(table, 7, 2.5) + sp.geometric(table, 7, 0.2) + out[1]
            + sp.negative_binomial(table, 7, 3, 0.5)
            + sp.choice_without_replacement(table, 7, 30, 4)[3]
        )  # fmt: skip

    streams, twin = Streams(21), Streams(21)
    got = kernel(streams.pointers)
    g = getattr(twin, STREAMS[7])
    out = g.random(2)
    want = (
        g.random() + g.integers(0, 9) + g.binomial(40, 0.25) + g.poisson(2.5) + g.geometric(0.2)
        + out[1] + g.negative_binomial(3, 0.5) + g.choice(30, size=4, replace=False)[3]
    )  # fmt: skip
    assert got == want
    assert_twins(streams, twin)
    cores = [getattr(sp, "_" + name) for name in DRAWS if name != "choice"]
    for core in [*cores, sp._fill_random, sp._choice_without_replacement]:
        for signature in core.signatures:
            assert not any(isinstance(t, types.Literal) for t in signature), (core, signature)
