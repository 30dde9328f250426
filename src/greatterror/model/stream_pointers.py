"""The named random streams inside compiled code: NumPy's numbers, drawn by Numba kernels.

A compiled component must draw from the run's named streams (model/streams.py, common random
numbers) the very numbers NumPy's ``Generator`` would draw, and leave each stream's state as
NumPy would, so that outputs stay bit for bit and a Python step and a compiled one can share a
stream. Numba implements NumPy's distributions on the same bit generator (and they give
NumPy's numbers: tests/test_stream_pointers.py), but a ``Generator`` passed to a kernel costs
about 8 microseconds to unbox (Numba calls ``ctypes.cast`` three times in Python), more than a
day of a small component (docs/performance-log.md, branches speed25 and streamptr).

So a run makes, once, a **pointer table**: one row per stream, in the order of ``STREAMS``
(a stream's code is its position there, ``stream_code``: one vocabulary), holding the address
of the bit generator's state and of its three ``next_*`` functions. The draws below take the
table and a stream code, rebuild Numba's bit generator from the row (an intrinsic, a few
nanoseconds) and call Numba's implementation of NumPy's algorithm, with NumPy's argument
checks (a bad argument raises ``ValueError``, as NumPy does, instead of drawing garbage).

**Ownership.** The addresses are valid while the bit generators live, in this process. The
table is an array whose base (``table.base``) is a ``PointerTable`` holding the generators, so
the generators live as long as the table or any view of it, whoever drops the ``Streams``.
``Streams`` is what is copied or pickled (an ensemble's worker): a copy drops the table and
builds one for its own generators when asked (``Streams.pointers``). A copy of the table's
numbers alone (``np.array(table)``, a pickled table) owns nothing and points into the original
process's generators: pass the table itself, never a copy (an ndarray subclass that refused
copies would cost 0.55 microseconds a kernel call in Numba's type dispatch, more than the
table saves, so it is a rule, not a check).

**Compilation.** The draws are ``njit(cache=True)`` functions, cached on their own: a kernel
compiled later (a new component, or after an edit) links them from the cache instead of
compiling NumPy's distributions again, as it would for ``Generator`` methods, which are cached
only inside their callers (about 0.3 s against 4 s a kernel). A kernel calls them through
inlined wrappers that cast the arguments (the end of this module), because Numba types a
kernel's constants as literals and would compile a draw again for each set of them. The
costs are in docs/performance-log.md (branch streamptr).

``choice_without_replacement`` is NumPy's ``Generator.choice(n, size, replace=False)``
(shuffle on, no weights): Floyd's algorithm with a final shuffle, or a tail shuffle of
``arange(n)`` when ``n > 10000`` and ``size > n // 50``, each with NumPy's bounded integers
(the hash set of Floyd's algorithm only answers membership, so it decides no number).
"""

from __future__ import annotations

import ctypes
from typing import Any

import numpy as np
from llvmlite import ir
from numba import njit, types
from numba.core import cgutils
from numba.extending import intrinsic
from numba.np.random.distributions import (
    random_binomial,
    random_gamma,
    random_geometric_search,
    random_poisson,
    random_standard_exponential,
)
from numba.np.random.generator_core import next_double, next_uint32, next_uint64
from numba.np.random.random_methods import bounded_lemire_uint64, buffered_bounded_lemire_uint32
from numpy.typing import NDArray

from greatterror.model.njit_options import NO_CFUNC_WRAPPER
from greatterror.model.streams import STREAMS

#: the table's columns: the bit generator's state, then its ``next_uint64``, ``next_uint32``
#: and ``next_double`` functions (what Numba's unboxing of a ``Generator`` reads)
STATE, NEXT_UINT64, NEXT_UINT32, NEXT_DOUBLE = range(4)
COLUMNS = 4

#: NumPy's largest Poisson mean (``Generator._poisson_lam_max``), checked as NumPy does
POISSON_LAM_MAX = float(np.random.Generator._poisson_lam_max)  # type: ignore[attr-defined]
#: the smallest double above ``INT64_MAX``: NumPy's geometric inversion clamps there
_INT64_BOUND = 9.223372036854776e18
_INT64_MAX = np.int64(np.iinfo(np.int64).max)

