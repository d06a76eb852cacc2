"""Inequality of a quantity across areas: Gini and Theil, unweighted and weighted, Theil split between
and within groups, and how stable a figure is when one area is left out.

Unweighted: one value per area, each area counting once (as PySAL `inequality` computes them; tests
compare the two). Weighted: each area counts by its weight (residents, enterprises), so a county of
329,000 residents weighs a sixth of a district of 2 million. With integer weights a weighted figure equals the
unweighted one over the areas repeated weight times (tests check this against PySAL too):

    Gini_w  = sum_i sum_j w_i w_j |y_i - y_j| / (2 W^2 ybar),  W = sum w, ybar = sum w y / W
    Theil_w = sum_i (w_i / W) (y_i / ybar) ln(y_i / ybar)
    Theil_w = between + within: between = sum_g (W_g / W)(ybar_g / ybar) ln(ybar_g / ybar),
              within = sum_g (W_g ybar_g / W ybar) Theil_w(group g)

Zero values contribute nothing to Theil (s ln s -> 0 as s -> 0).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy itself loads when a function here first needs it
    import numpy as np


def gini(values) -> float:
    """0 when every area has the same value, towards 1 when one area has everything."""
    import numpy as np

    x = np.sort(np.asarray(values, dtype=float))
    n, total = x.size, x.sum()
    if n == 0 or total == 0:
        return 0.0
    ranks = np.arange(1, n + 1)
    return float(((2 * ranks - n - 1) * x).sum() / (n * total))


def theil(values) -> float:
    """0 when equal, up to ln(n) when one of n areas has everything."""
    import numpy as np

    y = np.asarray(values, dtype=float)
    total = y.sum()
    if y.size == 0 or total == 0:
        return 0.0
    s = y / total
    nonzero = s > 0
    return float((s[nonzero] * np.log(y.size * s[nonzero])).sum())


@dataclass(frozen=True)
class TheilDecomposition:
    total: float
    between: float  # the part due to differences between the groups' totals
    within: float  # the part due to differences inside the groups


def theil_decomposition(values, groups) -> TheilDecomposition:
    """Theil = between + within for a partition of the areas into groups (e.g. urban core / outer)."""
    import numpy as np

    y = np.asarray(values, dtype=float)
    g = np.asarray(groups)
    total = theil(y)
    if y.sum() == 0:
        return TheilDecomposition(0.0, 0.0, 0.0)
    between = 0.0
    for group in np.unique(g):
        members = g == group
        share = y[members].sum() / y.sum()
        if share > 0:
            between += share * np.log(share * y.size / members.sum())
    return TheilDecomposition(total, float(between), float(total - between))


def _checked(values, weights) -> tuple[np.ndarray, np.ndarray]:
    import numpy as np

    y, w = np.asarray(values, dtype=float), np.asarray(weights, dtype=float)
    if y.shape != w.shape:
        raise ValueError("values and weights must have the same length")
    if (w < 0).any() or (y < 0).any():
        raise ValueError("values and weights must not be negative")
    keep = w > 0
    return y[keep], w[keep]


def weighted_gini(values, weights) -> float:
    """The Gini of `values` where area i counts `weights[i]` times (the mean absolute difference over
    all pairs of people, not of areas, halved and divided by the mean). Sorted, it is O(n log n)."""
    import numpy as np

    y, w = _checked(values, weights)
    total_w = w.sum()
    if y.size == 0 or total_w == 0 or (w * y).sum() == 0:
        return 0.0
    order = np.argsort(y, kind="stable")
    y, w = y[order], w[order]
    mean = (w * y).sum() / total_w
    below_w = np.cumsum(w) - w  # weight of the areas below each one
    below_wy = np.cumsum(w * y) - w * y
    # sum_i sum_j w_i w_j |y_i - y_j| = 2 sum_i w_i (y_i * W_below - (wy)_below)
    pairs = 2.0 * (w * (y * below_w - below_wy)).sum()
    return float(pairs / (2.0 * total_w * total_w * mean))


def weighted_theil(values, weights) -> float:
    """Theil's T where area i counts `weights[i]` times: 0 when equal."""
    import numpy as np

    y, w = _checked(values, weights)
    total_w = w.sum()
    if y.size == 0 or total_w == 0:
        return 0.0
    mean = (w * y).sum() / total_w
    if mean == 0:
        return 0.0
    r = y / mean
    nonzero = r > 0
    return float((w[nonzero] / total_w * r[nonzero] * np.log(r[nonzero])).sum())


def weighted_theil_decomposition(values, weights, groups) -> TheilDecomposition:
    """Weighted Theil = between + within for a partition of the areas into groups."""
    import numpy as np

    y, w = np.asarray(values, dtype=float), np.asarray(weights, dtype=float)
    g = np.asarray(groups)
    total = weighted_theil(y, w)
    total_w, total_wy = w.sum(), (w * y).sum()
    if total_w == 0 or total_wy == 0:
        return TheilDecomposition(0.0, 0.0, 0.0)
    mean = total_wy / total_w
    between = within = 0.0
    for group in np.unique(g):
        members = g == group
        group_w, group_wy = w[members].sum(), (w[members] * y[members]).sum()
        if group_w == 0 or group_wy == 0:
            continue
        group_mean = group_wy / group_w
        between += group_w / total_w * group_mean / mean * np.log(group_mean / mean)
        within += group_wy / total_wy * weighted_theil(y[members], w[members])
    return TheilDecomposition(total, float(between), float(within))


@dataclass(frozen=True)
class Range:
    low: float
    high: float
    left_out_low: str  # the area whose absence gives the lowest value
    left_out_high: str


def leave_one_out(values, weights, labels, measure) -> Range | None:
    """The lowest and highest `measure(values, weights)` over the areas with one of them left out:
    how much a figure hangs on a single district (None with fewer than three areas)."""
    import numpy as np

    y, w = np.asarray(values, dtype=float), np.asarray(weights, dtype=float)
    labels = list(labels)
    if y.size < 3:
        return None
    results = []
    for i in range(y.size):
        keep = np.arange(y.size) != i
        results.append((measure(y[keep], w[keep]), labels[i]))
    low, high = min(results), max(results)
    return Range(float(low[0]), float(high[0]), str(low[1]), str(high[1]))
