"""The ReLU-sum explorer: its model (fits and bends) and its view (the image follows updates)."""

import io

import numpy as np
import pytest
from PIL import Image

from dlcourse.widgets import relu_sum
from dlcourse.widgets.relu_sum import TARGETS, error_curve, fit_relu_sum, show_relu_sum
from dlcourse.widgets.view import png_bytes


@pytest.mark.parametrize("target", sorted(TARGETS))
def test_more_units_never_fit_worse(target):
    errors = error_curve(target)
    assert errors.shape == (relu_sum.MAX_UNITS,)
    assert np.all(np.diff(errors) <= 1e-12)
    assert errors[-1] < errors[0] / 10


def test_more_units_give_more_bends_and_smaller_error():
    few, many = fit_relu_sum(3, "sine"), fit_relu_sum(20, "sine")
    assert len(many.bends) > len(few.bends)
    assert many.error < few.error / 5
    assert len(many.bends) <= 20


def test_the_sum_is_the_bias_plus_the_contributions_of_relu_units():
    fit = fit_relu_sum(7, "bumps")
    units = np.maximum(0.0, np.outer(fit.w, fit.x) + fit.b[:, None])
    np.testing.assert_allclose(fit.contributions, fit.weights[:, None] * units)
    np.testing.assert_allclose(fit.fitted, fit.bias + fit.contributions.sum(axis=0))
    assert fit.n_units == 7 and fit.contributions.shape == (7, len(fit.x))
    # each unit bends exactly at its kink: flat on one side, a ramp on the other
    assert np.all(np.isin(np.abs(fit.w), [1.0]))


@pytest.mark.parametrize("n_units", [1, 5, 12])
def test_the_sum_is_straight_between_bends_and_bends_at_most_once_per_unit(n_units):
    fit = fit_relu_sum(n_units, "sine")
    slopes = np.diff(fit.fitted) / np.diff(fit.x)
    slope_changes = np.count_nonzero(np.abs(np.diff(slopes)) > 1e-6)
    assert slope_changes == len(fit.bends) <= n_units


def test_the_fit_is_the_least_squares_best_for_its_units():
    fit = fit_relu_sum(6, "step")
    rng = np.random.default_rng(0)
    for _ in range(5):
        nudged = fit.bias + ((fit.weights + 0.01 * rng.normal(size=6))[:, None]
                             * np.maximum(0.0, np.outer(fit.w, fit.x) + fit.b[:, None])).sum(0)
        assert np.sqrt(np.mean((nudged - fit.target) ** 2)) >= fit.error


def test_bad_parameters_get_clear_errors():
    with pytest.raises(ValueError, match="n_units must be an integer in 1..30, got 0"):
        fit_relu_sum(0)
    with pytest.raises(TypeError, match="n_units must be an integer"):
        fit_relu_sum(2.5)
    with pytest.raises(ValueError, match="unknown target .*expected one of"):
        fit_relu_sum(3, "zigzag")


def test_update_redraws_the_image_and_moves_the_controls():
    explorer = show_relu_sum(n_units=3, display=False)
    before = explorer.view.image.value
    fit = explorer.update(n_units=15)
    assert explorer.view.image.value != before
    assert explorer.units_slider.value == 15 and fit.n_units == 15
    assert sum(line.get_visible() for line in explorer.unit_lines) == 15
    np.testing.assert_allclose(explorer.sum_line.get_ydata(), fit.fitted)
    assert "15 ReLU units" in explorer.title.get_text()

    before = explorer.view.image.value
    explorer.update(target="step")
    assert explorer.view.image.value != before
    np.testing.assert_allclose(explorer.target_line.get_ydata(), TARGETS["step"](fit.x))


def test_moving_the_slider_updates_the_figure():
    explorer = show_relu_sum(n_units=4, display=False)
    explorer.units_slider.value = 9
    assert explorer.fit.n_units == 9
    explorer.target_menu.value = "bumps"
    assert explorer.fit.error == fit_relu_sum(9, "bumps").error


def test_update_rejects_unknown_parameters():
    explorer = show_relu_sum(display=False)
    with pytest.raises(TypeError, match="update\\(\\) takes n_units, target"):
        explorer.update(units=3)


def test_show_displays_without_a_notebook(capsys):
    explorer = show_relu_sum(n_units=2)
    assert explorer.fit.n_units == 2


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def test_fast_redraw_matches_a_full_render():
    explorer = show_relu_sum(n_units=3, display=False)
    for params in ({"n_units": 12}, {"target": "bumps"}, {"n_units": 30, "target": "step"},
                   {"n_units": 1}):
        explorer.update(**params)
        difference = np.abs(pixels(explorer.view.image.value) - pixels(png_bytes(explorer.fig)))
        assert (difference.max(axis=-1) > 30).sum() < 20, params
