"""Lesson 00's explorer: a digit's image, hidden layers and probabilities; the view redraws."""

import io

import numpy as np
import pytest
from PIL import Image

import dlcourse as dl
from dlcourse.widgets.digit_pass import (
    DigitPassExplorer,
    digit_pass,
    layer_outputs,
    show_digit_pass,
)
from dlcourse.widgets.view import png_bytes


@pytest.fixture(scope="module")
def digits():
    return dl.datasets.load_digits()


@pytest.fixture(scope="module")
def model(digits):
    (x_train, y_train), _ = digits
    model = dl.Sequential([dl.Dense(64, 16, activation="relu", seed=0),
                           dl.Dense(16, 12, activation="relu", seed=1),
                           dl.Dense(12, 10, activation="softmax", seed=2)])
    dl.fit(model, x_train, y_train, loss=dl.sparse_categorical_crossentropy,
           optimizer=dl.SGD(model.parameters(), learning_rate=0.05, momentum=0.9), epochs=8,
           batch_size=32, seed=0, verbose=0)
    return model


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def test_layer_outputs_gives_every_layer_then_probabilities(model, digits):
    _, (x_test, _) = digits
    outputs = layer_outputs(model, x_test[:5])
    assert [o.shape for o in outputs] == [(5, 16), (5, 12), (5, 10)]
    assert np.all(outputs[0] >= 0) and np.all(outputs[1] >= 0)  # after ReLU
    np.testing.assert_allclose(outputs[-1].sum(axis=1), 1.0)


def test_activation_layers_join_the_layer_before_and_scores_become_probabilities():
    model = dl.Sequential([dl.Dense(4, 3, seed=0), dl.ReLU(), dl.Dense(3, 2, seed=1)])
    x = np.random.default_rng(0).normal(size=(6, 4))
    hidden, probabilities = layer_outputs(model, x)
    assert hidden.shape == (6, 3) and np.all(hidden >= 0)
    with dl.no_grad():
        scores = model(x).data
    np.testing.assert_allclose(probabilities, dl.softmax(scores).data)


def test_probabilities_sum_to_one_and_change_with_the_digit(model, digits):
    _, (x_test, y_test) = digits
    first = digit_pass(model, x_test, y_test, index=0)
    other = digit_pass(model, x_test, y_test, index=1)
    for one in (first, other):
        assert one.probabilities.sum() == pytest.approx(1.0)
        assert np.all(one.probabilities >= 0)
        assert one.prediction == int(np.argmax(one.probabilities))
        assert one.image.shape == (8, 8)
        assert [h.shape for h in one.hidden] == [(16,), (12,)]
    assert (first.index, first.label) == (0, y_test[0])
    assert (other.index, other.label) == (1, y_test[1])
    assert not np.allclose(first.probabilities, other.probabilities)
    assert not np.allclose(first.hidden[0], other.hidden[0])


def test_a_trained_network_is_mostly_right(model, digits):
    _, (x_test, y_test) = digits
    right = [digit_pass(model, x_test, y_test, i).prediction == y_test[i] for i in range(40)]
    assert np.mean(right) > 0.8


def test_bad_input_is_refused(model, digits):
    _, (x_test, y_test) = digits
    with pytest.raises(ValueError, match="index must be an integer in 0..359, got 360"):
        digit_pass(model, x_test, y_test, index=360)
    with pytest.raises(ValueError, match=r"labels y of shape \(360,\), got \(3,\)"):
        digit_pass(model, x_test, y_test[:3])
    with pytest.raises(ValueError, match=r"x of shape \(n, features\), got \(64,\)"):
        digit_pass(model, x_test[0])
    with pytest.raises(TypeError, match="expects a model"):
        digit_pass("model", x_test)


def test_update_shows_another_digit_and_redraws(model, digits):
    _, (x_test, y_test) = digits
    explorer = DigitPassExplorer(model, x_test, y_test)
    before = explorer.view.image.value
    shown = explorer.update(index=5)
    assert explorer.slider.value == 5
    np.testing.assert_allclose(explorer.image.get_array(), x_test[5].reshape(8, 8))
    widths = [bar.get_width() for bar in explorer.bars]
    np.testing.assert_allclose(widths, shown.probabilities)
    assert f"test digit #5, true label {y_test[5]}" in explorer.heading.get_text()
    assert explorer.view.image.value != before


def test_slider_and_next_mistake_button(model, digits):
    _, (x_test, y_test) = digits
    explorer = DigitPassExplorer(model, x_test, y_test)
    explorer.slider.value = 9
    assert explorer.current.index == 9
    mistakes = explorer.mistakes
    assert mistakes.size > 0
    explorer.next_mistake.click()
    assert explorer.current.index == mistakes[mistakes > 9][0]
    assert explorer.current.prediction != explorer.current.label
    assert "wrong" in explorer.heading.get_text()


def test_fast_redraw_matches_a_full_render(model, digits):
    _, (x_test, y_test) = digits
    explorer = DigitPassExplorer(model, x_test, y_test)
    explorer.update(index=42)
    difference = np.abs(pixels(explorer.view.image.value) - pixels(png_bytes(explorer.fig)))
    assert (difference.max(axis=-1) > 30).sum() < 20


def test_show_displays_and_returns_the_explorer(model, digits, capsys):
    _, (x_test, y_test) = digits
    explorer = show_digit_pass(model, x_test, y_test)
    assert isinstance(explorer, DigitPassExplorer)
    assert "digit explorer" in capsys.readouterr().out
    assert explorer.slider.description == "test digit"
    assert explorer.next_mistake.description == "next mistake"
