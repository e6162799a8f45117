"""A small L2-regularised logistic regression in numpy: how sure the matcher is, learned from labelled questions.

A few hundred labelled questions and about ten features: Newton's method converges in a handful of steps and
needs no library beyond numpy. Features are standardised while fitting (so one penalty suits them all) and the
weights are then expressed on the raw features, so applying the model is one dot product.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PENALTY = 1.0  # L2 on standardised weights: keeps a model fitted on a few hundred questions from over-reaching
STEPS = 25


@dataclass(frozen=True)
class Logistic:
    weights: tuple[float, ...]
    bias: float

    def probability(self, features: np.ndarray) -> np.ndarray:
        """P(label) for each row of `features` (or for one feature vector)."""
        return 1.0 / (1.0 + np.exp(-(np.asarray(features, dtype=np.float64) @ np.array(self.weights) + self.bias)))


def fit_logistic(features: np.ndarray, labels: np.ndarray, penalty: float = PENALTY) -> Logistic:
    """Maximum penalised likelihood; a constant feature gets weight 0, a single-class label set a bias only."""
    x = np.asarray(features, dtype=np.float64)
    y = np.asarray(labels, dtype=np.float64)
    mean = x.mean(axis=0)
    spread = x.std(axis=0)
    spread[spread < 1e-9] = np.inf  # constant features say nothing: standardised to 0
    z = np.hstack([(x - mean) / spread, np.ones((len(x), 1))])
    ridge = penalty * np.diag([*np.ones(x.shape[1]), 0.0])
    theta = np.zeros(z.shape[1])
    for _ in range(STEPS):
        p = 1.0 / (1.0 + np.exp(-(z @ theta)))
        gradient = z.T @ (p - y) + ridge @ theta
        hessian = (z * (p * (1 - p))[:, None]).T @ z + ridge + 1e-9 * np.eye(len(theta))
        step = np.linalg.solve(hessian, gradient)
        theta -= step
        if np.abs(step).max() < 1e-8:
            break
    weights = theta[:-1] / spread
    return Logistic(tuple(float(w) for w in weights), float(theta[-1] - weights @ mean))
