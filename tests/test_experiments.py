"""The reproductions under experiments/: their constructions, on small inputs."""
from fractions import Fraction

import numpy as np
import pytest

from experiments import iclr_tables, lsz_section7
from losscert.proposers import descent


@pytest.mark.parametrize("q", ["3/4", "19/100", "99/100", "9/25", "7/3", "0"])
def test_four_squares_add_up(q):
    q = Fraction(q)
    parts = iclr_tables.four_squares(q)
    assert len(parts) <= 4 and sum(x * x for x in parts) == q


def test_iclr_data_has_the_paper_gram_matrix_and_objective():
    D, Z1, Z2 = [Fraction(1, 2), Fraction(9, 10)], [[1, 1], [0, 1]], [[1, 1], [-1, 1]]
    blocks, d_x, X, Y = iclr_tables.network_data(D, Z1, Z2)
    G = [[sum(a * b for a, b in zip(X[i], X[j])) for j in range(d_x)] for i in range(d_x)]
    assert G == [[1, 0, Fraction(1, 2), 0], [0, 1, 0, Fraction(9, 10)], [Fraction(1, 2), 0, 1, 0],
                 [0, Fraction(9, 10), 0, 1]]
    # the network loss is the paper's objective at any point (w_i incoming, a_i outgoing)
    loss = iclr_tables.loss_for(D, Z1, Z2)
    theta = np.random.default_rng(0).standard_normal(len(loss.params))
    (_, ins1, outs1), (_, ins2, outs2) = descent.rank_one_blocks(loss)
    W1, W2 = np.outer(theta[ins1], theta[outs1]), np.outer(theta[ins2], theta[outs2])
    R1, R2, Dm = np.array(Z1) - W1, np.array(Z2) - W2, np.diag([float(d) for d in D])
    paper = 0.5 * (R1 ** 2).sum() + 0.5 * (R2 ** 2).sum() + np.trace(R1.T @ Dm @ R2)
    assert descent.FloatLoss(loss).value(theta[None])[0] == pytest.approx(paper, rel=1e-12)


def test_shared_input_when_a_cosine_is_one():
    blocks, d_x, X, _ = iclr_tables.network_data([Fraction(1), Fraction(3, 5)], [[1, 0], [0, 1]], [[0, 1], [1, 0]])
    assert blocks[1][0] == 0 and d_x == 3


def test_algorithm1_reaches_both_printed_values_of_row_1():
    row = iclr_tables.TABLE1[0]
    Zs = np.array([np.vstack([np.array(row["Z1"], float), np.array(row["Z2"], float)])])
    L = iclr_tables.sparse_2_opt(row["D"], Zs, 20, 600)[0]
    for v in row["paper"]:
        assert np.abs(L - v).min() < 1e-9
    assert L.min() >= min(row["paper"]) - 1e-9          # nothing below the global minimum


def test_digits_agree():
    assert iclr_tables.digits_agree("[0.51430435184763 +/- 8.54e-15]", 0.5143043518476).startswith(" (=")
    assert "differs" in iclr_tables.digits_agree("[0.68055284803528 +/- 6.13e-15]", 0.6805528480352)
    assert "too wide" in iclr_tables.digits_agree("[0.5 +/- 1e-3]", 0.5)
    assert iclr_tables.digits_agree("", 0.5) == ""


def test_effective_masks_drop_useless_connections():
    # input 2 feeds hidden 2, which feeds no output: both connections are useless
    masks = [np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([[1.0, 0.0]])]
    eff = lsz_section7.effective_masks(masks)
    assert eff[0].tolist() == [[1, 0], [0, 0]] and eff[1].tolist() == [[1, 0]]


def test_linear_descent_does_not_rise_and_approaches_the_regression_minimum():
    rng = np.random.default_rng(1)
    X, Y = lsz_section7.dataset(6, 2, 1, rng)
    masks = [lsz_section7.draw_masks([2, 6, 6, 1], [1.0, 0.5, 1.0], rng) for _ in range(2)]
    hist, _, _ = lsz_section7.train(masks, X, Y, "linear", 0.01, 3000)
    assert np.all(np.diff(hist, axis=0) <= 1e-12)
    assert np.all(hist[-1] - lsz_section7.regression_minimum(X, Y) < 1e-6)
