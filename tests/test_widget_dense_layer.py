"""The dense-layer explorer: its model (sums, x @ W + b, one unit edited) and its view."""

import io

import numpy as np
import pytest
from PIL import Image

import dlcourse as dl
from dlcourse.widgets.dense_layer import (
    dense_layer,
    describe,
    show_dense_layer,
    with_unit,
)
from dlcourse.widgets.view import png_bytes


def test_default_layer_is_seeded_and_small():
    state = dense_layer()
    assert state.x.shape == (5, 3) and state.W.shape == (3, 4) and state.b.shape == (4,)
    np.testing.assert_array_equal(state.W, dense_layer().W)
    assert not np.array_equal(state.W, dense_layer(seed=1).W)


def test_each_units_sum_is_its_weighted_terms_plus_its_bias():
    state = dense_layer(example=2)
    np.testing.assert_allclose(state.inputs, state.x[2])
    for j in range(state.n_units):
        by_hand = sum(state.x[2, i] * state.W[i, j] for i in range(state.n_inputs)) + state.b[j]
        assert state.sums[j] == pytest.approx(by_hand)
        np.testing.assert_allclose(state.terms[:, j], state.x[2] * state.W[:, j])


def test_the_matrix_view_is_what_dense_computes_and_holds_the_sums_in_a_row():
    state = dense_layer(example=3)
    layer = dl.Dense(state.n_inputs, state.n_units, seed=0)
    layer.W.data[:] = state.W
    layer.b.data[:] = state.b
    np.testing.assert_allclose(state.outputs, layer(state.x).data)
    np.testing.assert_allclose(state.outputs[3], state.sums)


def test_editing_one_unit_changes_its_column_and_nothing_else():
    before = dense_layer()
    after = with_unit(before, 2, weights=[1.5, -0.5, 0.25], bias=-1.0)
    np.testing.assert_array_equal(after.W[:, 2], [1.5, -0.5, 0.25])
    assert after.b[2] == -1.0 and after.unit == 2
    changed = ~np.isclose(after.outputs, before.outputs)
    assert changed[:, 2].any()
    assert not changed[:, [0, 1, 3]].any()
    np.testing.assert_array_equal(before.W[:, 2], dense_layer().W[:, 2])  # before untouched


def test_bad_arguments_get_clear_errors():
    with pytest.raises(ValueError, match="example must be an integer in 0..4, got 5"):
        dense_layer(example=5)
    with pytest.raises(ValueError, match="unit must be an integer in 0..3, got -1"):
        dense_layer(unit=-1)
    with pytest.raises(TypeError, match="unit must be an integer in 0..3 \\(an int\\), got float"):
        dense_layer(unit=1.5)
    with pytest.raises(ValueError, match="needs 3 rows, got W of shape \\(2, 4\\)"):
        dense_layer(W=np.ones((2, 4)))
    with pytest.raises(ValueError, match="one bias per unit, shape \\(4,\\), got \\(3,\\)"):
        dense_layer(b=np.ones(3))
    with pytest.raises(ValueError, match="x must have shape \\(batch, n_inputs\\)"):
        dense_layer(x=np.ones(3))
    with pytest.raises(ValueError, match="unit 1 needs 3 finite weights"):
        with_unit(dense_layer(), 1, weights=[1.0, 2.0])
    with pytest.raises(ValueError, match="bias of unit 0 must be one finite number"):
        with_unit(dense_layer(), 0, bias=float("nan"))


def test_description_names_every_unit_and_the_matrix_view():
    text = describe(dense_layer(example=1, unit=3))
    assert text.startswith("Example 1: inputs")
    assert all(f"unit {j}" in text for j in range(4))
    assert "unit 3 (being edited)" in text
    assert "x (5×3) @ W (3×4) + b gives y (5×4)" in text


def test_update_moves_the_controls_redraws_and_announces():
    explorer = show_dense_layer(display=False)
    image, status = explorer.view.image.value, explorer.status.value
    state = explorer.update(unit=1, weights=[0.5, 0.5, 0.5], bias=0.0)
    assert explorer.view.image.value != image and explorer.status.value != status
    assert explorer.unit.value == 1
    assert [w.value for w in explorer.weights] == [0.5, 0.5, 0.5]
    assert "dlcourse-status" in explorer.status._dom_classes  # a live region in the page
    assert explorer.view.image.tooltip.endswith(describe(state))  # the image's text alternative
    np.testing.assert_allclose(state.W[:, 1], 0.5)
    with pytest.raises(TypeError, match="update\\(\\) takes example, unit, weights, bias"):
        explorer.update(units=2)


def test_choosing_a_unit_puts_its_weights_on_the_sliders():
    explorer = show_dense_layer(display=False)
    explorer.unit.value = 3
    W = explorer.state.W
    assert [w.value for w in explorer.weights] == pytest.approx(W[:, 3])
    explorer.weights[0].value = -2.0  # a learner drags one weight
    assert explorer.state.W[0, 3] == -2.0
    assert explorer.state.W[0, 2] == W[0, 2]


def test_reset_puts_every_weight_back():
    explorer = show_dense_layer(display=False)
    start = explorer.state
    explorer.update(unit=0, weights=[2, 2, 2], bias=2)
    explorer.reset.click()
    np.testing.assert_array_equal(explorer.state.W, start.W)
    assert explorer.weights[0].value == pytest.approx(start.W[0, 0])


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def test_fast_redraw_matches_a_full_render():
    explorer = show_dense_layer(display=False)
    for params in ({"example": 4}, {"unit": 2, "bias": -1.3}, {"weights": [2, -2, 0]}):
        explorer.update(**params)
        difference = np.abs(pixels(explorer.view.image.value) - pixels(png_bytes(explorer.fig)))
        assert (difference.max(axis=-1) > 30).sum() < 20, params


def test_show_displays_without_a_notebook():
    assert show_dense_layer(example=2).state.example == 2
