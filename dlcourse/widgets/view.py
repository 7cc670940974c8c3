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
from collections.abc import Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

DPI = 80


def new_figure(width: float = 8.0, height: float = 4.0, **kwargs) -> Figure:
    """A figure that belongs to no backend window; draw on it, then hand it to FigureView."""
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained", **kwargs)
    FigureCanvasAgg(fig)
    return fig


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG, compressed lightly: a third of the encoding time for a few more KB."""
    buffer = io.BytesIO()
    fig.canvas.print_png(buffer, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


class FigureView:
    """An ``ipywidgets.Image`` showing ``fig``; call ``redraw()`` after changing its artists."""

    def __init__(self, fig: Figure):
        import ipywidgets as widgets

        self.fig = fig
        # Lay out once, then keep that layout: redoing constrained layout costs ~50 ms a move
        # (and a cached background is only valid for a fixed layout).
        fig.canvas.draw()
        fig.set_layout_engine("none")
        self._prepare()
        self.image = widgets.Image(format="png", layout=widgets.Layout(max_width="100%"))
        self.redraw()

    def _prepare(self) -> None:
        """Work to do once the layout is fixed, before the first redraw."""

    def redraw(self) -> None:
        self.image.value = png_bytes(self.fig)


class BlittedView(FigureView):
    """A FigureView that re-renders only the artists that move, over a cached background.

    The figure is drawn once without the ``moving`` artists and the pixels are kept; ``redraw()``
    pastes them back, draws the moving artists on top and encodes the PNG. That takes about a
    tenth of a full render. A full render (``savefig``, the static fallback of ``show``) still
    draws everything, in the figure's own order.
    """

    def __init__(self, fig: Figure, moving: Sequence):
        # In the order a full render draws them: inside the axes by z-order, then figure-level
        # artists (sorted() is stable for ties).
        self.moving = sorted(moving, key=lambda artist: (artist.axes is None,
                                                         artist.get_zorder()))
        super().__init__(fig)

    def recapture(self) -> None:
        """Take a new background after changing something static (axis limits, say)."""
        self._prepare()

    def _prepare(self) -> None:
        # Animated artists are left out of a screen draw (not hidden: hidden titles get moved).
        for artist in self.moving:
            artist.set_animated(True)
        self.fig.canvas.draw()
        self._background = self.fig.canvas.copy_from_bbox(self.fig.bbox)
        for artist in self.moving:
            artist.set_animated(False)

    def redraw(self) -> None:
        from PIL import Image

        canvas = self.fig.canvas
        canvas.restore_region(self._background)
        renderer = canvas.get_renderer()
        for artist in self.moving:
            if hasattr(artist, "do_3d_projection"):
                artist.do_3d_projection()  # 3-D artists project themselves before drawing
            artist.draw(renderer)
        buffer = io.BytesIO()
        Image.fromarray(np.asarray(canvas.buffer_rgba())).save(buffer, "png", compress_level=1)
        self.image.value = buffer.getvalue()


def show(box, fig: Figure, title: str = "explorer") -> None:
    """Display ``box`` (the widget tree) with a static PNG of ``fig`` as the fallback."""
    from IPython.display import display

    bundle = box._repr_mimebundle_()
    bundle["image/png"] = png_bytes(fig)
    bundle["text/plain"] = f"<{title}: move the controls in JupyterLab to explore>"
    display(bundle, raw=True)
