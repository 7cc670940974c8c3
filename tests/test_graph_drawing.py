"""trace() reads the computational graph; draw_graph() draws one box per value."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

import dlcourse as dl  # noqa: E402
from dlcourse.graph_drawing import Graph, draw_graph, layout, summarize, trace  # noqa: E402


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def network(rng):
    """The outline's formula on a batch of 4 samples, 3 features, 5 hidden units, 2 classes."""
    inputs = dl.Tensor(rng.normal(size=(4, 3)))
    y_true = dl.Tensor(np.eye(2)[[0, 1, 1, 0]])
    W1 = dl.Tensor(rng.normal(size=(3, 5)), requires_grad=True)
    b1 = dl.Tensor(rng.normal(size=5), requires_grad=True)
    W2 = dl.Tensor(rng.normal(size=(5, 2)), requires_grad=True)
    b2 = dl.Tensor(rng.normal(size=2), requires_grad=True)
    loss = dl.categorical_crossentropy(
        y_true, dl.softmax(dl.dot(dl.relu(dl.dot(inputs, W1) + b1), W2) + b2))
    names = {"inputs": inputs, "y_true": y_true, "W1": W1, "b1": b1, "W2": W2, "b2": b2,
             "loss": loss}
    return loss, names


def by_label(graph: Graph, label: str):
    return next(node for node in graph.nodes if node.label == label)


def test_trace_finds_the_formulas_operations_in_order(network):
    loss, names = network
    graph = trace(loss, names=names)
    ops = graph.ops()
    assert ops[:5] == ["dot", "+", "relu", "dot", "+"]
    # what follows is the loss: softmax and cross-entropy computed from the logits, stably
    assert len(ops) > 5
    assert graph.output.label == "loss" and graph.output.shape == ()


def test_trace_records_every_values_shape(network):
    loss, names = network
    graph = trace(loss, names=names)
    shapes = {label: by_label(graph, label).shape
              for label in ("inputs", "W1", "b1", "W2", "b2", "loss")}
    assert shapes == {"inputs": (4, 3), "W1": (3, 5), "b1": (5,), "W2": (5, 2), "b2": (2,),
                      "loss": ()}
    op_shapes = [(n.op, n.shape) for n in graph.nodes if n.op][:5]
    assert op_shapes == [("dot", (4, 5)), ("+", (4, 5)), ("relu", (4, 5)), ("dot", (4, 2)),
                         ("+", (4, 2))]


def test_edges_connect_inputs_to_results_in_topological_order(network):
    loss, names = network
    graph = trace(loss, names=names)
    first_dot = graph.nodes.index(next(n for n in graph.nodes if n.op == "dot"))
    parents = {graph.nodes[p].label for p in graph.parents(first_dot)}
    assert parents == {"inputs", "W1"}
    assert all(a < b for a, b in graph.edges)
    assert graph.children(len(graph) - 1) == []


def test_gradients_appear_after_backward(network):
    loss, names = network
    before = trace(loss, names=names)
    assert all(node.grad is None for node in before.nodes)
    loss.backward()
    after = trace(loss, names=names)
    w1 = by_label(after, "W1")
    np.testing.assert_array_equal(w1.grad, names["W1"].grad)
    assert w1.grad_summary is not None
    assert by_label(after, "inputs").grad is None  # inputs do not learn
    assert by_label(after, "loss").grad_summary == "1"


def test_kinds_of_values(network):
    loss, names = network
    graph = trace(loss, names=names)
    assert by_label(graph, "W1").kind == "parameter"
    assert by_label(graph, "inputs").kind == "constant"
    assert by_label(graph, "relu").kind == "op"


def test_scalar_constants_fold_into_their_operation():
    x = dl.Tensor(2.0, requires_grad=True)
    y = (3 * x + 1) ** 2
    graph = trace(y, names={"x": x})
    assert [n.label for n in graph.nodes] == ["x", "* 3", "+ 1", "**2"]
    assert [n.value_summary for n in graph.nodes] == ["2", "6", "7", "49"]
    assert len(trace(y, fold_constants=False)) == 6


def test_constant_before_a_non_commutative_op_keeps_its_side():
    x = dl.Tensor([1.0, 2.0], requires_grad=True)
    assert trace(1 - x).output.label == "1 -"


