"""How long `import dlcourse` takes, and proof that it leaves matplotlib and ipywidgets alone.

    python benchmarks/import_time.py

Each measurement is a fresh interpreter; numpy's own import is reported separately, since
dlcourse cannot be lighter than numpy.
"""

from __future__ import annotations

import statistics
import subprocess
import sys

CODE = """
import time
start = time.perf_counter(); import numpy; numpy_s = time.perf_counter() - start
start = time.perf_counter(); import dlcourse; ours_s = time.perf_counter() - start
import sys
heavy = [m for m in ("matplotlib", "ipywidgets", "IPython", "tqdm") if m in sys.modules]
print(numpy_s, ours_s, ",".join(heavy) or "-")
"""


def main(runs: int = 7) -> None:
    numpy_times, ours, heavy = [], [], set()
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True,
                             check=True).stdout.split()
        numpy_times.append(float(out[0]))
        ours.append(float(out[1]))
        heavy.update(m for m in out[2].split(",") if m != "-")
    print(f"import numpy:    {statistics.median(numpy_times) * 1000:6.1f} ms (median of {runs})")
    print(f"import dlcourse: {statistics.median(ours) * 1000:6.1f} ms on top of numpy")
    print(f"heavy modules imported by dlcourse: {', '.join(sorted(heavy)) or 'none'}")


if __name__ == "__main__":
    main()
