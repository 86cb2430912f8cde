"""numpy's float32 GEMM on this CPU: the CPU's practical matmul limit, for bench/RESULTS.md.

Usage: python3 bench/numpy_gemm.py [sizes=256,512,1024,2048] [reps=5]
Prints one JSON object per line: first {"kind": "info", ...} (numpy version, BLAS, CPUs), then
{"kind": "numpy_gemm", "n": N, "samples_ms": [...]} per square size (after two warm-up products).
"""
import json
import os
import sys
import time

import numpy as np


def blas_name():
    try:
        cfg = np.show_config(mode="dicts")
        blas = cfg.get("Build Dependencies", {}).get("blas", {})
        return f"{blas.get('name', '?')} {blas.get('version', '')}".strip()
    except Exception:  # older numpy: no dict mode
        return "unknown"


def main():
    sizes = [int(s) for s in (sys.argv[1] if len(sys.argv) > 1 else "256,512,1024,2048").split(",")]
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    print(json.dumps({"kind": "info", "numpy": np.__version__, "blas": blas_name(),
                      "cpus": os.cpu_count()}), flush=True)
    rng = np.random.default_rng(0)
    for n in sizes:
        a = rng.standard_normal((n, n), dtype=np.float32)
        b = rng.standard_normal((n, n), dtype=np.float32)
        c = np.empty((n, n), dtype=np.float32)
        for _ in range(2):
            np.matmul(a, b, out=c)
        samples = []
        for _ in range(reps):
            t0 = time.perf_counter()
            np.matmul(a, b, out=c)
            samples.append((time.perf_counter() - t0) * 1000)
        print(json.dumps({"kind": "numpy_gemm", "n": n, "samples_ms": samples}), flush=True)


main()
