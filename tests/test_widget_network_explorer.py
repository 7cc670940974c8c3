"""The width/depth explorer: bigger networks fit spirals at least as well; the view follows."""

import numpy as np
import pytest

from dlcourse.widgets.network_explorer import (
    GRID,
    STEPS,
    build_network,
    show_network_explorer,
    train_network,
)


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
    with pytest.raises(ValueError, match="dataset must be one of"):
        train_network("circles", 8, 2)
    with pytest.raises(ValueError, match=r"width must be one of \(2, 4, 8, 16, 32\), got 5"):
        train_network("moons", 5, 2)
    with pytest.raises(ValueError, match="depth must be one of"):
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
