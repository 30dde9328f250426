"""Whether two reference tables hold the same rows, bit for bit, timing aside.

Usage: ``python bench/compare_reference_rows.py TABLE_A TABLE_B``: reads both
(``reference_table.read_reference``: rows sorted by block, hypothesis and draw), drops the
``seconds`` column (each run's CPU time, which differs between any two builds), and compares
every other column's values and dtypes exactly (NaN equal to NaN); prints a SHA-256 of each
table's rows and exits 1 if they differ. Also prints how the rows are split into parts.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

from greatterror.calibration.reference_table import read_reference


def digest(path: Path) -> tuple[str, object]:
    rows = read_reference(path).rows.drop(columns=["seconds"])
    h = hashlib.sha256()
    for name in rows.columns:
        h.update(name.encode() + str(rows[name].dtype).encode())
        values = rows[name].to_numpy()
        if values.dtype.kind in "biuf":  # numbers: their bytes (a NaN's too)
            h.update(values.tobytes())
        else:  # strings
            h.update("\0".join(map(str, values)).encode())
    return h.hexdigest()[:16], rows


def main() -> int:
    a, b = (Path(p) for p in sys.argv[1:3])
    (ha, ra), (hb, rb) = digest(a), digest(b)
    for path, h in ((a, ha), (b, hb)):
        parts = sorted(p.name.rsplit("-", 1)[0] for p in (path / "parts").glob("*.parquet"))
        print(f"{path}: {len(read_reference(path).rows)} rows, sha256 {h}, parts {parts}")
    same = ha == hb and ra.equals(rb)
    print("identical" if same else "DIFFERENT")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
