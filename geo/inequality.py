"""Inequality of a quantity across areas: Gini and Theil, with Theil split between and within groups.

Unweighted, one value per area (as PySAL `inequality` computes them; tests compare the two).
Zero values contribute nothing to Theil (s ln s -> 0 as s -> 0).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def gini(values) -> float:
    """0 when every area has the same value, towards 1 when one area has everything."""
    x = np.sort(np.asarray(values, dtype=float))
    n, total = x.size, x.sum()
    if n == 0 or total == 0:
        return 0.0
    ranks = np.arange(1, n + 1)
    return float(((2 * ranks - n - 1) * x).sum() / (n * total))


def theil(values) -> float:
    """0 when equal, up to ln(n) when one of n areas has everything."""
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
