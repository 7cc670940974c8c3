"""The diagrams draw what they say: the right circles, connections and labels; bad input refused."""

import matplotlib.pyplot as plt
import pytest

from dlcourse.diagrams import (
    draw_dense_layer,
    draw_network,
    draw_unit,
    shown_slots,
)


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    fig.canvas.draw()  # every drawing must also render without error
    plt.close(fig)


def texts(diagram):
    return [label.get_text() for label in diagram.labels]


def test_shown_slots_keeps_small_layers_and_elides_big_ones():
    assert shown_slots(3, 10) == [0, 1, 2]
    assert shown_slots(10, 10) == list(range(10))
    slots = shown_slots(64, 10)
    assert len(slots) == 10 and slots.count(None) == 1
    assert slots[0] == 0 and slots[-1] == 63


def test_unit_with_one_input(ax):
    d = draw_unit(ax)
    assert len(d.circles) == 4  # x, the bias "1", the unit, y
    assert len(d.connections) == 3  # x -> unit, 1 -> unit, unit -> y
    labels = texts(d)
    assert "$x$" in labels and "$w$" in labels and "$b$" in labels and "$y$" in labels
    assert "$y = w\\,x + b$" in labels


def test_unit_prints_given_weights_and_bias(ax):
    d = draw_unit(ax, n_inputs=2, weights=[2.0, -1.0], bias=0.5)
    labels = texts(d)
    assert {"2", "-1", "0.5"} <= set(labels)
    assert "$y = 2\\,x_{0} - 1\\,x_{1} + 0.5$" in labels
    assert len(d.circles) == 2 + 1 + 1 + 1


def test_unit_without_bias(ax):
    d = draw_unit(ax, n_inputs=3, show_bias=False)
    assert len(d.circles) == 3 + 1 + 1
    assert len(d.connections) == 3 + 1


def test_unit_with_many_inputs_elides_the_middle(ax):
    d = draw_unit(ax, n_inputs=20, max_inputs=6)
    assert len(d.circles) == 5 + 1 + 1 + 1  # 5 inputs shown, bias, unit, output
    assert r"$\vdots$" in texts(d)
    assert "$x_{19}$" in texts(d)


def test_dense_layer_connects_every_input_to_every_unit(ax):
    d = draw_dense_layer(ax, 3, 4)
    assert len(d.circles) == 3 + 1 + 4  # inputs, bias, units
    assert len(d.connections) == (3 + 1) * 4 + 4  # into the units, then out to y_j
    assert {"$y_{0}$", "$y_{3}$"} <= set(texts(d))


def test_dense_layer_highlight_labels_one_units_weights(ax):
    d = draw_dense_layer(ax, 3, 4, highlight=2)
    labels = texts(d)
    assert {"$W_{0,2}$", "$W_{1,2}$", "$W_{2,2}$", "$b_{2}$"} <= set(labels)
    assert "$W_{0,1}$" not in labels


def test_dense_layer_elides_wide_layers(ax):
    d = draw_dense_layer(ax, 64, 32, show_bias=False, max_shown=8)
    assert len(d.circles) == 7 + 7
    assert len(d.connections) == 7 * 7 + 7


def test_network_circles_and_lines(ax):
    d = draw_network(ax, [3, 4, 2])
    assert len(d.circles) == 9
    assert len(d.connections) == 3 * 4 + 4 * 2
    assert {"input", "hidden 1", "output", "3 inputs", "2 units"} <= set(texts(d))


def test_network_elides_big_layers_and_writes_activations(ax):
    d = draw_network(ax, [64, 32, 10], activations=["relu", "softmax"], max_units=10)
    assert len(d.circles) == 9 + 9 + 10
    assert len(d.connections) == 9 * 9 + 9 * 10
    labels = texts(d)
    assert labels.count(r"$\vdots$") == 2
    assert {"relu", "softmax", "64 inputs", "32 units"} <= set(labels)


def test_network_custom_labels(ax):
    d = draw_network(ax, [2, 1], labels=["features", "prediction"])
    assert {"features", "prediction", "1 unit"} <= set(texts(d))


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda ax: draw_unit(ax, n_inputs=0), "n_inputs to be a positive integer, got 0"),
        (lambda ax: draw_unit(ax, n_inputs=2.5), "positive integer, got 2.5"),
        (lambda ax: draw_unit(ax, n_inputs=3, weights=[1, 2]), "expects 3 weights"),
        (lambda ax: draw_unit(ax, bias=[1, 2]), "bias to be one number"),
        (lambda ax: draw_unit(ax, 2, input_labels=["a"]), "expects 2 input_labels"),
        (lambda ax: draw_dense_layer(ax, 3, 0), "n_units to be a positive integer"),
        (lambda ax: draw_dense_layer(ax, 3, 2, highlight=2), "unit index in 0..1"),
        (lambda ax: draw_network(ax, [3]), "at least 2 layer sizes"),
        (lambda ax: draw_network(ax, [3, -1]), "positive integer, got -1"),
        (lambda ax: draw_network(ax, [3, 2], labels=["a"]), "expects 2 labels"),
        (lambda ax: draw_network(ax, [3, 2], activations=["relu", "relu"]),
         "expects 1 activations"),
        (lambda ax: draw_network(ax, [3, 2], max_units=2), "max_units to be at least 3"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(ax, call, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(".", r"\.")):
        call(ax)


def test_network_sizes_must_be_a_list(ax):
    with pytest.raises(TypeError, match="layer_sizes to be a list"):
        draw_network(ax, 3)


def test_not_an_axes():
    with pytest.raises(TypeError, match="expects a matplotlib Axes as ax, got Figure"):
        draw_unit(plt.figure())
    plt.close("all")
