#!/usr/bin/env python3
# usage: /usr/bin/python3 seed_driver.py SEED_DIR BARS.csv REPEATS
"""
Times the seed oracle's compute_features_for_tf (the whole feature set of one
timeframe, records included) on the bars in BARS.csv, for @ict/bench.

Only the computation is timed (time.perf_counter around the call); reading the
CSV into the seed's list of bar dicts happens before. The seed raises on every
non-empty input unless golden.py's shims are installed (shared/seed/README.md,
Q1/Q2), so it runs inside golden.shims(True), as shared/seed/bench.py does.
Prints one JSON line: {"n", "seconds": [...], "counts": {...}, "python", "pandas"}.
"""
import gc
import json
import platform
import sys
import time

seed_dir, path, repeats = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path.insert(0, seed_dir)

import golden as G  # noqa: E402
from src.features import ict_detectors as D  # noqa: E402

bars = G.load_bars(path)
seconds = []
out = None
for _ in range(repeats):
    out = None
    gc.collect()
    with G.shims(True):
        s = time.perf_counter()
        out = D.compute_features_for_tf(bars, "1m")
        seconds.append(time.perf_counter() - s)
counts = {k: len(out[k]) for k in ("fvg", "ifvg", "ob", "bb")} if out else {}
print(json.dumps({"n": len(bars), "seconds": seconds, "counts": counts,
                  "python": platform.python_version(), "pandas": G.pd.__version__}), flush=True)
