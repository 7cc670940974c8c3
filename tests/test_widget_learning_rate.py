"""The learning-rate explorer: the pure model (descend, the stable limit, presets) and its view."""

from __future__ import annotations

import numpy as np
import pytest

import dlcourse as dl
from dlcourse.widgets import learning_rate as lr_widget
from dlcourse.widgets.learning_rate import (
    DIVERGENCE_FACTOR,
    START,
    LinearProblem,
    descend,
    make_problem,
    show_learning_rate_explorer,
)


@pytest.fixture(scope="module")
def problem() -> LinearProblem:
    return make_problem()


# -- the problem: loss, gradient, Hessian, limits ----------------------------------------------


def test_gradient_matches_dlcourse_backward(problem):
    for w, b in [START, (0.3, -1.2), (4.0, 2.5)]:
        unit = dl.LinearUnit(1, w=[w], b=b)
        loss = dl.mse(problem.y, unit(problem.x))
        loss.backward()
        assert float(loss.data) == pytest.approx(float(problem.loss(w, b)), rel=1e-12)
        grad_w, grad_b = problem.gradient(w, b)
        assert grad_w == pytest.approx(float(unit.w.grad[0]), rel=1e-10)
        assert grad_b == pytest.approx(float(unit.b.grad), rel=1e-10)


def test_hessian_matches_finite_differences_and_sets_the_limits(problem):
    h = 1e-4
    numeric = np.empty((2, 2))
    for i in range(2):
        step = np.eye(2)[i] * h
        plus = problem.gradient(*(np.array(START) + step))
        minus = problem.gradient(*(np.array(START) - step))
        numeric[:, i] = (np.array(plus) - np.array(minus)) / (2 * h)
    np.testing.assert_allclose(problem.hessian, numeric, rtol=1e-6)
    largest = np.linalg.eigvalsh(numeric).max()
    assert problem.stable_limit == pytest.approx(2 / largest, rel=1e-6)
    assert problem.smooth_limit == pytest.approx(problem.stable_limit / 2)


def test_minimum_is_the_least_squares_fit(problem):
    slope, intercept = np.polyfit(problem.x, problem.y, 1)
    assert problem.minimum == pytest.approx((slope, intercept), rel=1e-9)
    assert np.allclose(problem.gradient(*problem.minimum), 0, atol=1e-9)
    assert problem.min_loss == pytest.approx(np.mean((slope * problem.x + intercept
                                                      - problem.y) ** 2))


def test_the_dataset_is_fixed_and_read_only():
    first, second = make_problem(), make_problem()
    assert first is second
    assert not first.x.flags.writeable
    assert np.array_equal(make_problem(seed=1).x, make_problem(seed=1).x)
    assert not np.array_equal(make_problem(seed=1).x, first.x)


# -- descent: the stable limit, the regimes ------------------------------------------------------


@pytest.mark.parametrize("fraction", [0.1, 0.5, 0.9, 0.99])
def test_full_batch_below_the_stable_limit_converges(problem, fraction):
    d = descend(fraction * problem.stable_limit, steps=500)
    assert not d.diverged and d.diverged_at is None
    assert d.final_loss == pytest.approx(problem.min_loss, rel=1e-3)
    assert np.all(np.isfinite(d.loss)) and len(d.loss) == 501


@pytest.mark.parametrize("fraction", [1.02, 1.1, 1.5, 3.0])
def test_full_batch_above_the_stable_limit_diverges(problem, fraction):
    d = descend(fraction * problem.stable_limit, steps=500)
    assert d.diverged and d.status == "diverged"
    assert 1 <= d.diverged_at <= 500
    assert len(d.loss) == d.diverged_at + 1  # the run stops where it diverged
    limit = DIVERGENCE_FACTOR * d.loss[0]
    assert not d.loss[-1] <= limit
    assert np.all(d.loss[:-1] <= limit)
    assert f"diverged at step {d.diverged_at}" in d.message


def test_further_past_the_limit_diverges_sooner(problem):
    steps = [descend(f * problem.stable_limit, steps=500).diverged_at for f in (1.1, 1.5, 3.0)]
    assert steps[0] > steps[1] > steps[2]


def test_small_rates_converge_slowly(problem):
    good = descend(problem.smooth_limit, steps=100)
    for fraction in (0.01, 0.05, 0.2):
        slow = descend(fraction * problem.smooth_limit, steps=100)
        assert not slow.diverged
        assert slow.final_loss > good.final_loss
        assert np.all(np.diff(slow.loss) < 0)  # smooth descent, it just has not arrived


