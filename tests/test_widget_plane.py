"""Lesson 02's explorer: the plane's heights follow w0, w1 and b; the view redraws in place."""

import io

import numpy as np
import pytest
from PIL import Image

import dlcourse as dl
from dlcourse.widgets.plane import (
    PlaneExplorer,
    fit_plane,
    least_squares_plane,
    plane_grid,
    show_plane,
    surface_polygons,
)
from dlcourse.widgets.view import png_bytes


@pytest.fixture(scope="module")
def data():
    return dl.datasets.plane()


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def test_plane_heights_follow_the_weights_and_bias(data):
    x, y = data
    base = fit_plane(x, y, 1.0, 1.0, 0.0)
    np.testing.assert_allclose(base.grid_z, base.grid_x0 + base.grid_x1)
    steeper = fit_plane(x, y, 3.0, 1.0, 0.0)
    np.testing.assert_allclose(steeper.grid_z - base.grid_z, 2.0 * base.grid_x0)
    tilted = fit_plane(x, y, 1.0, -1.0, 0.0)
    np.testing.assert_allclose(tilted.grid_z - base.grid_z, -2.0 * base.grid_x1)
    raised = fit_plane(x, y, 1.0, 1.0, 0.7)
    np.testing.assert_allclose(raised.grid_z - base.grid_z, 0.7)


def test_outputs_are_the_two_input_unit(data):
    x, y = data
    fit = fit_plane(x, y, 2.0, -1.0, 0.5)
    np.testing.assert_allclose(fit.y_pred, x @ [2.0, -1.0] + 0.5)
    np.testing.assert_allclose(fit.residuals, y - fit.y_pred)
    assert fit.mse == pytest.approx(np.mean(fit.residuals**2))


def test_least_squares_recovers_the_plane_and_has_the_lowest_error(data):
    x, y = data
    w0, w1, b = least_squares_plane(x, y)
    assert (w0, w1, b) == pytest.approx((2.0, -1.0, 0.5), abs=0.15)
    best = fit_plane(x, y, w0, w1, b).mse
    for change in [(0.3, 0, 0), (0, -0.3, 0), (0, 0, 0.3), (-1, 1, -1)]:
        assert fit_plane(x, y, w0 + change[0], w1 + change[1], b + change[2]).mse > best


def test_surface_polygons_lie_on_the_plane(data):
    x, y = data
    fit = fit_plane(x, y, 0.5, 2.0, -1.0, plane_grid(x, size=6))
    polygons = surface_polygons(fit)
    assert polygons.shape == (25, 4, 3)
    np.testing.assert_allclose(polygons[..., 2], 0.5 * polygons[..., 0] + 2.0 * polygons[..., 1]
                               - 1.0)


def test_bad_data_is_refused():
    with pytest.raises(ValueError, match=r"x of shape \(n, 2\).*got \(5, 3\)"):
        fit_plane(np.zeros((5, 3)), np.zeros(5), 1.0, 1.0, 0.0)


def test_update_moves_the_plane_and_redraws(data):
    explorer = PlaneExplorer(*data)
    before = explorer.view.image.value
    fit = explorer.update(w0=2.0, b=1.0)
    assert (fit.w0, fit.w1, fit.b) == (2.0, 0.0, 1.0)
    assert (explorer.w0_slider.value, explorer.b_slider.value) == (2.0, 1.0)
    drawn = np.asarray(surface_polygons(fit))
    np.testing.assert_allclose(drawn[..., 2], 2.0 * drawn[..., 0] + 1.0)
    above = len(explorer.above.get_data_3d()[0])
    below = len(explorer.below.get_data_3d()[0])
    assert above == int((fit.residuals >= 0).sum()) and above + below == len(data[1])
    assert explorer.view.image.value != before
    assert explorer.error_title.get_text() == f"MSE = {fit.mse:.2f}"


def test_moving_a_slider_updates_the_figure(data):
    explorer = PlaneExplorer(*data)
    before = explorer.view.image.value
    explorer.w1_slider.value = -1.0
    assert explorer.fit.w1 == -1.0
    assert explorer.view.image.value != before


def test_fast_redraw_matches_a_full_render(data):
    explorer = PlaneExplorer(*data)
    explorer.update(w0=1.0, w1=-2.0, b=0.5)
    difference = np.abs(pixels(explorer.view.image.value) - pixels(png_bytes(explorer.fig)))
    assert (difference.max(axis=-1) > 30).sum() < 20


def test_show_displays_and_returns_the_explorer(capsys):
    explorer = show_plane()
    assert isinstance(explorer, PlaneExplorer)
    assert "plane explorer" in capsys.readouterr().out
    assert [s.description for s in (explorer.w0_slider, explorer.w1_slider, explorer.b_slider)] \
        == ["weight w0", "weight w1", "bias b"]
