"""What every explorer's view shares: one matplotlib figure, re-rendered in place.

The figure is a plain ``matplotlib.figure.Figure`` (not pyplot), so no backend shows it behind our
back. It is rendered to PNG and shown in an ``ipywidgets.Image``: a parameter change updates the
figure's artists, re-renders, and swaps the image bytes, with no flicker and no new figure.
``show`` displays the explorer with a static PNG of the same figure beside the widget view in one
output, so a frontend that cannot render widgets (nbviewer, GitHub, a plain console) still shows
the figure at its defaults.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

DPI = 80


def new_figure(width: float = 8.0, height: float = 4.0, **kwargs) -> Figure:
    """A figure that belongs to no backend window; draw on it, then hand it to FigureView."""
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained", **kwargs)
    FigureCanvasAgg(fig)
    return fig


def png_bytes(fig: Figure) -> bytes:
    buffer = io.BytesIO()
    fig.canvas.print_png(buffer)
    return buffer.getvalue()


class FigureView:
    """An ``ipywidgets.Image`` showing ``fig``; call ``redraw()`` after changing its artists."""

    def __init__(self, fig: Figure):
        import ipywidgets as widgets

        self.fig = fig
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self.redraw()

    def redraw(self) -> None:
        self.image.value = png_bytes(self.fig)


def debounced(callback: Callable[[dict], None]) -> Callable[[dict], None]:
    """Skip events whose new value equals the value already drawn (ipywidgets can repeat them)."""
    last = {}

    def handler(change: dict) -> None:
        key = id(change.get("owner"))
        if last.get(key, object()) == change.get("new"):
            return
        last[key] = change.get("new")
        callback(change)

    return handler


def show(box, fig: Figure, title: str = "explorer") -> None:
    """Display ``box`` (the widget tree) with a static PNG of ``fig`` as the fallback."""
    from IPython.display import display

    bundle = box._repr_mimebundle_()
    bundle["image/png"] = png_bytes(fig)
    bundle["text/plain"] = f"<{title}: move the controls in JupyterLab to explore>"
    display(bundle, raw=True)


def controls_row(controls: Sequence) -> object:
    import ipywidgets as widgets

    return widgets.HBox(list(controls), layout=widgets.Layout(flex_flow="row wrap"))