def test_presets_land_in_the_regimes_they_name(problem):
    presets = lr_widget.presets(problem)
    assert list(presets) == ["too small", "good", "too large", "diverging"]
    rates = list(presets.values())
    assert rates == sorted(rates)
    runs = {name: descend(rate) for name, rate in presets.items()}

    assert runs["too small"].status == "still descending"
    assert not runs["too small"].zigzag
    assert runs["good"].status == "converged"
    assert presets["good"] == pytest.approx(2 / problem.eigenvalues.sum(), rel=0.03)  # best rate
    assert runs["too small"].final_loss > 2 * runs["good"].final_loss
    too_large = runs["too large"]
    assert 0.97 * problem.stable_limit < presets["too large"] < problem.stable_limit
    assert not too_large.diverged and too_large.zigzag
    assert too_large.status == "still descending" and "zigzags" in too_large.message
    assert "smaller learning rate" in too_large.message

    def distance(run, step):
        return np.hypot(run.w[step] - problem.minimum[0], run.b[step] - problem.minimum[1])

    # "good" is nearest the minimum at every checkpoint; "too large" is slow, not fast.
    for step in (40, 100):
        assert distance(runs["good"], step) < distance(too_large, step) / 10
    assert distance(too_large, 100) < distance(runs["too small"], 100)
    assert presets["diverging"] > problem.stable_limit
    assert runs["diverging"].diverged and runs["diverging"].status == "diverged"
    # With minibatches a rate this large keeps bouncing well above the lowest loss.
    noisy_large = descend(presets["too large"], batch_size=10)
    assert noisy_large.loss[-20:].mean() > 1.5 * problem.min_loss


def test_full_batch_is_deterministic_and_ignores_the_seed(problem):
    a = descend(0.05, steps=50, seed=0)
    b = descend(0.05, steps=50, batch_size=problem.n, seed=7)
    np.testing.assert_array_equal(a.w, b.w)
    np.testing.assert_array_equal(a.b, b.b)


def test_minibatches_make_the_path_noisy(problem):
    rate, steps = 0.02, 200
    smooth = descend(rate, steps=steps)

    def wander(batch_size):  # mean distance from the full-batch path
        d = descend(rate, steps=steps, batch_size=batch_size)
        return np.mean(np.hypot(d.w - smooth.w, d.b - smooth.b))

    distances = [wander(b) for b in (1, 5, 25)]
    assert distances[0] > distances[1] > distances[2] > 0
    same = descend(rate, steps=steps, batch_size=5, seed=0)
    other = descend(rate, steps=steps, batch_size=5, seed=1)
    np.testing.assert_array_equal(same.w, descend(rate, steps=steps, batch_size=5, seed=0).w)
    assert not np.array_equal(same.w, other.w)


def test_minibatch_moments_cover_each_epoch_once(problem):
    mx, mxx, my, mxy = lr_widget._batch_moments(problem, steps=8, batch_size=30, seed=0)
    sizes = np.array([30, 30, 30, 10])  # 100 samples: three full batches and a short one
    for epoch in range(2):
        part = slice(4 * epoch, 4 * epoch + 4)
        assert np.sum(mx[part] * sizes) / 100 == pytest.approx(problem.moments[0])
        assert np.sum(mxy[part] * sizes) / 100 == pytest.approx(problem.moments[3])


def test_a_minibatch_step_follows_the_batch_gradient(problem):
    batch = np.arange(10)
    x, y = problem.x[batch], problem.y[batch]
    w, b = START
    grad_w, grad_b = 2 * np.mean((w * x + b - y) * x), 2 * np.mean(w * x + b - y)
    lr = 0.05
    stats = (np.array([x.mean()]), np.array([(x * x).mean()]), np.array([y.mean()]),
             np.array([(x * y).mean()]))
    original = lr_widget._batch_moments
    lr_widget._batch_moments = lambda *args: stats
    try:
        d = lr_widget._descend(problem, lr, 1, 10, START, 123)
    finally:
        lr_widget._batch_moments = original
    assert d.w[1] == pytest.approx(w - lr * grad_w)
    assert d.b[1] == pytest.approx(b - lr * grad_b)


def test_statuses(problem):
    assert descend(0.05, steps=500).status == "converged"
    assert descend(0.001, steps=50).status == "still descending"
    assert descend(0.099, steps=100, batch_size=10).status == "bouncing"
    assert descend(0.1, steps=100, batch_size=1).status == "unstable"
    assert descend(0.25, steps=100).status == "diverged"
    for d in (descend(0.05), descend(0.001), descend(0.3)):
        assert d.status in lr_widget.STATUSES
        assert d.message.startswith(d.status)


@pytest.mark.parametrize("kwargs, error", [
    ({"learning_rate": -0.1}, ValueError),
    ({"learning_rate": float("nan")}, ValueError),
    ({"learning_rate": "fast"}, TypeError),
    ({"learning_rate": 0.1, "steps": 0}, ValueError),
    ({"learning_rate": 0.1, "batch_size": 101}, ValueError),
    ({"learning_rate": 0.1, "batch_size": 2.5}, TypeError),  # checks.positive_int: a type
])
def test_bad_arguments_get_clear_errors(kwargs, error):
    with pytest.raises(error, match="learning_rate|steps|batch_size"):
        descend(**kwargs)