def test_names_match_a_tensor_or_the_array_it_holds():
    x = dl.Tensor([1.0, 2.0], requires_grad=True)
    targets = np.array([3.0, 4.0])
    graph = trace(x * targets, names={"x": x, "targets": targets})
    assert [n.label for n in graph.nodes] == ["x", "targets", "*"]


def test_tensor_names_are_used_without_a_mapping():
    w = dl.Tensor([1.0, 2.0], requires_grad=True, name="w")
    assert trace(w * 2).nodes[0].label == "w"


def test_a_leaf_traces_to_one_node():
    graph = trace(dl.Tensor([1.0, 2.0], requires_grad=True))
    assert len(graph) == 1 and graph.edges == []


def test_summaries():
    assert summarize(np.array(0.5)) == "0.5"
    assert summarize(np.array([1.0, -0.0])) == "[1, 0]"
    assert summarize(np.array([[1.0, -2.0], [3.0, 0.25]])) == "-2 … 3"


def test_layout_puts_results_right_of_their_inputs_and_leaves_next_to_their_use(network):
    loss, names = network
    graph = trace(loss, names=names)
    columns = {i: x for i, (x, _) in layout(graph).items()}
    for parent, child in graph.edges:
        assert columns[parent] < columns[child]
    b1 = by_label(graph, "b1").index
    (plus,) = graph.children(b1)
    assert columns[plus] - columns[b1] == 1
    rows = {}
    for x, y in layout(graph).values():
        rows.setdefault(x, []).append(y)
    gaps = [b - a for ys in rows.values() for a, b in zip(sorted(ys), sorted(ys)[1:])]
    assert min(gaps) >= 1 - 1e-9  # boxes in one column never overlap


def test_draw_graph_draws_one_box_per_node_and_one_arrow_per_edge(network):
    loss, names = network
    loss.backward()
    ax = draw_graph(loss, names=names)
    graph = trace(loss, names=names)
    boxes = [p for p in ax.patches if (p.get_gid() or "").startswith("node")]
    arrows = [p for p in ax.patches if p.get_gid() == "edge"]
    assert len(boxes) == len(graph)
    assert len(arrows) == len(graph.edges)
    texts = [t.get_text() for t in ax.texts]
    assert "W1" in texts and "shape (3, 5)" in texts
    assert sum(t.startswith("grad ") for t in texts) == sum(
        n.grad is not None for n in graph.nodes)


def test_draw_graph_on_given_axes_and_from_a_trace():
    x = dl.Tensor(2.0, requires_grad=True)
    y = (3 * x + 1) ** 2
    _, ax = plt.subplots()
    assert draw_graph(trace(y, names={"x": x}), ax=ax) is ax
    assert not any(t.get_text().startswith("grad ") for t in ax.texts)


def test_bad_input_is_named():
    with pytest.raises(TypeError, match="expects a dlcourse Tensor, got ndarray"):
        trace(np.ones(3))
    with pytest.raises(ValueError, match="graph was not recorded"):
        trace(dl.Tensor([1.0]) * 2)
    x = dl.Tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match="mapping"):
        trace(x * 2, names=[x])
    with pytest.raises(TypeError, match="Tensor or ndarray"):
        trace(x * 2, names={"x": 3})
    with pytest.raises(TypeError, match="strings"):
        trace(x * 2, names={1: x})


def test_every_line_of_text_fits_inside_its_box_and_is_readable(network):
    loss, names = network
    loss.backward()
    ax = draw_graph(loss, names=names)
    fig = ax.figure
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [p.get_window_extent(renderer) for p in ax.patches
             if (p.get_gid() or "").startswith("node")]
    for text in ax.texts:
        # 9 pt or more when the image is shown at its pixel size (96 px per inch on screen)
        assert text.get_fontsize() * fig.dpi / 96 >= 9, text.get_text()
        if text in ax.findobj(lambda a: type(a).__name__ == "Annotation"):
            continue  # the key below the boxes
        extent = text.get_window_extent(renderer)
        inside = [b for b in boxes if b.x0 <= extent.x0 and extent.x1 <= b.x1
                  and b.y0 <= extent.y0 and extent.y1 <= b.y1]
        assert len(inside) == 1, f"{text.get_text()!r} spills out of its box"
