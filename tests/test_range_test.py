"""The learning-rate range test on a problem whose stable limit is known exactly."""

from __future__ import annotations

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.range_test import RangeTestResult, lr_range_test


@pytest.fixture(scope="module")
def plane():
    return dl.datasets.plane(n=200, seed=0)


def stable_limit(x) -> float:
    """2 / largest eigenvalue of the MSE Hessian of a linear unit: full-batch GD's limit."""
    design = np.column_stack([x, np.ones(len(x))])
    return 2 / np.linalg.eigvalsh(2 * design.T @ design / len(x)).max()


def test_suggests_a_rate_that_trains_well(plane):
    x, y = plane
    unit = dl.LinearUnit(2, seed=0)
    result = lr_range_test(unit, x, y, loss=dl.mse, min_lr=1e-4, max_lr=10, steps=200)
    limit = stable_limit(x)
    assert isinstance(result, RangeTestResult)
    assert limit / 100 < result.suggestion < limit  # a safe, not timid, rate
    assert result.suggestion == pytest.approx(result.lowest_loss_rate / 10)
    assert result.learning_rates[0] < result.steepest_rate < result.lowest_loss_rate
    before = dl.evaluate(unit, x, y, loss="mse", metrics=())["loss"]
    dl.fit(unit, x, y, loss=dl.mse, optimizer=dl.SGD(unit.parameters(), result.suggestion),
           epochs=5, batch_size=32, seed=0, verbose=0)
    after = dl.evaluate(unit, x, y, loss="mse", metrics=())["loss"]
    assert after < before / 20
    assert after < 1.5 * 0.3**2  # near the noise floor of plane(noise=0.3)


def test_stops_when_the_loss_explodes(plane):
    x, y = plane
    result = lr_range_test(dl.LinearUnit(2, seed=0), x, y, loss="mse", min_lr=1e-3,
                           max_lr=100, steps=300)
    assert result.exploded
    assert len(result.losses) < 300
    assert len(result.learning_rates) == len(result.losses) == len(result.raw_losses)
    last = result.losses[-1]
    assert not np.isfinite(last) or last > 4 * np.nanmin(result.losses[:-1])
    assert result.learning_rates[-1] > stable_limit(x)  # it blew up past the stable limit
    assert "exploded" in repr(result)


def test_runs_to_the_end_when_the_rates_stay_small(plane):
    x, y = plane
    result = lr_range_test(dl.LinearUnit(2, seed=0), x, y, loss="mse", min_lr=1e-5,
                           max_lr=1e-2, steps=50)
    assert not result.exploded and len(result.losses) == 50
    assert result.learning_rates[-1] == pytest.approx(1e-2)


def test_rates_grow_exponentially(plane):
    x, y = plane
    result = lr_range_test(dl.LinearUnit(2, seed=0), x, y, loss="mse", min_lr=1e-4,
                           max_lr=1e-1, steps=31)
    rates = result.learning_rates
    assert rates[0] == pytest.approx(1e-4)
    ratios = rates[1:] / rates[:-1]
    np.testing.assert_allclose(ratios, 10 ** (3 / 30))


def test_restores_the_model_unless_asked_not_to(plane):
    x, y = plane
    unit = dl.LinearUnit(2, seed=0)
    w, b = unit.w.data.copy(), unit.b.data.copy()
    lr_range_test(unit, x, y, loss="mse", steps=50)
    np.testing.assert_array_equal(unit.w.data, w)
    np.testing.assert_array_equal(unit.b.data, b)
    assert unit.w.grad is None
    lr_range_test(unit, x, y, loss="mse", steps=50, max_lr=0.1, restore=False)
    assert not np.array_equal(unit.w.data, w)


def test_is_deterministic_for_a_seed(plane):
    x, y = plane
    runs = [lr_range_test(dl.LinearUnit(2, seed=0), x, y, loss="mse", steps=60, seed=s)
            for s in (0, 0, 1)]
    np.testing.assert_array_equal(runs[0].losses, runs[1].losses)
    assert not np.array_equal(runs[0].raw_losses, runs[2].raw_losses)


def test_works_on_a_classifier():
    (x, y), _ = dl.datasets.load_digits()
    model = dl.Sequential([dl.Dense(64, 64, activation="relu", seed=0),
                           dl.Dense(64, 10, activation="softmax", seed=1)])
    result = lr_range_test(model, x, y, min_lr=1e-4, max_lr=10, steps=300)
    assert result.exploded
    assert result.losses.min() < 0.5 * result.losses[0]  # the loss did fall before it rose
    assert 1e-3 < result.suggestion < 1


def test_smoothing_averages_the_raw_losses(plane):
    x, y = plane
    raw = lr_range_test(dl.LinearUnit(2, seed=0), x, y, loss="mse", steps=40, smoothing=0)
    np.testing.assert_allclose(raw.losses, raw.raw_losses)
    smooth = lr_range_test(dl.LinearUnit(2, seed=0), x, y, loss="mse", steps=40, smoothing=0.5)
    assert smooth.losses[1] == pytest.approx((0.5 * smooth.raw_losses[0] * 0.5
                                              + 0.5 * smooth.raw_losses[1]) / (1 - 0.25))


@pytest.mark.parametrize("kwargs, error, match", [
    ({"min_lr": 1.0, "max_lr": 0.1}, ValueError, "smaller than max_lr"),
    ({"min_lr": -1.0}, ValueError, "min_lr"),
    ({"max_lr": "big"}, TypeError, "max_lr"),
    ({"steps": 3}, ValueError, "steps"),
    ({"smoothing": 1.0}, ValueError, "smoothing"),
    ({"explode_factor": 1.0}, ValueError, "explode_factor"),
    ({"loss": "hinge"}, ValueError, "unknown loss"),
])
def test_bad_arguments_get_clear_errors(plane, kwargs, error, match):
    x, y = plane
    with pytest.raises(error, match=match):
        lr_range_test(dl.LinearUnit(2), x, y, **{"loss": "mse", **kwargs})


def test_bad_model_or_data():
    with pytest.raises(TypeError, match="dlcourse model"):
        lr_range_test(object(), np.zeros((4, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="4 samples but y has 3"):
        lr_range_test(dl.LinearUnit(2), np.zeros((4, 2)), np.zeros(3), loss="mse")