# -- the view --------------------------------------------------------------------------------


@pytest.fixture
def explorer():
    return show_learning_rate_explorer(display=False)


def test_controls_have_findable_descriptions(explorer):
    import ipywidgets as widgets

    assert isinstance(explorer.learning_rate, widgets.FloatLogSlider)
    assert explorer.learning_rate.description == "learning rate"
    assert explorer.steps.description == "steps"
    assert explorer.batch_size.description == "batch size"
    assert [b.description for b in explorer.preset_buttons.values()] == [
        "too small", "good", "too large", "diverging"]
    assert isinstance(explorer.status, widgets.HTML)
    assert explorer.status in explorer.box.children  # under the controls, above the figure
    assert explorer.box.children.index(explorer.status) < explorer.box.children.index(
        explorer.image)


def test_default_view_converges_and_shows_a_figure(explorer):
    assert bytes(explorer.image.value).startswith(b"\x89PNG")
    assert "converged" in explorer.status.value
    assert explorer.descent.batch_size == make_problem().n


def test_update_redraws_and_marks_divergence(explorer):
    before_image, before_status = bytes(explorer.image.value), explorer.status.value
    d = explorer.update(learning_rate=0.3)
    assert d.diverged
    assert bytes(explorer.image.value) != before_image
    assert explorer.status.value != before_status
    assert "diverged" in explorer.status.value
    assert f"diverged at step {d.diverged_at}" in explorer._path_banner.get_text()
    assert explorer._path.get_color() == lr_widget.DIVERGED_COLOR
    explorer.update(learning_rate=0.05)
    assert "diverged" not in explorer.status.value
    assert not explorer._path_banner.get_visible()


def test_presets_move_the_slider(explorer):
    for name, rate in explorer.presets.items():
        explorer.preset_buttons[name].click()
        assert explorer.learning_rate.value == pytest.approx(rate)
        assert explorer.descent.learning_rate == pytest.approx(rate)
    assert "diverged" in explorer.status.value
    explorer.preset_buttons["too small"].click()
    assert "still descending" in explorer.status.value


def test_moving_a_control_redraws(explorer):
    image = bytes(explorer.image.value)
    explorer.learning_rate.value = 0.01  # as a browser would
    assert explorer.descent.learning_rate == pytest.approx(0.01)
    assert bytes(explorer.image.value) != image
    image = bytes(explorer.image.value)
    explorer.steps.value = 300
    assert explorer.descent.steps == 300 and explorer._ax_loss.get_xlim() == (0, 300)
    assert bytes(explorer.image.value) != image
    explorer.batch_size.value = 5
    assert explorer.descent.batch_size == 5
    assert "minibatches of 5" in explorer._title.get_text()


def test_an_unchanged_setting_is_not_redrawn(explorer):
    first = explorer.update(learning_rate=0.02, steps=100, batch_size=100)
    image = explorer.image.value
    assert explorer.update(learning_rate=0.02) is first
    assert explorer.image.value is image


def test_the_previous_setting_stays_in_grey(explorer):
    explorer.update(learning_rate=0.01)
    previous = explorer.descent
    explorer.update(learning_rate=0.1)
    np.testing.assert_array_equal(explorer._ghost_loss.get_ydata(), previous.loss)


def test_update_rejects_unknown_or_out_of_range_values(explorer):
    with pytest.raises(TypeError, match="unknown parameter"):
        explorer.update(rate=0.1)
    with pytest.raises(ValueError, match="learning_rate must be between"):
        explorer.update(learning_rate=5.0)
    with pytest.raises(ValueError, match="steps must be an integer in 10..500"):
        explorer.update(steps=5000)
    with pytest.raises(ValueError, match="batch_size"):
        explorer.update(batch_size=0)
    with pytest.raises(ValueError, match="unknown preset"):
        explorer.apply_preset("fast")


def test_show_puts_the_whole_figure_in_the_static_fallback(monkeypatch):
    from dlcourse.widgets import view

    seen = {}

    def fake_show(box, fig, title="explorer", alt=""):
        seen["title"] = title
        seen["png"] = view.png_bytes(fig)

    monkeypatch.setattr(view, "show", fake_show)
    explorer = show_learning_rate_explorer(learning_rate=0.25)
    assert seen["title"] == "learning-rate explorer"
    assert seen["png"].startswith(b"\x89PNG")
    # The moving parts (path, banners) are ordinary artists between redraws, so the fallback
    # image, a full render, holds them; blitting only hides them while taking the background.
    assert explorer.view.moving and not any(a.get_animated() for a in explorer.view.moving)


def test_show_outside_a_notebook_prints_a_placeholder(capsys):
    show_learning_rate_explorer()
    assert "learning-rate explorer" in capsys.readouterr().out