_CODES = {name: code for code, name in enumerate(STREAMS)}


def stream_code(name: str) -> int:
    """The row of stream ``name`` in a pointer table: its position in ``STREAMS``."""
    try:
        return _CODES[name]
    except KeyError:
        raise ValueError(f"no random stream named {name!r}") from None


class PointerTable:
    """The owner of a pointer table's memory and of the generators it points into.

    NumPy keeps it as the table's base (``__array_interface__``), so the generators live as
    long as the table or any view of it does."""

    def __init__(self, generators: list[np.random.Generator]) -> None:
        self.generators = tuple(generators)
        rows = np.empty((len(generators), COLUMNS), dtype=np.uint64)
        for row, gen in zip(rows, self.generators, strict=True):
            funcs = gen.bit_generator.ctypes
            row[STATE] = funcs.state_address
            for column, name in (
                (NEXT_UINT64, "next_uint64"),
                (NEXT_UINT32, "next_uint32"),
                (NEXT_DOUBLE, "next_double"),
            ):
                address = ctypes.cast(getattr(funcs, name), ctypes.c_void_p).value
                if not address:
                    raise ValueError(f"bit generator {gen.bit_generator!r} has no {name}")
                row[column] = address
        self._rows = rows

    @property
    def __array_interface__(self) -> dict[str, Any]:
        return self._rows.__array_interface__


def pointer_table(generators: list[np.random.Generator]) -> NDArray[np.uint64]:
    """A (len(generators), 4) uint64 table of the generators' pointers, owning them."""
    table = np.asarray(PointerTable(generators))
    table.flags.writeable = False
    return table


@intrinsic
def _bit_generator(typingctx: Any, state: Any, u64: Any, u32: Any, dbl: Any) -> Any:
    """Numba's bit generator struct from a table row's four addresses (what unboxing fills)."""
    bitgen_type = types.NumPyRandomBitGeneratorType("bit_generator")
    sig = bitgen_type(types.uint64, types.uint64, types.uint64, types.uint64)

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        struct = cgutils.create_struct_proxy(bitgen_type)(context, builder)
        struct.parent = cgutils.get_null_value(struct.parent.type)
        struct.state_address = args[0]
        struct.state = args[0]
        struct.fnptr_next_uint64 = args[1]
        struct.fnptr_next_uint32 = args[2]
        struct.fnptr_next_double = args[3]
        struct.bit_generator = ir.Constant(struct.bit_generator.type, 0)
        return struct._getvalue()

    return sig, codegen


@njit(cache=True, inline="always", **NO_CFUNC_WRAPPER)
def _stream(table: Any, k: int) -> Any:
    """Stream ``k``'s bit generator; an index outside the table raises (never a wild read)."""
    if k < 0 or k >= table.shape[0] or table.shape[1] != COLUMNS:
        raise IndexError("stream code outside the pointer table, or not a pointer table")
    return _bit_generator(  # type: ignore[call-arg]  # (the typing context is Numba's)
        table[k, STATE], table[k, NEXT_UINT64], table[k, NEXT_UINT32], table[k, NEXT_DOUBLE]
    )


@njit(cache=True, **NO_CFUNC_WRAPPER)
def _bounded(bitgen: Any, top: Any) -> Any:
    """A uint64 uniform on ``0..top`` (inclusive): NumPy's ``random_bounded_uint64`` with
    Lemire's rejection, as ``integers`` and ``choice`` draw it."""
    span = np.uint64(top)
    if span == 0:
        return np.uint64(0)
    if span <= 0xFFFFFFFF:
        if span == 0xFFFFFFFF:
            return np.uint64(next_uint32(bitgen))
        return np.uint64(buffered_bounded_lemire_uint32(bitgen, span))
    if span == 0xFFFFFFFFFFFFFFFF:
        return np.uint64(next_uint64(bitgen))
    return np.uint64(bounded_lemire_uint64(bitgen, span))


@njit(cache=True, **NO_CFUNC_WRAPPER)
def _random(table: Any, k: Any) -> float:
    """``Generator.random()`` on stream ``k``."""
    return next_double(_stream(table, k))


