"""Calls between kernels that do not copy the callee into every caller: a first run compiles it once.

When a Numba kernel calls another kernel, Numba links a copy of the callee's whole compiled
module (and, transitively, of its own callees) into the caller's module, and LLVM optimises and
emits machine code for it again there: in a first run after an install, about half of the
machine instructions LLVM handled (62,000 of 125,000 at 1:1,000) were such copies, for example
``sorting.stable_argsort`` optimised 15 times and ``pairwise._block_sum`` 18 times; LLVM's time
grows with a module's size (about 0.08 s of CPU per 1,000 instructions on the development
machine; docs/performance.md, branch firstrun).

``shared(kernel)`` returns a stand-in that a kernel calls instead of ``kernel``: it types the
call as Numba types a call of ``kernel`` (which compiles ``kernel`` for those argument types,
once, or loads it from the cache), and emits a call to the compiled ``kernel`` by a symbol name
without linking its module in. The symbol is registered with LLVM (``llvmlite.binding.add_symbol``)
when the callee is compiled or loaded, and again, before the caller's machine code is loaded,
when a later process loads the caller from Numba's cache: Numba runs a compiled function's
``reload_init`` callables before loading it, and a caller of a caller inherits them.

What stays the same: the callee's machine code (compiled once, by the same pipeline, with the
same options), the calling convention (Numba's own, with its error status, so an exception
raised in the callee propagates as before), the arguments' ownership, hence the outputs, bit for
bit. What is lost: LLVM can no longer inline the callee into the caller or specialise it for the
caller's constants; that is why only kernels that are large and called a few times per kernel
call (not per element) go through here. The callee must be compiled for exactly the types the
caller passes (the house rule of docs/performance.md: one type per argument).
"""

from __future__ import annotations

import hashlib
import importlib
from dataclasses import dataclass
from typing import Any

import llvmlite.binding as ll
from numba import types
from numba.core import cgutils
from numba.extending import intrinsic


def _symbol(dispatcher: Any, args: tuple[Any, ...]) -> str:
    """A name for the callee's native function that is the same in every process (Numba's own
    mangled name carries a counter that is not)."""
    func = dispatcher.py_func
    key = f"{func.__module__}.{func.__qualname__}{args}"
    return "greatterror_shared_" + hashlib.sha1(key.encode()).hexdigest()[:20]


def _register(dispatcher: Any, args: tuple[Any, ...]) -> str:
    """Compile (or load) ``dispatcher`` for ``args`` and register its native function under its
    stable name; returns the name."""
    cres = dispatcher.overloads.get(args)
    if cres is None:
        dispatcher.compile(args)
        cres = dispatcher.overloads[args]
    name = _symbol(dispatcher, args)
    address = cres.library.get_pointer_to_function(cres.fndesc.mangled_name)
    ll.add_symbol(name, address)
    return name


@dataclass(frozen=True)
class _Reload:
    """What a cached caller runs before its machine code is loaded: the callee's symbol,
    registered. Picklable (module and name of the kernel, and its argument types)."""

    module: str
    name: str
    args: tuple[Any, ...]

    def __call__(self) -> None:
        dispatcher = getattr(importlib.import_module(self.module), self.name)
        _register(dispatcher, self.args)


def shared(dispatcher: Any) -> Any:
    """A stand-in for kernel ``dispatcher`` that compiled callers call without a copy of it."""
    func = dispatcher.py_func
    if getattr(importlib.import_module(func.__module__), func.__name__, None) is not dispatcher:
        raise ValueError(f"{func.__qualname__} is not a module-level kernel")

    callee_type: Any = types.Dispatcher(dispatcher)

    def typer(typingctx: Any, args: tuple[Any, ...]) -> Any:
        sig = typingctx.resolve_function_type(callee_type, args, {})
        if sig is None:
            return None
        callee_args = tuple(sig.args)

        def codegen(context: Any, builder: Any, signature: Any, llargs: Any) -> Any:
            name = _register(dispatcher, callee_args)
            library = context.active_code_library
            library._reload_init.add(_Reload(func.__module__, func.__name__, callee_args))
            fnty = context.call_conv.get_function_type(sig.return_type, callee_args)
            fn = cgutils.get_or_insert_function(builder.module, fnty, name)
            status, res = context.call_conv.call_function(
                builder, fn, sig.return_type, callee_args, llargs
            )
            with cgutils.if_unlikely(builder, status.is_error):
                context.call_conv.return_status_propagate(builder, status)
            return res

        return sig, codegen

    # an intrinsic of the kernel's own arity (Numba's intrinsics do not lower ``*args``)
    params = ", ".join(f"a{i}" for i in range(func.__code__.co_argcount))
    namespace: dict[str, Any] = {"typer": typer}
    exec(f"def call(typingctx, {params}):\n    return typer(typingctx, ({params},))", namespace)
    stand_in = namespace["call"]
    stand_in.__name__ = stand_in.__qualname__ = f"shared_{func.__name__}"
    return intrinsic(stand_in)


#: Every kernel's options add ``**NO_CFUNC_WRAPPER``: Numba otherwise compiles, for each kernel,
#: a C-callable wrapper that only a kernel passed as a first-class function would use (none
#: is); about 9% of the machine instructions of a first run's modules, and its lowering
#: (docs/performance.md, branch firstrun). A dict typed ``Any`` because the Numba stubs mypy
#: reads do not list the option.
NO_CFUNC_WRAPPER: Any = {"no_cfunc_wrapper": True}
