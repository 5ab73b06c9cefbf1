"""Percentiles and memory readings shared by the benchmarks."""

from __future__ import annotations

import math
import resource
from pathlib import Path


def percentile(values: list[float], q: float) -> float | None:
    """The q-quantile by the nearest-rank method (p95 of 20 values is the 19th smallest).

    >>> percentile([5.0, 1.0, 3.0, 2.0, 4.0], 0.5), percentile(list(range(1, 21)), 0.95), percentile([], 0.5)
    (3.0, 19, None)
    """
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def p50_p95(values: list[float], scale: float = 1.0, digits: int = 1) -> dict[str, float | None]:
    """{"p50": …, "p95": …} of `values` × scale (e.g. 1000 for seconds → ms)."""
    out = {}
    for name, q in (("p50", 0.5), ("p95", 0.95)):
        v = percentile(values, q)
        out[name] = None if v is None else round(v * scale, digits)
    return out


def rss_mb(pid: int | str = "self") -> float:
    """Resident memory now, in MB (from /proc)."""
    return _status_kb(pid, "VmRSS") / 1024


def peak_rss_mb(pid: int | str = "self") -> float:
    """The highest resident memory of a process so far, in MB."""
    try:
        return _status_kb(pid, "VmHWM") / 1024
    except (OSError, KeyError):  # no /proc: this process only, from getrusage (KB on Linux)
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _status_kb(pid: int | str, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)
