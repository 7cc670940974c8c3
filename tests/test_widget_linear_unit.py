"""Lesson 01's explorer: the line, residuals and error follow w and b; the view redraws in place."""

import io

import numpy as np
import pytest
from PIL import Image

import dlcourse as dl
from dlcourse.widgets.linear_unit import (
    LinearUnitExplorer,
    fit_line,
    least_squares,
    mse_grid,
    show_linear_unit,
)
from dlcourse.widgets.view import png_bytes


@pytest.fixture(scope="module")
def data():
    return dl.datasets.noisy_line()


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def test_fit_line_is_the_unit_output(data):
    x, y = data
    fit = fit_line(x, y, 2.0, -1.0)
    np.testing.assert_allclose(fit.y_pred, 2.0 * x - 1.0)
    np.testing.assert_allclose(fit.residuals, y - fit.y_pred)
    assert fit.mse == pytest.approx(np.mean((y - 2.0 * x + 1.0) ** 2))
    np.testing.assert_allclose(fit.x_line, [x.min(), x.max()])
    np.testing.assert_allclose(fit.y_line, 2.0 * fit.x_line - 1.0)


def test_least_squares_finds_the_slope_and_intercept_the_data_came_from(data):
    w, b = least_squares(*data)
    assert w == pytest.approx(3.0, abs=0.3)
    assert b == pytest.approx(2.0, abs=0.3)


def test_error_is_lowest_at_least_squares_and_grows_away_from_it(data):
    x, y = data
    w, b = least_squares(x, y)
    best = fit_line(x, y, w, b).mse
    for step in (0.1, 0.5, 1.0, 2.0):
        assert fit_line(x, y, w + step, b).mse > best
        assert fit_line(x, y, w, b - step).mse > best
    errors = [fit_line(x, y, w + d, b).mse for d in (0.0, 0.5, 1.0, 2.0, 4.0)]
    assert errors == sorted(errors)


def test_mse_grid_matches_fit_line_and_its_minimum_is_the_least_squares_point(data):
    x, y = data
    ws, bs = np.linspace(0, 6, 61), np.linspace(-1, 5, 61)
    grid = mse_grid(x, y, ws, bs)
    assert grid.shape == (61, 61)
    assert grid[10, 20] == pytest.approx(fit_line(x, y, ws[20], bs[10]).mse)
    i, j = np.unravel_index(grid.argmin(), grid.shape)
    w, b = least_squares(x, y)
    assert abs(ws[j] - w) <= 0.1 and abs(bs[i] - b) <= 0.1


def test_bad_data_is_refused():
    with pytest.raises(ValueError, match=r"same shape \(n,\).*got \(3,\) and \(4,\)"):
        fit_line(np.zeros(3), np.zeros(4), 1.0, 0.0)


def test_update_moves_the_line_and_redraws(data):
    explorer = LinearUnitExplorer(*data, w=1.0, b=0.0)
    before = explorer.view.image.value
    fit = explorer.update(w=2.5)
    assert (fit.w, fit.b) == (2.5, 0.0)
    assert explorer.w_slider.value == 2.5
    np.testing.assert_allclose(explorer.line.get_ydata(), 2.5 * fit.x_line)
    np.testing.assert_allclose(explorer.marker.get_data(), [[2.5], [0.0]])
    assert "MSE = " in explorer.fit_title.get_text()
    assert explorer.view.image.value != before


def test_moving_a_slider_updates_the_figure(data):
    explorer = LinearUnitExplorer(*data)
    before = explorer.view.image.value
    explorer.b_slider.value = 1.5
    assert explorer.fit.b == 1.5
    assert explorer.view.image.value != before


def test_fast_redraw_matches_a_full_render(data):
    explorer = LinearUnitExplorer(*data)
    explorer.update(w=3.3, b=-0.7)
    difference = np.abs(pixels(explorer.view.image.value) - pixels(png_bytes(explorer.fig)))
    assert (difference.max(axis=-1) > 30).sum() < 20


def test_show_displays_and_returns_the_explorer(capsys):
    explorer = show_linear_unit()
    assert isinstance(explorer, LinearUnitExplorer)
    assert "linear unit explorer" in capsys.readouterr().out
    assert explorer.w_slider.description == "weight w"
    assert explorer.b_slider.description == "bias b"
