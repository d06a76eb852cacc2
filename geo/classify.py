"""Classes for choropleth maps (mapclassify): quantiles or natural breaks, with colours and legend rows.

Missing values (None/NaN: a ratio without a base) get no class and are drawn as "no data". Classes
that would hold no value (mapclassify makes them when many values are equal) are dropped, so the
legend never shows an empty class. Natural breaks are Fisher-Jenks (the optimal, deterministic
form); above `SAMPLE` values they are computed on `SAMPLE` evenly spaced quantiles of the data
(the pure-Python Fisher-Jenks is quadratic: 17,000 grid cells would take minutes).
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # numpy itself loads when a function here first needs it
    import numpy as np

SCHEMES = ("quantiles", "natural_breaks")
SAMPLE = 200
# ColorBrewer YlGnBu, 7 classes; fewer classes take evenly spaced colours from it.
RAMP = ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84")
NO_DATA_COLOR = "#d9d9d9"
MIN_K, MAX_K = 2, 7


@dataclass(frozen=True)
class Classification:
    scheme: str
    lower: tuple[float, ...]  # each class's smallest value
    upper: tuple[float, ...]  # each class's upper bound (inclusive)
    counts: tuple[int, ...]
    colors: tuple[str, ...]
    classes: tuple[int | None, ...]  # the class of each input value, None for missing

    def color_of(self, index: int | None) -> str:
        return NO_DATA_COLOR if index is None else self.colors[index]


def classify(values, scheme: str = "quantiles", k: int = 5) -> Classification:
    """Class each value with `scheme` into at most `k` non-empty classes."""
    import numpy as np

    if scheme not in SCHEMES:
        raise ValueError(f"unknown scheme {scheme!r}; expected one of {SCHEMES}")
    k = max(MIN_K, min(MAX_K, int(k)))
    y = np.array([np.nan if v is None else float(v) for v in values], dtype=float)
    present = np.isfinite(y)
    data = y[present]
    if data.size == 0:
        return Classification(scheme, (), (), (), (), tuple(None for _ in y))
    unique = np.unique(data)
    k = min(k, unique.size)
    if k <= 1:
        bins = np.array([unique[-1]])
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            bins = _bins(data, unique, scheme, k)
    bins[-1] = data.max()
    index = np.searchsorted(bins, data, side="left")
    counts = np.bincount(index, minlength=bins.size)
    keep = np.flatnonzero(counts)
    bins = bins[keep]
    index = np.searchsorted(bins, data, side="left")  # renumbered without the empty classes
    lower = [float(data[index == i].min()) for i in range(bins.size)]
    classes = np.full(y.size, -1)
    classes[present] = index
    return Classification(scheme, tuple(lower), tuple(float(b) for b in bins),
                          tuple(int(c) for c in np.bincount(index, minlength=bins.size)),
                          colors(bins.size), tuple(None if c < 0 else int(c) for c in classes))


def _bins(data: np.ndarray, unique: np.ndarray, scheme: str, k: int) -> np.ndarray:
    import mapclassify  # with scipy, seconds to import: loaded when a map is first classified
    import numpy as np

    if scheme == "quantiles":
        return np.array(mapclassify.Quantiles(data, k=k).bins, dtype=float)
    sample = unique if unique.size <= SAMPLE else np.quantile(data, np.linspace(0, 1, SAMPLE))
    return np.array(mapclassify.FisherJenks(sample, k=min(k, np.unique(sample).size)).bins, dtype=float)


def colors(k: int) -> tuple[str, ...]:
    """`k` colours from light to dark."""
    import numpy as np

    if k <= 0:
        return ()
    if k == 1:
        return (RAMP[len(RAMP) // 2],)
    picks = np.round(np.linspace(0, len(RAMP) - 1, k)).astype(int)
    return tuple(RAMP[i] for i in picks)
