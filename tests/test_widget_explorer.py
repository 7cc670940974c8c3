"""The Explorer base: checked parameters, a pure model's state, quiet control sync, one figure
redrawn in place, a text alternative in a live region, a static fallback with alt text."""

from __future__ import annotations

import numpy as np
import pytest

from dlcourse.widgets.explorer import Explorer, status_box
from dlcourse.widgets.linear_problem import LinearProblem
from dlcourse.widgets.view import CSS_PX_PER_INCH, PIXEL_RATIO, png_size


class Counter(Explorer):
    """A minimal explorer: one slider, a line whose height is the parameter."""

    TITLE = "counter"
    PARAMS = ("height",)
    FIGSIZE = (3.0, 2.0)

    def __init__(self, **params):
        self.computed = []
        super().__init__(**params)

    def check(self, params):
        height = params.get("height", 1.0)
        if not 0 <= height <= 10:
            raise ValueError(f"height must be between 0 and 10, got {height}")
        return {"height": float(height)}

    def compute(self, params):
        self.computed.append(params["height"])
        return params["height"]

    def build(self, fig):
        ax = fig.subplots()
        ax.set(xlim=(0, 1), ylim=(0, 10))
        (self.line,) = ax.plot([0, 1], [0, 0])
        return [self.line]

    def draw(self, state):
        self.line.set_ydata([state, state])

    def describe(self, state):
        return f"a flat line at height {state:g}"

    def make_controls(self):
        import ipywidgets as widgets

        return {"height": widgets.FloatSlider(value=self.params["height"], min=0, max=10,
                                              description="height")}


def test_update_checks_computes_draws_and_describes():
    explorer = Counter()
    image = explorer.view.image.value
    assert explorer.update(height=4) == 4.0
    assert explorer.controls["height"].value == 4.0
    assert explorer.view.image.value != image
    assert explorer.description == "a flat line at height 4"
    assert "height 4" in explorer.status.value and "dlcourse-status" in explorer.status._dom_classes
    assert explorer.view.alt.value == "counter: a flat line at height 4"
    assert explorer.view.alt in explorer.box.children
    with pytest.raises(TypeError, match="unknown parameter"):
        explorer.update(width=3)
    with pytest.raises(ValueError, match="height must be between 0 and 10, got 11"):
        explorer.update(height=11)
    assert explorer.params == {"height": 4.0}  # a refused update changes nothing


def test_a_control_moves_once_and_its_echo_is_dropped():
    explorer = Counter()
    explorer.computed.clear()
    explorer.controls["height"].value = 2.5  # as the browser would
    assert explorer.computed == [2.5] and explorer.state == 2.5
    image = explorer.view.image.value
    explorer.controls["height"].value = 2.5 + 1e-13  # the browser echoing a value set by code
    assert explorer.computed == [2.5] and explorer.view.image.value is image


def test_update_sets_the_control_without_re_entering():
    explorer = Counter()
    explorer.computed.clear()
    explorer.update(height=7)
    assert explorer.computed == [7.0]  # the control's own event did not compute again


def test_images_are_rendered_at_twice_the_shown_size():
    explorer = Counter()
    width, height = png_size(bytes(explorer.view.image.value))
    assert explorer.view.image.layout.width == f"{3 * CSS_PX_PER_INCH}px"
    assert (width, height) == (3 * CSS_PX_PER_INCH * PIXEL_RATIO, 2 * CSS_PX_PER_INCH * PIXEL_RATIO)


def test_show_gives_the_static_fallback_its_alt_text(monkeypatch):
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda bundle, raw: shown.append(bundle))
    Counter(height=3).show()
    bundle, script = shown
    assert "aria-valuetext" in script["application/javascript"]
    assert 'alt="a flat line at height 3"' in bundle["text/html"]
    assert bundle["image/png"].startswith(b"\x89PNG")


def test_status_box_is_readable_in_any_theme():
    assert "background:#ffffff" in status_box("converged")


def test_linear_problem_closed_forms_match_the_data():
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 3, 40)
    y = 2 * x + 1 + rng.normal(0, 0.3, 40)
    problem = LinearProblem(x, y)
    assert problem.loss(0.5, -1.0) == pytest.approx(np.mean((0.5 * x - 1.0 - y) ** 2))
    assert problem.minimum == pytest.approx(tuple(np.polyfit(x, y, 1)))
    lam = np.linalg.eigvalsh(problem.hessian)
    assert problem.best_rate == pytest.approx(2 / lam.sum())
    with pytest.raises(ValueError, match="same shape"):
        LinearProblem(x, y[:-1])


def test_the_fast_png_encoder_round_trips():
    import io

    from PIL import Image

    from dlcourse.widgets.view import encode_png

    rng = np.random.default_rng(0)
    rgba = rng.integers(0, 256, (7, 5, 4), dtype=np.uint8)
    rgba[..., 3] = 255
    decoded = np.asarray(Image.open(io.BytesIO(encode_png(rgba))).convert("RGBA"))
    np.testing.assert_array_equal(decoded, rgba)
