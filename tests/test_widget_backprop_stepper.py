"""The backprop stepper: its model replays what the engine computed; its view follows the steps."""

import io

import numpy as np
import pytest
from PIL import Image

import dlcourse as dl
from dlcourse.widgets.backprop_stepper import BackpropStepper, show_backprop_stepper
from dlcourse.widgets.view import png_bytes


@pytest.fixture(scope="module")
def stepper():
    return BackpropStepper()


def test_the_graph_is_the_formula_the_engine_recorded(stepper):
    labels = [n.label for n in stepper.nodes]
    assert labels == ["x", "W1", "x@W1", "b1", "a1", "h", "W2", "h@W2", "b2", "z", "loss"]
    assert [n.op for n in stepper.nodes if n.op] == ["dot", "+", "relu", "dot", "+",
                                                     "crossentropy"]
    assert stepper.node("loss").parents == (stepper.node("z").index,)
    assert stepper.node("x").kind == "data" and stepper.node("x").grad is None
    assert {n.label for n in stepper.nodes if n.kind == "parameter"} == {"W1", "b1", "W2", "b2"}


def test_values_and_gradients_are_the_engines(stepper):
    x, W1, b1 = (stepper.node(k).value for k in ("x", "W1", "b1"))
    W2, b2 = stepper.node("W2").value, stepper.node("b2").value
    y = dl.Tensor(stepper.y)
    params = [dl.Tensor(v, requires_grad=True) for v in (W1, b1, W2, b2)]
    loss = dl.categorical_crossentropy(
        y, dl.softmax(dl.dot(dl.relu(dl.dot(dl.Tensor(x), params[0]) + params[1]), params[2])
                      + params[3]))
    loss.backward()
    assert stepper.node("loss").value == pytest.approx(loss.item())
    for name, param in zip(("W1", "b1", "W2", "b2"), params, strict=True):
        np.testing.assert_allclose(stepper.node(name).grad, param.grad)
    np.testing.assert_allclose(stepper.node("h").value, np.maximum(stepper.node("a1").value, 0))


def test_each_gradient_is_what_its_local_rule_gives(stepper):
    for node in stepper.nodes:
        if node.grad is not None and node.label != "loss":
            np.testing.assert_allclose(stepper.local_gradient(node.index), node.grad,
                                       atol=1e-12, err_msg=node.label)
    assert stepper.node("loss").grad == pytest.approx(1.0)


def test_steps_go_forward_op_by_op_then_backward_node_by_node_then_check(stepper):
    steps = stepper.steps
    assert steps[0].phase == "start" and steps[-1].phase == "check"
    forward = [s for s in steps if s.phase == "forward"]
    backward = [s for s in steps if s.phase == "backward"]
    assert [stepper.nodes[s.node].label for s in forward] == ["x@W1", "a1", "h", "h@W2", "z",
                                                               "loss"]
    assert stepper.nodes[backward[0].node].label == "loss"
    assert stepper.nodes[backward[-1].node].label == "W1"
    assert len(backward) == 10  # every node but the data x
    for before, after in zip(steps, steps[1:]):  # each step reveals exactly one thing
        assert before.values <= after.values and before.grads <= after.grads
        revealed = len(after.values - before.values) + len(after.grads - before.grads)
        assert revealed == (0 if after.phase == "check" else 1)
    # a gradient appears only after the gradients of every node that uses it
    order = [s.node for s in backward]
    for parent, child in stepper.edges:
        if stepper.nodes[parent].grad is not None:
            assert order.index(child) < order.index(parent)


def test_rules_name_the_operation_that_made_each_gradient(stepper):
    rule = {stepper.nodes[s.node].label: s.rule for s in stepper.steps if s.phase == "backward"}
    assert rule["z"].startswith("softmax and cross-entropy together") and "(p − y) / 4" in rule["z"]
    assert rule["W1"] == "dot rule: grad(W1) = xᵀ @ grad(x@W1)"
    assert rule["h"] == "dot rule: grad(h) = grad(h@W2) @ W2ᵀ"
    assert rule["b2"].startswith("+ rule: b2 was added to every row")
    assert rule["a1"].startswith("relu rule")


def test_the_check_is_gradchecks_central_differences(stepper):
    for name in ("W1", "b1", "W2", "b2"):
        check = stepper.check[name]
        np.testing.assert_allclose(check.analytic, stepper.node(name).grad)
        np.testing.assert_allclose(check.numeric, stepper.node(name).grad, rtol=1e-5,
                                   atol=1e-8)
    assert stepper.check.passed
    last = stepper.describe(len(stepper.steps) - 1)
    assert "W1: largest relative error" in last and "(ok)" in last


def test_description_gives_the_numbers_of_the_current_step(stepper):
    backward_w1 = len(stepper.steps) - 2
    text = stepper.describe(backward_w1)
    assert text.startswith(f"Step {backward_w1} of {backward_w1 + 1}: backward: gradient of W1")
    assert "Central differences give" in text
    assert f"{stepper.node('W1').grad[0, 0]:.3g}" in text
    assert "Its value" in stepper.describe(1)


def test_seeded_and_validated():
    a, b = BackpropStepper(seed=3), BackpropStepper(seed=3)
    np.testing.assert_array_equal(a.node("W1").value, b.node("W1").value)
    assert not np.array_equal(a.node("W1").value, BackpropStepper(seed=4).node("W1").value)
    with pytest.raises(ValueError, match="n_classes must be an integer of at least 2, got 1"):
        BackpropStepper(n_classes=1)
    with pytest.raises(ValueError, match="keeps to small networks"):
        BackpropStepper(n=10, n_hidden=10)
    with pytest.raises(ValueError, match="step must be an integer in 0..17, got 18"):
        BackpropStepper().step(18)
    with pytest.raises(TypeError, match="n_features must be a positive integer \\(an int\\), "
                                        "got float 2.5"):
        BackpropStepper(n_features=2.5)


def pixels(png: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB")).astype(int)


def test_buttons_and_slider_move_through_the_steps():
    explorer = show_backprop_stepper(display=False)
    assert explorer.back.disabled and not explorer.next.disabled
    image, status = explorer.view.image.value, explorer.status.value
    explorer.next.click()
    assert explorer.current.number == 1 and explorer.slider.value == 1
    assert explorer.view.image.value != image and explorer.status.value != status
    explorer.slider.value = 17
    assert explorer.current.phase == "check" and explorer.next.disabled
    explorer.back.click()
    assert explorer.current.number == 16
    explorer.restart.click()
    assert explorer.current.number == 0
    with pytest.raises(TypeError, match="update\\(\\) takes step"):
        explorer.update(node=3)


def test_fast_redraw_matches_a_full_render():
    explorer = show_backprop_stepper(display=False)
    for number in (3, 6, 8, 13, 16, 17, 2):
        explorer.update(step=number)
        difference = np.abs(pixels(explorer.view.image.value) - pixels(png_bytes(explorer.fig)))
        assert (difference.max(axis=-1) > 30).sum() < 20, number


def test_show_displays_without_a_notebook():
    assert show_backprop_stepper(step=5).current.number == 5