@njit(cache=True, **NO_CFUNC_WRAPPER)
def _fill_random(table: Any, k: Any, out: Any) -> None:
    """``out[:] = Generator.random(len(out))`` on stream ``k`` (a 1-D float64 array)."""
    bitgen = _stream(table, k)
    for i in range(out.shape[0]):
        out[i] = next_double(bitgen)


@njit(cache=True, **NO_CFUNC_WRAPPER)
def _integers(table: Any, k: Any, low: Any, high: Any) -> np.int64:
    """``Generator.integers(low, high)`` (int64, ``high`` excluded) on stream ``k``."""
    if low >= high:
        raise ValueError("low >= high")
    span = np.uint64(high) - np.uint64(low) - np.uint64(1)
    return np.int64(np.uint64(low) + _bounded(_stream(table, k), span))


@njit(cache=True, **NO_CFUNC_WRAPPER)
def _binomial(table: Any, k: Any, n: Any, p: Any) -> np.int64:
    """``Generator.binomial(n, p)`` on stream ``k``."""
    if n < 0:
        raise ValueError("n < 0")
    if not 0.0 <= p <= 1.0:
        raise ValueError("p < 0, p > 1 or p is NaN")
    return np.int64(random_binomial(_stream(table, k), np.int64(n), np.float64(p)))


@njit(cache=True, **NO_CFUNC_WRAPPER)
def _poisson(table: Any, k: Any, lam: Any) -> np.int64:
    """``Generator.poisson(lam)`` on stream ``k``."""
    if not lam >= 0.0:
        raise ValueError("lam < 0 or lam is NaN")
    if lam > POISSON_LAM_MAX:
        raise ValueError("lam value too large")
    return np.int64(random_poisson(_stream(table, k), np.float64(lam)))


@njit(cache=True, **NO_CFUNC_WRAPPER)
def _geometric(table: Any, k: Any, p: Any) -> np.int64:
    """``Generator.geometric(p)`` on stream ``k``: a search for ``p >= 1/3``, else inversion,
    clamped at ``INT64_MAX`` as NumPy 2 clamps it."""
    if not 0.0 < p <= 1.0:
        raise ValueError("p <= 0, p > 1 or p contains NaNs")
    bitgen = _stream(table, k)
    if p >= 0.333333333333333333333333:
        return np.int64(random_geometric_search(bitgen, p))
    z = np.ceil(-random_standard_exponential(bitgen) / np.log1p(-p))
    if z >= _INT64_BOUND:
        return _INT64_MAX
    return np.int64(z)


@njit(cache=True, **NO_CFUNC_WRAPPER)
def _negative_binomial(table: Any, k: Any, n: Any, p: Any) -> np.int64:
    """``Generator.negative_binomial(n, p)`` on stream ``k``: a Poisson of a gamma mean."""
    if not n > 0.0:
        raise ValueError("n <= 0")
    if not 0.0 < p <= 1.0:
        raise ValueError("p <= 0, p > 1 or p contains NaNs")
    if (1.0 - p) / p * (n + 10.0 * np.sqrt(n)) > POISSON_LAM_MAX:
        raise ValueError("n too large or p too small, see Generator.negative_binomial Notes")
    bitgen = _stream(table, k)
    return np.int64(random_poisson(bitgen, random_gamma(bitgen, n, (1.0 - p) / p)))


@njit(cache=True, **NO_CFUNC_WRAPPER)
def _shuffle(bitgen: Any, data: Any, n: int, first: int) -> None:
    """NumPy's ``_shuffle_int``: swaps ``data[i]`` with a uniform ``data[0..i]`` for ``i``
    from ``n - 1`` down to ``first``."""
    for i in range(n - 1, first - 1, -1):
        j = np.int64(_bounded(bitgen, i))
        data[i], data[j] = data[j], data[i]


