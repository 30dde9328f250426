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
"""

from __future__ import annotations

from typing import Any

NO_CFUNC_WRAPPER: Any = {"no_cfunc_wrapper": True}
