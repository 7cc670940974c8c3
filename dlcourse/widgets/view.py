"""What every explorer's view shares: one matplotlib figure, re-rendered in place, sharp, described.

The figure is a plain ``matplotlib.figure.Figure`` (not pyplot), so no backend shows it behind our
back. It is rendered to PNG and shown in an ``ipywidgets.Image``: a parameter change updates the
figure's artists, re-renders, and swaps the image bytes, with no flicker and no new figure.
``show`` displays the explorer with a static PNG of the same figure beside the widget view in one
output, so a frontend that cannot render widgets (nbviewer, GitHub, a plain console) still shows
the figure at its defaults, with its text alternative as the image's alt text.

Sharp at any screen: a figure is laid out for ``CSS_PX_PER_INCH`` CSS pixels per inch (the size
it is shown at) and rendered with ``PIXEL_RATIO`` device pixels per CSS pixel, the ratio of a
high-DPI screen: the browser shows a 2x bitmap at a fixed CSS width, as crisp as text.
"""

from __future__ import annotations

import base64
import functools
import html
import io
import struct
import zlib
from collections.abc import Sequence

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

#: CSS pixels per inch of figure: a 9-inch figure is shown 900 CSS pixels wide.
CSS_PX_PER_INCH = 100
#: Device pixels per CSS pixel in every rendered image (a high-DPI screen's ratio).
PIXEL_RATIO = 2
DPI = CSS_PX_PER_INCH * PIXEL_RATIO


def new_figure(width: float = 8.0, height: float = 4.0, **kwargs) -> Figure:
    """A figure that belongs to no backend window; draw on it, then hand it to FigureView.

    Its background is an opaque white patch, so its text stays readable in a dark theme.
    """
    kwargs.setdefault("facecolor", "white")
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained", **kwargs)
    FigureCanvasAgg(fig)
    return fig


def css_width(fig: Figure) -> int:
    """The width, in CSS pixels, at which ``fig`` is shown."""
    return round(fig.get_figwidth() * CSS_PX_PER_INCH)


def png_size(png: bytes) -> tuple[int, int]:
    """(width, height) in pixels, read from a PNG's header."""
    return struct.unpack(">II", png[16:24])


def image_html(png: bytes, alt: str, ratio: float = PIXEL_RATIO) -> str:
    """An ``<img>`` of ``png`` with alt text, shown at its size divided by ``ratio``."""
    width, height = png_size(png)
    data = base64.b64encode(png).decode("ascii")
    return (f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}" '
            f'width="{round(width / ratio)}" height="{round(height / ratio)}" '
            f'style="max-width:100%;height:auto">')


def png_bytes(fig: Figure) -> bytes:
    """The figure as PNG, compressed lightly: a third of the encoding time for a few more KB."""
    buffer = io.BytesIO()
    fig.canvas.print_png(buffer, pil_kwargs={"compress_level": 1})
    return buffer.getvalue()


def encode_png(rgba: np.ndarray) -> bytes:
    """An opaque RGBA image as PNG, fast: RGB, no row filter, zlib level 1.

    About 2.5x faster than Pillow's PNG at its fastest setting (which filters every row) for
    the same size: on a 2x explorer image the encoding is most of a redraw.
    """
    height, width, _ = rgba.shape
    rows = np.empty((height, width * 3 + 1), dtype=np.uint8)
    rows[:, 0] = 0  # filter type "none" for every row
    rows[:, 1:] = rgba[:, :, :3].reshape(height, -1)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", _deflate(rows.tobytes())) + _chunk(b"IEND", b""))


