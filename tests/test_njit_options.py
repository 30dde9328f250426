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
