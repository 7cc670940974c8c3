"""The shared figures: training curves, LivePlot as a fit callback, digit gallery, confusion
matrix."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402

import dlcourse as dl  # noqa: E402
from dlcourse import plots  # noqa: E402

RED = to_rgba(plots.MISTAKE_COLOR)


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def history():
    return {"loss": [1.0, 0.5, 0.3], "accuracy": [0.5, 0.8, 0.9],
            "val_loss": [1.1, 0.7, 0.5], "val_accuracy": [0.4, 0.7, 0.85]}


def tiny_problem(rng):
    x = rng.normal(size=(60, 4))
    y = (x[:, 0] + x[:, 1] > 0).astype(int)
    model = dl.Sequential([dl.Dense(4, 8, activation="relu", seed=0),
                           dl.Dense(8, 2, activation="softmax", seed=1)])
    return model, x, y


# -- plot_history -----------------------------------------------------------------------------
def test_plot_history_draws_one_panel_per_quantity_with_validation_dashed(history):
    axes = plots.plot_history(history)
    assert [ax.get_ylabel() for ax in axes] == ["loss", "accuracy"]
    train, val = axes[0].get_lines()
    np.testing.assert_array_equal(train.get_xdata(), [1, 2, 3])
    np.testing.assert_array_equal(train.get_ydata(), history["loss"])
    assert val.get_linestyle() == "--"


def test_plot_history_accepts_a_fit_history_and_one_axes(rng):
    model, x, y = tiny_problem(rng)
    fitted = dl.fit(model, x, y, epochs=2, seed=0, verbose=0, metrics=["accuracy"])
    _, ax = plt.subplots()
    (drawn,) = plots.plot_history(fitted, ax=ax)
    assert drawn is ax and ax.get_ylabel() == "loss"
    assert len(ax.get_lines()) == 1


def test_plot_history_bad_input(history):
    with pytest.raises(TypeError, match="History"):
        plots.plot_history([1, 2, 3])
    with pytest.raises(ValueError, match="empty"):
        plots.plot_history({})
    with pytest.raises(TypeError, match="list of numbers"):
        plots.plot_history({"loss": 0.3})
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match="needs 2 Axes"):
        plots.plot_history(history, ax=[ax])


# -- LivePlot -----------------------------------------------------------------------------------
def test_liveplot_redraws_the_same_figure_in_place(history):
    live = plots.LivePlot(epochs=3, min_interval=0, display=False)
    fig = live.fig
    for epoch in range(3):
        live(epoch, {key: values[epoch] for key, values in history.items()})
        assert live.fig is fig
        assert len(live.lines["loss"].get_xdata()) == epoch + 1
    assert live.n_draws == 3
    assert len(fig.axes) == 2
    assert live.history == history
    assert live.status.startswith("epoch 3/3: loss 0.300")


def test_liveplot_works_as_a_fit_callback(rng):
    model, x, y = tiny_problem(rng)
    live = plots.LivePlot(epochs=4, min_interval=0, display=False)
    fig = live.fig
    fitted = dl.fit(model, x, y, epochs=4, seed=0, verbose=0, metrics=["accuracy"],
                    validation_data=(x[:20], y[:20]), callbacks=[live])
    assert live.fig is fig and live.n_draws == 4
    assert live.history == fitted.history
    np.testing.assert_allclose(live.lines["val_accuracy"].get_ydata(),
                               fitted.history["val_accuracy"])
    png, metadata = live._repr_png_()
    assert png[:4] == b"\x89PNG" and metadata["width"] > 0


def test_liveplot_every_skips_draws_but_not_the_last():
    live = plots.LivePlot(epochs=5, every=2, min_interval=0, display=False)
    for epoch in range(5):
        live(epoch, {"loss": 1.0 / (epoch + 1)})
    assert live.n_draws == 3  # epochs 2, 4 and the last


def test_liveplot_throttles_fast_training_but_draws_the_first_and_last_epochs():
    live = plots.LivePlot(epochs=10, min_interval=3600, display=False)
    for epoch in range(10):
        live(epoch, {"loss": 1.0 / (epoch + 1)})
    assert live.n_draws == 2
    assert len(live.lines["loss"].get_xdata()) == 10  # the data is all there


def test_liveplot_without_epochs_draws_every_epoch():
    live = plots.LivePlot(min_interval=3600, display=False)
    for epoch in range(3):
        live(epoch, {"loss": 1.0})
    assert live.n_draws == 3


def test_liveplot_adds_a_panel_when_a_new_metric_appears():
    live = plots.LivePlot(display=False)
    live(0, {"loss": 1.0})
    live(1, {"loss": 0.5, "accuracy": 0.7})
    assert sorted(live.axes) == ["accuracy", "loss"] and len(live.fig.axes) == 2


def test_liveplot_displays_and_updates_one_output(monkeypatch):
    shown = []

    class Handle:
        def update(self, bundle, raw, metadata=None):
            shown.append(("update", bundle))

    def fake_display(bundle, raw, display_id, metadata=None):
        shown.append(("display", bundle))
        return Handle()

    monkeypatch.setattr("IPython.display.display", fake_display)
    live = plots.LivePlot(epochs=2, min_interval=0, display=True)
    live(0, {"loss": 1.0})
    live(1, {"loss": 0.5})
    assert [kind for kind, _ in shown] == ["display", "update"]
    assert shown[-1][1]["image/png"][:4] == b"\x89PNG"


def test_liveplot_outside_a_notebook_shows_nothing():
    assert plots.LivePlot().display is False


def test_liveplot_bad_input():
    with pytest.raises(ValueError, match="epochs must be a positive integer"):
        plots.LivePlot(epochs=0)
    with pytest.raises(ValueError, match="min_interval must be seconds"):
        plots.LivePlot(min_interval=-1)
    live = plots.LivePlot(display=False)
    with pytest.raises(TypeError, match="logs as a dict"):
        live(0, [0.5])
    with pytest.raises(ValueError, match="epoch to be an integer"):
        live(-1, {"loss": 0.5})


# -- digit gallery --------------------------------------------------------------------------------
def mistakes_marked(fig):
    return [to_rgba(ax.title.get_color()) == RED for ax in fig.axes if ax.images]


def test_gallery_marks_exactly_the_mistakes(rng):
    images = rng.random((12, 64))
    labels = np.arange(12) % 10
    predictions = labels.copy()
    predictions[[2, 7]] = 9 - labels[[2, 7]]
    fig = plots.show_digit_gallery(images, labels, predictions, ncols=6)
    assert mistakes_marked(fig) == [i in (2, 7) for i in range(12)]
    wrong = fig.axes[2]
    assert wrong.get_title() == f"{predictions[2]} (true {labels[2]})"
    assert to_rgba(wrong.spines["left"].get_edgecolor()) == RED
    assert "2 of 12 wrong" in fig._suptitle.get_text()


def test_gallery_without_predictions_shows_labels_and_no_mistakes(rng):
    fig = plots.show_digit_gallery(rng.random((5, 8, 8)), [3, 1, 4, 1, 5])
    assert [ax.get_title() for ax in fig.axes if ax.images] == ["3", "1", "4", "1", "5"]
    assert not any(mistakes_marked(fig))


def test_gallery_reads_probabilities_and_limits_the_count(rng):
    labels = np.array([0, 1, 2, 0, 1])
    probabilities = np.eye(3)[[0, 1, 1, 0, 1]]
    fig = plots.show_digit_gallery(rng.random((5, 16)), labels, probabilities, max_images=3)
    assert sum(1 for ax in fig.axes if ax.images) == 3
    assert mistakes_marked(fig) == [False, False, True]


def test_gallery_bad_input(rng):
    with pytest.raises(ValueError, match="not a square"):
        plots.show_digit_gallery(rng.random((2, 10)), [0, 1])
    with pytest.raises(ValueError, match="2 images but 3 labels"):
        plots.show_digit_gallery(rng.random((2, 64)), [0, 1, 2])
    with pytest.raises(ValueError, match="2 images but 1 predictions"):
        plots.show_digit_gallery(rng.random((2, 64)), [0, 1], [0])
    with pytest.raises(ValueError, match="shape"):
        plots.show_digit_gallery(rng.random(64), [0])


# -- confusion matrix --------------------------------------------------------------------------
def test_confusion_matrix_annotations_sum_to_n(rng):
    y_true = rng.integers(0, 10, size=150)
    y_pred = np.where(rng.random(150) < 0.9, y_true, rng.integers(0, 10, size=150))
    ax = plots.plot_confusion_matrix(y_true, y_pred)
    counts = [int(t.get_text()) for t in ax.texts]
    assert len(counts) == 100 and sum(counts) == 150
    diagonal = [int(t.get_text()) for t in ax.texts if t.get_position()[0] == t.get_position()[1]]
    assert sum(diagonal) == (y_true == y_pred).sum()
    assert ax.get_xlabel() == "predicted class" and ax.get_ylabel() == "true class"


def test_confusion_matrix_on_given_axes_with_probabilities():
    _, ax = plt.subplots()
    probabilities = np.array([[0.9, 0.1], [0.3, 0.7], [0.8, 0.2]])
    assert plots.plot_confusion_matrix([0, 1, 1], probabilities, ax=ax) is ax
    np.testing.assert_array_equal(ax.images[0].get_array(), [[1, 0], [1, 1]])


def test_confusion_matrix_bad_input():
    with pytest.raises(ValueError, match="3 targets and 2 predictions"):
        plots.plot_confusion_matrix([0, 1, 1], [0, 1])


# -- text alternatives ------------------------------------------------------------------------


def test_describe_makes_a_figure_render_as_an_img_with_alt_text():
    from IPython.core.interactiveshell import InteractiveShell

    from dlcourse.widgets.view import png_size

    fig, ax = plt.subplots(figsize=(4, 3), dpi=100)
    ax.plot([0, 1], [1, 3])
    assert plots.figure_html(fig) is None  # undescribed: the frontend shows the plain PNG
    plots.describe(ax, 'A line rising from (0, 1) to (1, 3) & "steep".')
    assert plots.description(fig) == 'A line rising from (0, 1) to (1, 3) & "steep".'
    shell = InteractiveShell.instance()
    assert plots.setup_notebook(shell)
    data, _ = shell.display_formatter.format(fig)
    page = data["text/html"]
    assert page.startswith("<img ") and 'alt="A line rising from (0, 1) to (1, 3) &amp; ' \
        '&quot;steep&quot;."' in page
    import base64
    import re

    png = base64.b64decode(re.search(r"base64,([^\"]+)", page).group(1))
    width, _ = png_size(png)
    shown = int(re.search(r'width="(\d+)"', page).group(1))
    assert width == 2 * shown  # a 2x bitmap at the figure's own size
    plt.close(fig)


def test_describe_rejects_what_is_not_a_figure_or_a_description():
    fig = plt.figure()
    with pytest.raises(TypeError, match="Figure"):
        plots.describe("a figure", "text")
    with pytest.raises(ValueError, match="non-empty description"):
        plots.describe(fig, "  ")
    plt.close(fig)
