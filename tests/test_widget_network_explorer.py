"""The width/depth explorer: bigger networks fit spirals at least as well; the view follows."""

import asyncio
import concurrent.futures
import io
import time

import numpy as np
import pytest
from matplotlib.transforms import Bbox
from PIL import Image

from dlcourse.widgets.network_explorer import (
    GRID,
    STEPS,
    build_network,
    show_network_explorer,
    train_network,
)
from dlcourse.widgets.view import png_bytes


def test_a_wider_and_deeper_network_fits_spirals_at_least_as_well():
    small = train_network("spirals", 2, 1)
    wide = train_network("spirals", 16, 1)
    deep = train_network("spirals", 16, 3)
    big = train_network("spirals", 32, 4)
    assert small.accuracy <= wide.accuracy <= deep.accuracy <= big.accuracy
    assert big.accuracy >= 0.9
    assert small.accuracy < 0.75  # one layer of two units cannot follow a spiral


def test_the_boundary_grid_changes_with_the_network():
    a, b = train_network("spirals", 4, 1), train_network("spirals", 16, 3)
    assert a.probability.shape == b.probability.shape == (GRID, GRID)
    assert np.all((a.probability >= 0) & (a.probability <= 1))
    changed = np.mean((a.probability > 0.5) != (b.probability > 0.5))
    assert changed > 0.05


def test_results_are_cached_and_deterministic():
    first = train_network("moons", 8, 2)
    assert train_network("moons", 8, 2) is first
    train_network.cache_clear()
    again = train_network("moons", 8, 2)
    np.testing.assert_array_equal(again.losses, first.losses)
    assert len(first.losses) == STEPS
    assert first.losses[-1] < first.losses[0]


def test_moons_are_easy_for_a_small_network():
    assert train_network("moons", 16, 2).accuracy == 1.0


def test_build_network_shapes_and_parameter_count():
    model = build_network(width=8, depth=3)
    assert len(model.layers) == 4
    assert sum(p.size for p in model.parameters()) == (2 * 8 + 8) + 2 * (8 * 8 + 8) + (8 + 1)
    assert train_network("moons", 8, 3).n_parameters == 177


def test_bad_parameters_get_clear_errors():
    with pytest.raises(ValueError, match="unknown dataset .*expected one of"):
        train_network("circles", 8, 2)
    with pytest.raises(ValueError, match="unknown width 5; expected one of 2, 4, 8, 16, 32"):
        train_network("moons", 5, 2)
    with pytest.raises(ValueError, match="unknown depth 9; expected one of 1, 2, 3, 4"):
        train_network("moons", 8, 9)


def test_update_redraws_the_image_and_the_boundary():
    explorer = show_network_explorer("spirals", width=4, depth=1, display=False)
    before = explorer.view.image.value
    old_fill = explorer.fill
    result = explorer.update(width=16, depth=3)
    assert explorer.view.image.value != before
    assert explorer.fill is not old_fill and old_fill.axes is None  # replaced, not stacked
    assert (explorer.width_slider.value, explorer.depth_slider.value) == (16, 3)
    assert f"training accuracy {result.accuracy:.0%}" in explorer.title.get_text()
    np.testing.assert_array_equal(explorer.loss_line.get_ydata(), result.losses)

    before = explorer.view.image.value
    result = explorer.update(dataset="moons")
    assert explorer.view.image.value != before
    np.testing.assert_array_equal(explorer.points.get_offsets(), result.x)


def test_moving_the_controls_updates_the_figure():
    explorer = show_network_explorer("moons", width=8, depth=1, display=False)
    explorer.depth_slider.value = 2
    assert explorer.result.depth == 2
    explorer.dataset_menu.value = "spirals"
    assert explorer.result.dataset == "spirals"
    with pytest.raises(TypeError, match="update\\(\\) takes dataset, width, depth"):
        explorer.update(layers=3)


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def test_fast_redraw_matches_a_full_render_across_data_sets():
    explorer = show_network_explorer("spirals", width=8, depth=2, display=False)
    for params in ({"width": 32, "depth": 4}, {"dataset": "moons"}, {"width": 2, "depth": 1},
                   {"dataset": "spirals", "width": 16}):
        explorer.update(**params)
        difference = np.abs(pixels(explorer.view.image.value) - pixels(png_bytes(explorer.fig)))
        assert (difference.max(axis=-1) > 30).sum() < 20, params


@pytest.mark.parametrize("first", ["spirals", "moons"])
def test_both_panels_fit_in_the_figure_for_either_data_set(first):
    explorer = show_network_explorer(first, width=4, depth=1, display=False)
    for dataset in ("moons", "spirals"):
        explorer.update(dataset=dataset)
        renderer = explorer.fig.canvas.get_renderer()
        boundary_panel = Bbox.union([explorer.ax.get_tightbbox(renderer),
                                     explorer.fig.axes[-1].get_tightbbox(renderer)])  # colorbar
        loss_panel = explorer.loss_ax.get_tightbbox(renderer)
        figure = explorer.fig.bbox.padded(1)
        for panel in (boundary_panel, loss_panel):
            assert figure.containsx(panel.x0) and figure.containsx(panel.x1), dataset
            assert figure.containsy(panel.y0) and figure.containsy(panel.y1), dataset
        assert boundary_panel.x1 < loss_panel.x0, dataset


def test_neighbours_are_one_notch_of_one_control_away():
    explorer = show_network_explorer("moons", width=2, depth=4, display=False)
    assert explorer.neighbours() == [("moons", 4, 4), ("moons", 2, 3), ("spirals", 2, 4)]
    explorer.update(dataset="spirals", width=8, depth=2)
    assert sorted(explorer.neighbours()) == [("moons", 8, 2), ("spirals", 4, 2),
                                             ("spirals", 8, 1), ("spirals", 8, 3),
                                             ("spirals", 16, 2)]


def test_in_a_kernel_every_setting_trains_in_idle_time_nearest_first(monkeypatch):
    from dlcourse.widgets import network_explorer

    trained = []

    def recording(*setting):
        trained.append(setting)
        return train_network(*setting)

    async def move_then_wait():
        explorer = show_network_explorer("moons", width=4, depth=2, display=False)
        explorer.width_slider.value = 8  # as a browser would: the control's observer runs
        shown_after_the_move = train_network.cache_info().currsize
        monkeypatch.setattr(network_explorer, "train_network", recording)
        deadline = time.monotonic() + 60
        while len(trained) < 39 and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        return explorer, shown_after_the_move

    train_network.cache_clear()
    # A thread of its own: another test (the browser tests' Playwright) may hold this thread's loop.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        explorer, shown_after_the_move = pool.submit(asyncio.run, move_then_wait()).result()
    assert shown_after_the_move == 2  # the move itself trains only the setting it shows
    assert set(trained[:5]) == set(explorer.neighbours())  # the likeliest next moves first
    assert sorted(trained) == sorted(explorer.settings_by_distance())  # then all the others
    assert train_network.cache_info().currsize == 40


def test_prefetch_neighbours_makes_the_next_moves_cache_lookups():
    train_network.cache_clear()
    explorer = show_network_explorer("moons", width=16, depth=3, display=False)
    explorer.prefetch_neighbours()
    neighbours = explorer.neighbours()
    assert train_network.cache_info().currsize == 1 + len(neighbours) == 6
    for dataset, width, depth in neighbours:
        explorer.update(dataset=dataset, width=width, depth=depth)
    assert train_network.cache_info().currsize == 6  # nothing new was trained
