"""Weighted Gini and Theil, Theil's decomposition and the leave-one-out range: by hand and against PySAL."""
import math

import numpy as np
import pytest
from inequality.gini import Gini
from inequality.theil import Theil, TheilD

from geo.inequality import (
    gini,
    leave_one_out,
    theil,
    weighted_gini,
    weighted_theil,
    weighted_theil_decomposition,
)

VALUES = np.array([1.0, 3.0, 0.5, 7.0, 2.0])
WEIGHTS = np.array([2, 1, 4, 1, 3])
GROUPS = np.array(["core", "core", "outer", "outer", "outer"])


def test_weighted_gini_and_theil_by_hand():
    # y = (1, 3), w = (1, 3): mean 2.5; sum_ij w_i w_j |y_i - y_j| = 2 * 1 * 3 * 2 = 12
    assert weighted_gini([1, 3], [1, 3]) == pytest.approx(12 / (2 * 4 ** 2 * 2.5))  # 0.15
    # T = 1/4 * 0.4 ln 0.4 + 3/4 * 1.2 ln 1.2
    assert weighted_theil([1, 3], [1, 3]) == pytest.approx(0.25 * 0.4 * math.log(0.4) + 0.75 * 1.2 * math.log(1.2))
    # equal weights: the unweighted figures
    assert weighted_gini(VALUES, np.ones(5)) == pytest.approx(gini(VALUES))
    assert weighted_theil(VALUES, np.ones(5)) == pytest.approx(theil(VALUES))
    # a district with no residents does not count at all; equal values are equal whatever the weights
    assert weighted_gini([1, 3, 100], [1, 3, 0]) == pytest.approx(0.15)
    assert weighted_gini([2, 2, 2], [1, 5, 9]) == 0 and weighted_theil([2, 2, 2], [1, 5, 9]) == 0


def test_weighted_decomposition_by_hand():
    # two groups of one area each: within is 0, between is the whole
    d = weighted_theil_decomposition([1, 3], [1, 3], ["a", "b"])
    assert d.within == pytest.approx(0) and d.between == pytest.approx(d.total)
    # one group: between is 0
    d = weighted_theil_decomposition(VALUES, WEIGHTS, ["x"] * 5)
    assert d.between == pytest.approx(0) and d.within == pytest.approx(d.total)


def test_weighted_figures_equal_pysal_over_repeated_areas():
    """With integer weights, an area of weight w is w people with the same value: PySAL's unweighted
    figures over the repeated values must equal ours."""
    repeated, groups = np.repeat(VALUES, WEIGHTS), np.repeat(GROUPS, WEIGHTS)
    assert weighted_gini(VALUES, WEIGHTS) == pytest.approx(Gini(repeated).g)
    assert weighted_theil(VALUES, WEIGHTS) == pytest.approx(Theil(repeated).T)
    ours, theirs = weighted_theil_decomposition(VALUES, WEIGHTS, GROUPS), TheilD(repeated, groups)
    assert ours.total == pytest.approx(float(np.squeeze(theirs.T)))
    assert ours.between == pytest.approx(float(np.squeeze(theirs.bg)))
    assert ours.within == pytest.approx(float(np.squeeze(theirs.wg)))
    assert ours.between + ours.within == pytest.approx(ours.total)


def test_weighting_changes_the_figure_the_way_a_statistician_expects():
    # one small district with everything and one large with little: weighting by people raises the Gini
    y, w = np.array([10.0, 1.0]), np.array([1, 9])
    assert gini(y) == pytest.approx(18 / 44)  # 2 * 9 / (2 * 2² * 5.5)
    assert weighted_gini(y, w) == pytest.approx(162 / 380)  # 2 * 1 * 9 * 9 / (2 * 10² * 1.9)
    assert weighted_gini(y, w) > gini(y)


def test_leave_one_out_range_by_hand():
    rng = leave_one_out([1, 1, 1, 9], [1, 1, 1, 1], ["a", "b", "c", "d"], weighted_gini)
    assert rng.low == pytest.approx(0) and rng.left_out_low == "d"  # without d all are equal
    assert rng.high == pytest.approx(weighted_gini([1, 1, 9], [1, 1, 1])) and rng.left_out_high in "abc"
    assert leave_one_out([1, 2], [1, 1], ["a", "b"], weighted_gini) is None


def test_bad_weights_are_refused():
    with pytest.raises(ValueError):
        weighted_gini([1, 2], [1])
    with pytest.raises(ValueError):
        weighted_theil([1, 2], [1, -1])