@njit(cache=True, **NO_CFUNC_WRAPPER)
def _choice_without_replacement(table: Any, k: Any, n: Any, size: Any) -> Any:
    """``Generator.choice(n, size, replace=False)`` on stream ``k``: int64 positions."""
    if size < 0:
        raise ValueError("negative dimensions are not allowed")
    if n <= 0 and size != 0:
        raise ValueError("a must be a positive integer unless no samples are taken")
    if size > n:
        raise ValueError("Cannot take a larger sample than population when replace is False")
    bitgen = _stream(table, k)
    if n > 10000 and size > n // 50:  # NumPy's tail shuffle of arange(n)
        pool = np.arange(n, dtype=np.int64)
        _shuffle(bitgen, pool, n, max(n - size, 1))
        return pool[n - size :].copy()
    out = np.empty(size, dtype=np.int64)
    mask = np.uint64(1.2 * size)  # Floyd's algorithm; the hash set of NumPy's mask size
    for shift in (1, 2, 4, 8, 16, 32):
        mask |= mask >> np.uint64(shift)
    taken = np.full(np.int64(mask) + 1, -1, dtype=np.int64)
    for j in range(n - size, n):
        val = np.int64(_bounded(bitgen, j))
        loc = np.int64(np.uint64(val) & mask)
        while taken[loc] != -1 and taken[loc] != val:
            loc = np.int64(np.uint64(loc + 1) & mask)
        if taken[loc] == -1:  # val not taken yet
            taken[loc] = val
            out[j - n + size] = val
        else:  # val was taken: j, never drawn before, is taken instead
            loc = np.int64(np.uint64(j) & mask)
            while taken[loc] != -1:
                loc = np.int64(np.uint64(loc + 1) & mask)
            taken[loc] = j
            out[j - n + size] = j
    _shuffle(bitgen, out, size, 1)
    return out


# The draws a kernel calls. Each casts its arguments and calls the cached draw above, and is
# inlined into its caller (``inline="always"``): a kernel's constant arguments (a stream code
# from ``stream_code``, a literal ``n``) are typed by Numba as literals, and a cached function
# called with literals is compiled again for every distinct set of them, in every process
# (its cache holds the int64 signature); through the casts, the draw above is compiled once,
# for one signature, and later processes load it from the cache (docs/performance-log.md, branch
# streamptr).


@njit(cache=True, inline="always", **NO_CFUNC_WRAPPER)
def random(table: Any, k: int) -> float:
    """``Generator.random()`` on stream ``k`` of ``table``."""
    return _random(table, np.int64(k))


@njit(cache=True, inline="always", **NO_CFUNC_WRAPPER)
def fill_random(table: Any, k: int, out: Any) -> None:
    """``out[:] = Generator.random(len(out))`` on stream ``k`` (a 1-D float64 array)."""
    _fill_random(table, np.int64(k), out)


@njit(cache=True, inline="always", **NO_CFUNC_WRAPPER)
def integers(table: Any, k: int, low: int, high: int) -> np.int64:
    """``Generator.integers(low, high)`` (int64, ``high`` excluded) on stream ``k``."""
    return _integers(table, np.int64(k), np.int64(low), np.int64(high))


@njit(cache=True, inline="always", **NO_CFUNC_WRAPPER)
def binomial(table: Any, k: int, n: int, p: float) -> np.int64:
    """``Generator.binomial(n, p)`` on stream ``k``."""
    return _binomial(table, np.int64(k), np.int64(n), np.float64(p))


@njit(cache=True, inline="always", **NO_CFUNC_WRAPPER)
def poisson(table: Any, k: int, lam: float) -> np.int64:
    """``Generator.poisson(lam)`` on stream ``k``."""
    return _poisson(table, np.int64(k), np.float64(lam))


@njit(cache=True, inline="always", **NO_CFUNC_WRAPPER)
def geometric(table: Any, k: int, p: float) -> np.int64:
    """``Generator.geometric(p)`` on stream ``k``."""
    return _geometric(table, np.int64(k), np.float64(p))


@njit(cache=True, inline="always", **NO_CFUNC_WRAPPER)
def negative_binomial(table: Any, k: int, n: float, p: float) -> np.int64:
    """``Generator.negative_binomial(n, p)`` on stream ``k``."""
    return _negative_binomial(table, np.int64(k), np.float64(n), np.float64(p))


@njit(cache=True, inline="always", **NO_CFUNC_WRAPPER)
def choice_without_replacement(table: Any, k: int, n: int, size: int) -> Any:
    """``Generator.choice(n, size, replace=False)`` on stream ``k``: int64 positions."""
    return _choice_without_replacement(table, np.int64(k), np.int64(n), np.int64(size))
