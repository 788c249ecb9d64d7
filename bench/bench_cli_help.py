"""Median wall time of ``dartnk --help`` over repeated runs (start-up cost a user feels).

Run: .venv/bin/python bench/bench_cli_help.py [REPEATS]
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import time


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    exe = shutil.which("dartnk") or str(__import__("pathlib").Path(sys.executable).with_name("dartnk"))
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        subprocess.run([exe, "--help"], capture_output=True, check=True)
        times.append(time.perf_counter() - t0)
    print(f"dartnk --help: median {statistics.median(times) * 1000:.0f} ms, "
          f"min {min(times) * 1000:.0f} ms, max {max(times) * 1000:.0f} ms over {repeats} runs")


if __name__ == "__main__":
    main()
