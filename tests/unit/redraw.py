"""CPU-time redraw measurement shared by the model tests (robust to a loaded machine)."""

import statistics
import time

from atmp import plots


def cpu_median_ms(widget, n: int = 8) -> float:
    """Median CPU time (ms) of model + draw + PNG render over the widget's edge cases."""
    cases = widget.edge_cases()
    plots.png_bytes(widget.draw(**cases[0]))  # warm up fonts and caches
    times = []
    for i in range(n):
        t0 = time.process_time()
        plots.png_bytes(widget.draw(**cases[i % len(cases)]))
        times.append((time.process_time() - t0) * 1e3)
    return statistics.median(times)
