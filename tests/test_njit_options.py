"""Every kernel of the package compiled with the options of model/njit_options.py."""

from __future__ import annotations


def test_every_kernel_is_compiled_without_a_c_wrapper() -> None:
    """``**NO_CFUNC_WRAPPER`` on every kernel of the package (a first run compiles no unused
    C-callable wrappers); a new kernel without it fails here."""
    from greatterror.model import compiled

    kernels = dict(compiled._kernels(compiled._kernel_modules()))
    assert len(kernels) > 100
    missing = [name for name, k in kernels.items() if not k.targetoptions.get("no_cfunc_wrapper")]
    assert not missing


def _inlined() -> list[str]:
    from greatterror.model import compiled

    return [
        name
        for name, k in compiled._kernels(compiled._kernel_modules())
        if k.targetoptions.get("inline") == "always"
    ]


def test_inlined_kernels_are_not_called_from_python() -> None:
    """A kernel inlined into its compiled callers (``inline="always"``, model/njit_options.py)
    is never called from the package's Python: such a call would compile it on its own, the
    work the inlining saves (the stream draws' casts are inlined too, and Python never calls
    them either)."""
    from test_kernel_callers import callers

    from_python, _ = callers()
    inlined = _inlined()
    assert "greatterror.model.kernels.first_distinct_body" in inlined
    called = [k for k in inlined if any(w.startswith("src/") for w in from_python.get(k, ()))]
    assert not called, f"inlined kernels called from Python: {called}"


def test_an_inlined_kernel_is_not_compiled_on_its_own() -> None:
    """Compiling a caller of ``first_distinct_body`` (an uncached wrapper, compiled in this
    process whatever the cache holds) types the body inside it: the body itself gets no
    signature, neither compiled nor loaded from the cache, as it would without the option."""
    import numpy as np
    from numba import njit

    from greatterror.model import kernels

    @njit
    def caller(values, n):  # pragma: no cover - compiled
        return kernels.first_distinct_body(values, n)

    got = caller(np.array([3, 1, 3, 2], dtype=np.int64), np.int64(2))
    np.testing.assert_array_equal(got, kernels.first_distinct(np.array([3, 1, 3, 2]), 2))
    assert kernels.first_distinct_body.signatures == []
