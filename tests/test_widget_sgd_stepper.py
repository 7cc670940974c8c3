"""The SGD stepper: every step is sample, predict, measure, adjust; and its view."""

from __future__ import annotations

import math

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.widgets.sgd_stepper import SGDStepper, show_sgd_stepper


def test_a_step_applies_w_minus_learning_rate_times_the_gradient():
    stepper = SGDStepper(learning_rate=0.1, batch_size=10)
    record = stepper.step()
    x, y = stepper.x[record.batch], stepper.y[record.batch]
    w, b = record.w_before, record.b_before

    # The gradient, computed apart: by hand, and with dlcourse tensors and backward.
    residual = w * x + b - y
    assert record.grad_w == pytest.approx(2 * np.mean(residual * x), rel=1e-12)
    assert record.grad_b == pytest.approx(2 * np.mean(residual), rel=1e-12)
    w_t = dl.Tensor(w, requires_grad=True)
    b_t = dl.Tensor(b, requires_grad=True)
    loss = dl.mse(y, w_t * x + b_t)
    loss.backward()
    assert record.loss == pytest.approx(float(loss.data), rel=1e-12)
    assert record.grad_w == pytest.approx(float(w_t.grad), rel=1e-12)
    assert record.grad_b == pytest.approx(float(b_t.grad), rel=1e-12)

    assert record.w_after == w - 0.1 * record.grad_w
    assert record.b_after == b - 0.1 * record.grad_b
    assert (stepper.w, stepper.b) == (record.w_after, record.b_after)
    assert record.full_loss == pytest.approx(float(stepper.full_loss(stepper.w, stepper.b)))


def test_minibatches_make_epochs():
    stepper = SGDStepper(batch_size=16)  # 50 samples: 16, 16, 16 and 2
    assert stepper.n == 50 and stepper.steps_per_epoch == 4
    records = stepper.run(8)
    assert [len(r.batch) for r in records] == [16, 16, 16, 2] * 2
    assert [r.epoch for r in records] == [1] * 4 + [2] * 4
    for epoch in (records[:4], records[4:]):
        seen = np.concatenate([r.batch for r in epoch])
        assert sorted(seen) == list(range(50))  # every sample once per epoch
    assert not np.array_equal(np.concatenate([r.batch for r in records[:4]]),
                              np.concatenate([r.batch for r in records[4:]]))  # reshuffled


def test_full_batch_steps_follow_the_whole_data_gradient():
    stepper = SGDStepper(batch_size=50, learning_rate=0.05)
    record = stepper.step()
    assert sorted(record.batch) == list(range(50))
    residual = record.w_before * stepper.x + record.b_before - stepper.y
    assert record.grad_w == pytest.approx(2 * np.mean(residual * stepper.x))


def test_sgd_fits_the_noisy_line():
    stepper = SGDStepper(learning_rate=0.1, batch_size=10)
    start = float(stepper.full_loss(*stepper.start))
    stepper.run(40)
    assert stepper.history[-1].full_loss < start / 10
    assert stepper.w == pytest.approx(3.0, abs=0.5)  # noisy_line(): slope 3, intercept 2
    assert stepper.b == pytest.approx(2.0, abs=0.5)
    w, b = stepper.path()
    assert len(w) == 41 and (w[0], b[0]) == stepper.start


def test_reset_restores_the_start_and_replays_the_same_batches():
    stepper = SGDStepper(batch_size=7, seed=3)
    first = stepper.run(12)
    stepper.reset()
    assert (stepper.w, stepper.b) == stepper.start
    assert stepper.history == []
    again = stepper.run(12)
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a.batch, b.batch)
        assert (a.w_after, a.b_after) == (b.w_after, b.b_after)


def test_seed_changes_the_batches():
    a, b = SGDStepper(seed=0).step(), SGDStepper(seed=1).step()
    assert not np.array_equal(a.batch, b.batch)


def test_loss_grid_matches_the_loss():
    stepper = SGDStepper()
    W, B, L = stepper.loss_grid(size=5)
    assert L.shape == (5, 5)
    residual = W[2, 3] * stepper.x + B[2, 3] - stepper.y
    assert L[2, 3] == pytest.approx(float(np.mean(residual**2)))


@pytest.mark.parametrize("kwargs, match", [
    ({"batch_size": 0}, "batch_size"),
    ({"batch_size": 51}, "batch_size"),
    ({"x": [1.0, 2.0]}, "both x and y"),
    ({"x": [1.0, 2.0], "y": [1.0]}, "same non-zero length"),
])
def test_bad_arguments_get_clear_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        SGDStepper(**kwargs)


# -- the view --------------------------------------------------------------------------------


@pytest.fixture
def explorer():
    return show_sgd_stepper(display=False)


def test_controls(explorer):
    assert explorer.step_button.description == "step"
    assert explorer.run_button.description == "run 10 steps"
    assert explorer.reset_button.description == "reset"
    assert explorer.batch_size.description == "batch size"
    assert "Press <b>step</b>" in explorer.readout.value


def test_step_button_redraws_with_the_numbers(explorer):
    image = bytes(explorer.image.value)
    explorer.step_button.click()
    record = explorer.stepper.history[-1]
    assert bytes(explorer.image.value) != image
    assert "step 1" in explorer.readout.value
    assert f"{record.grad_w:.3f}" in explorer.readout.value
    assert f"{record.w_after:.3f}" in explorer.readout.value
    assert explorer._arrow.get_visible()
    assert explorer._arrow.xy == (record.w_after, record.b_after)
    highlighted = explorer._batch.get_offsets()
    assert len(highlighted) == len(record.batch)
    np.testing.assert_array_equal(highlighted[:, 0], explorer.stepper.x[record.batch])


def test_run_and_reset(explorer):
    initial = bytes(explorer.image.value)
    explorer.run_button.click()
    assert len(explorer.stepper.history) == 10
    explorer.run(15)  # past the first 20 steps the step axis grows
    assert explorer._ax_loss.get_xlim()[1] == 40
    explorer.reset_button.click()
    assert explorer.stepper.history == []
    assert explorer._ax_loss.get_xlim()[1] == 20
    assert bytes(explorer.image.value) == initial  # the same picture as at the start


def test_batch_size_slider_starts_over(explorer):
    explorer.run(3)
    explorer.batch_size.value = 25
    assert explorer.stepper.batch_size == 25 and explorer.stepper.history == []
    assert explorer.stepper.steps_per_epoch == 2
    explorer.update(batch_size=5, learning_rate=0.05)
    assert explorer.batch_size.value == 5
    assert explorer.stepper.learning_rate == 0.05
    record = explorer.step()
    assert len(record.batch) == 5
    assert record.w_after == record.w_before - 0.05 * record.grad_w
    with pytest.raises(TypeError, match="unknown parameter"):
        explorer.update(momentum=0.9)


def test_show_displays_it(capsys):
    explorer = show_sgd_stepper(batch_size=5)
    assert "SGD stepper" in capsys.readouterr().out
    assert explorer.stepper.steps_per_epoch == math.ceil(50 / 5)
