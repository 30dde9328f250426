"""Options every kernel of the package is compiled with.

``**NO_CFUNC_WRAPPER``: Numba otherwise compiles, for each kernel, a C-callable wrapper that
only a kernel passed as a first-class function would use (none is); about 9% of the LLVM IR
instructions of a first run's modules, and their lowering (docs/performance-log.md, branch
firstrun). ``no_cfunc_wrapper`` is a documented option of ``numba.njit`` since Numba 0.49. A
dict typed ``Any`` because the Numba stubs mypy reads do not list the option.

Branch firstrun also called large callees by a stable symbol instead of linking a copy into
every caller (``shared_calls.shared``, an intrinsic on Numba's private ``_reload_init``); it was
taken out before it reached users: a cached caller whose own callee was loaded from the cache
lost the hook that registers the symbol, and every later run crashed (review31 F1), and the
private attribute exists only since Numba 0.63 (review31 F2). It stays on branch firstrun;
docs/design/compiled-core.md, "Next", item 0.

**Kernels inlined into their one caller** (``inline="always"``, Numba's documented option;
branch cold8). A kernel that only compiled code calls is still compiled on its own, as a whole
function with its CPython wrapper, optimised and emitted by LLVM and written to the cache,
and then a copy of its module is linked into its caller's, where LLVM optimises and emits it
again: in a first run its own compilation is wasted work, since its own machine code never
runs (a change of any kernel module drops every cache, ``compiled.drop_stale_caches``, so
a later caller never reuses it either). Inlined, it is not compiled on its own at all: its
code is typed inside its caller's and never linked, so it also carries no environment into
another cache entry (docs/design/compiled-core.md, "Known problem"). The price is one typing
per caller, so only kernels with one compiled caller, or two, are inlined: the helpers of
one kernel (``_camp_sample``, ``_draw_terms``, ``_stamped``, the queue's push and room), the
bodies of the body/entry split (``first_distinct_body``, ``take_due_body``...: the thin entry
and one kernel), ``open_cases``/``close_cases`` under their flat forms, and the two parts both
transitions share (``_close_core``, ``_leave_custody_core``). A kernel with more compiled
callers (``pairwise_sum``, ``sorted_copy``, ``die_in_custody_core``) stays a function:
inlining it would type it again in each, and what it calls with it. The named streams' draws stay cached on
their own for the reason model/stream_pointers.py gives. tests/test_njit_options.py holds that
no inlined kernel is called from Python (that call would compile it on its own after all),
and measurements are in docs/performance-log.md, "cold8".
"""

from __future__ import annotations

from typing import Any

NO_CFUNC_WRAPPER: Any = {"no_cfunc_wrapper": True}