def _deflate(data: bytes, parts: int = 2) -> bytes:
    """zlib level 1 of ``data``, its halves compressed on two threads (zlib lets go of the
    GIL): one valid zlib stream, as pigz makes them, in about half the time on two cores."""
    size = -(-len(data) // parts)
    pieces = [data[i : i + size] for i in range(0, len(data), size)]

    def deflate(index: int) -> bytes:
        compressor = zlib.compressobj(1, zlib.DEFLATED, -15)
        last = index == len(pieces) - 1
        return compressor.compress(pieces[index]) + compressor.flush(
            zlib.Z_FINISH if last else zlib.Z_SYNC_FLUSH)

    body = b"".join(_threads().map(deflate, range(len(pieces))))
    return b"\x78\x01" + body + struct.pack(">I", zlib.adler32(data) & 0xFFFFFFFF)


@functools.cache
def _threads():
    from concurrent.futures import ThreadPoolExecutor

    return ThreadPoolExecutor(max_workers=2, thread_name_prefix="dlcourse-png")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (struct.pack(">I", len(data)) + kind + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))


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
        # A fixed CSS width (the bitmap has PIXEL_RATIO times the pixels); narrower in a narrow
        # notebook, keeping its proportions.
        self.image = widgets.Image(format="png", layout=widgets.Layout(
            width=f"{css_width(fig)}px", max_width="100%", height="auto"))
        self.redraw()

        # The image's text alternative travels in a hidden HTML widget beside it (the Image
        # widget has no alt, and setting its tooltip breaks its view in ipywidgets 8.1);
        # frontend.py copies it into the image's alt attribute.
        self.alt = widgets.HTML(layout=widgets.Layout(display="none"))
        self.alt.add_class("dlcourse-alt")

    def describe(self, text: str) -> None:
        """Make ``text`` the image's text alternative (its alt, in the browser)."""
        self.alt.value = html.escape(text)

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

    ``cached`` maps some moving artists to a function of what they depend on (an axis to its
    limits, say): such an artist is drawn once per value and its pixels are kept, then pasted.
    Cached artists are drawn first, under the other moving artists of their area.
    """

    def __init__(self, fig: Figure, moving: Sequence, cached: dict | None = None):
        # In the order a full render draws them: inside the axes by z-order, then figure-level
        # artists (sorted() is stable for ties).
        self.moving = sorted(moving, key=lambda artist: (artist.axes is None,
                                                         artist.get_zorder()))
        self.cached = dict(cached or {})
        self._pixels: dict = {}
        super().__init__(fig)

    def recapture(self) -> None:
        """Take a new background after changing something static (axis limits, say)."""
        self._pixels.clear()
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
        canvas = self.fig.canvas
        canvas.restore_region(self._background)
        renderer = canvas.get_renderer()
        for artist, key in self.cached.items():  # first: they lie under the other movers
            region = self._pixels.get((id(artist), key()))
            if region is not None:
                canvas.restore_region(region)
            else:
                artist.draw(renderer)
                self._pixels[id(artist), key()] = canvas.copy_from_bbox(
                    _region(artist, renderer))
        for artist in self.moving:
            if artist in self.cached:
                continue
            if hasattr(artist, "do_3d_projection"):
                artist.do_3d_projection()  # 3-D artists project themselves before drawing
            artist.draw(renderer)
        self.image.value = encode_png(np.asarray(canvas.buffer_rgba()))


def _region(artist, renderer):
    """Where ``artist`` draws, with its axes' area (an axis draws its grid lines there)."""
    from matplotlib.transforms import Bbox

    boxes = [artist.get_tightbbox(renderer)]
    if artist.axes is not None:
        boxes.append(artist.axes.bbox)
    return Bbox.union([b for b in boxes if b is not None]).expanded(1.02, 1.02)


def show(box, fig: Figure, title: str = "explorer", alt: str = "") -> None:
    """Display ``box`` (the widget tree) with a static image of ``fig`` as the fallback.

    A frontend that renders widgets shows ``box``; one that cannot (nbviewer, GitHub) shows the
    figure at its defaults as an ``<img>`` whose alt text is ``alt``.
    """
    from IPython.display import display

    png = png_bytes(fig)
    bundle = box._repr_mimebundle_()
    bundle["image/png"] = png
    bundle["text/html"] = image_html(png, alt or title)
    bundle["text/plain"] = f"<{title}: move the controls in JupyterLab to explore>"
    display(bundle, raw=True)
