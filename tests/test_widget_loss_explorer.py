"""The outlier explorer: MSE chases the outlier, MAE mostly does not; the view follows updates."""

import io

import numpy as np
import pytest
from PIL import Image

import dlcourse as dl
from dlcourse.widgets.loss_explorer import (
    OUTLIER_X,
    base_points,
    fit_lines,
    fit_mae_line,
    fit_mse_line,
    show_loss_explorer,
)
from dlcourse.widgets.view import png_bytes


def test_moving_the_outlier_moves_the_mse_line_more_than_the_mae_line():
    low, high = fit_lines(-5.0), fit_lines(20.0)
    mse_shift = abs(high.predict("mse", OUTLIER_X) - low.predict("mse", OUTLIER_X))
    mae_shift = abs(high.predict("mae", OUTLIER_X) - low.predict("mae", OUTLIER_X))
    assert mse_shift > 5 * mae_shift
    assert mse_shift > 3.0


def test_without_a_real_outlier_both_lines_agree():
    x, y = base_points()
    fits = fit_lines(float(0.5 * OUTLIER_X + 1.0))
    assert abs(fits.mse_line[0] - fits.mae_line[0]) < 0.1
    assert fits.x.shape == fits.y.shape == (len(x) + 1,)


def test_mse_line_minimises_mse_and_mae_line_minimises_mae():
    fits = fit_lines(18.0)
    rng = np.random.default_rng(0)
    for _ in range(50):
        slope, intercept = fits.mae_line + rng.normal(0, 0.2, 2)
        mae = dl.mae(fits.y, slope * fits.x + intercept).item()
        assert mae >= fits.mae - 1e-12
        slope, intercept = fits.mse_line + rng.normal(0, 0.2, 2)
        mse = dl.mse(fits.y, slope * fits.x + intercept).item()
        assert mse >= fits.mse - 1e-12
    np.testing.assert_allclose(fits.mse, dl.mse(fits.y, fits.predict("mse", fits.x)).item())
    np.testing.assert_allclose(fits.mae, dl.mae(fits.y, fits.predict("mae", fits.x)).item())


def test_exact_fits_on_a_perfect_line():
    x = np.arange(5.0)
    assert fit_mse_line(x, 2 * x - 1) == pytest.approx((2.0, -1.0))
    assert fit_mae_line(x, 2 * x - 1) == pytest.approx((2.0, -1.0))
    with pytest.raises(ValueError, match="two points with different x"):
        fit_mae_line([1.0, 1.0], [0.0, 2.0])


def test_bad_outlier_gets_a_clear_error():
    with pytest.raises(ValueError, match="outlier_y must be between -10 and 25, got 40"):
        fit_lines(40)
    with pytest.raises(TypeError, match="outlier_y must be a number"):
        fit_lines("high")
    with pytest.raises(ValueError, match="unknown which 'mxe'; expected one of"):
        fit_lines().predict("mxe", 1.0)


def test_update_redraws_the_image_and_moves_the_lines():
    explorer = show_loss_explorer(outlier_y=0.0, display=False)
    before_image = explorer.view.image.value
    before_mse = explorer.mse_line.get_ydata().copy()
    fits = explorer.update(outlier_y=22.0)
    assert explorer.view.image.value != before_image
    assert explorer.outlier_slider.value == 22.0
    assert explorer.outlier.get_ydata()[0] == 22.0
    assert not np.allclose(explorer.mse_line.get_ydata(), before_mse)
    np.testing.assert_allclose(explorer.mae_line.get_ydata(),
                               fits.predict("mae", explorer.mae_line.get_xdata()))
    assert f"its MSE = {fits.mse:.2f}" in explorer.values.get_text()


def test_moving_the_slider_updates_the_figure():
    explorer = show_loss_explorer(display=False)
    explorer.outlier_slider.value = -6.0
    assert explorer.fits.y[-1] == -6.0
    with pytest.raises(TypeError, match="update\\(\\) takes outlier_y"):
        explorer.update(y=1.0)


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def test_fast_redraw_matches_a_full_render():
    explorer = show_loss_explorer(display=False)
    for outlier_y in (-10.0, 25.0, 4.5, 0.0):
        explorer.update(outlier_y=outlier_y)
        difference = np.abs(pixels(explorer.view.image.value) - pixels(png_bytes(explorer.fig)))
        assert (difference.max(axis=-1) > 30).sum() < 20, outlier_y
