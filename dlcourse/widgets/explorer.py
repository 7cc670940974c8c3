"""The one Explorer base: the life every explorer shares, so each explorer holds only its own parts.

An explorer is a pure model (numbers from parameters, tested without a browser) with a thin view.
The base owns everything in between:

- **parameters checked**: ``update(**params)`` refuses unknown names, and the subclass's
  ``check`` validates the complete set (clear errors naming what was expected and what came);
- **state from the pure model**: ``compute(params)`` returns the numbers to draw;
- **controls synced without re-entering**: ``update`` sets the controls quietly, and a control's
  event that only echoes the value already drawn is dropped (one image per input);
- **one figure redrawn in place**: drawn once by ``build``, then only the artists it returns as
  moving are redrawn over a cached background, rendered for the size shown at twice the pixels;
- **a text alternative of the current state**: ``describe(state)`` is the figure's alt text
  (the image's accessible name) and is announced in a status line that is an ARIA live region;
- **a static fallback**: where widgets cannot render, the same figure shows as an image with
  that alt text and caption.

A subclass sets ``TITLE``, ``PARAMS`` and ``FIGSIZE`` and writes ``check``, ``compute``,
``build``, ``draw``, ``describe`` and ``make_controls`` (plus, if it has them, ``extra_rows``
for buttons and ``status_html`` for a richer status line).
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping

from dlcourse.widgets.controls import check_params, controls_row, quietly

#: The status line's look: dark text on a light patch, readable in light and dark themes alike.
STATUS_STYLE = ("font-size:14px;line-height:1.45;padding:4px 10px;border-left:5px solid {color};"
                "background:#ffffff;color:{text};border-radius:2px")


def status_box(body_html: str, color: str = "#555555", text: str = "#1a1a1a") -> str:
    """HTML of a status line (the widget around it is made a live region in the browser, see
    ``frontend.py``: a live region must stay in the page while its content changes)."""
    style = STATUS_STYLE.format(color=color, text=text)
    return f"<div style='{style}'>{body_html}</div>"


class Explorer:
    """Base of every explorer: controls, a pure model's state, one figure, its text alternative.

    Attributes every explorer has: ``params`` (the current parameters), ``state`` (what the
    model computed for them), ``controls`` (parameter name -> widget), ``status`` (the live
    status line), ``fig``, ``view`` (its ``.image`` widget shows the figure), ``box`` (the whole
    widget tree).
    """

    TITLE = "explorer"
    PARAMS: tuple[str, ...] = ()
    FIGSIZE = (9.0, 4.0)

    def __init__(self, **params):
        import ipywidgets as widgets

        from dlcourse.widgets.view import BlittedView, new_figure

        check_params(params, self.PARAMS)
        self.params = dict(self.check(dict(params)))
        self.state = None
        self._syncing = False
        self.view = None
        self.fig = new_figure(*self.FIGSIZE)
        moving = self.build(self.fig)
        first = self.compute(self.params)
        self.draw(first)
        self.state = first
        self.fig.draw_without_rendering()  # lay the figure out (twice: it settles), then keep
        self.fig.draw_without_rendering()  # that layout: no re-layout on every move
        self.fig.set_layout_engine("none")
        self.view = BlittedView(self.fig, moving, self.cached_artists())
        self.controls = dict(self.make_controls())
        for name, control in self.controls.items():
            control.observe(self._on_control(name), names="value")
        self.status = widgets.HTML()
        self.status.add_class("dlcourse-status")
        self._show_state()
        self.box = widgets.VBox([controls_row(list(self.controls.values())),
                                 *self.extra_rows(), self.status, self.view.alt,
                                 self.view.image])
        self.box.add_class("dlcourse-explorer")

    # -- what a subclass writes ----------------------------------------------------------------

    def check(self, params: dict) -> Mapping:
        """The complete, validated parameters (defaults filled in) from the ones given."""
        raise NotImplementedError

    def compute(self, params: Mapping):
        """The pure model's state for ``params``: the numbers the figure shows."""
        raise NotImplementedError

    def build(self, fig) -> list:
        """Draw what never moves on ``fig``, once; return the artists that move."""
        raise NotImplementedError

    def draw(self, state) -> None:
        """Set the moving artists for ``state`` (``self.state`` is still the one drawn before)."""
        raise NotImplementedError

    def describe(self, state) -> str:
        """The figure in words, for this state: its text alternative, read by screen readers."""
        raise NotImplementedError

    def make_controls(self) -> Mapping:
        """One widget per parameter (name -> widget), set to ``self.params``."""
        raise NotImplementedError

    def cached_artists(self) -> dict:
        """Moving artists that change rarely, each with a function of what it depends on: they
        are drawn once per value, then pasted (see ``BlittedView``)."""
        return {}

    def extra_rows(self) -> list:
        """Widgets shown between the controls and the status line (buttons, a note)."""
        return []

    def status_html(self, state) -> str:
        """The status line's HTML (a live region); by default the text alternative."""
        return status_box(html.escape(self.describe(state)))

    # -- what the base does ----------------------------------------------------------------------

    def update(self, **params):
        """Set any of ``PARAMS`` (the controls follow), recompute and redraw once; return the
        new state."""
        check_params(params, self.PARAMS)
        new = dict(self.check({**self.params, **params}))
        with quietly(self):
            for name, control in self.controls.items():
                if name in new and not _same(self.control_value(name, new[name]), control.value):
                    control.value = self.control_value(name, new[name])
        self.params = new
        return self.refresh(self.compute(new))

    def refresh(self, state=None):
        """Show ``state`` (default: the current state, changed in place); return it.

        A state identical to the one on display (a cached model answer) is not drawn again.
        """
        if state is None:
            state = self.state
        elif state is self.state:
            return state
        self.draw(state)
        self.state = state
        self.view.redraw()
        self._show_state()
        return state

    def control_value(self, name: str, value):
        """The value control ``name`` shows for parameter value ``value`` (the same, usually)."""
        return value

    @property
    def description(self) -> str:
        """The text alternative of what is on display now."""
        return self.describe(self.state)

    def show(self) -> None:
        """Display the explorer, with a static figure and its alt text as the fallback."""
        from dlcourse.widgets.frontend import display_accessibility
        from dlcourse.widgets.view import show

        show(self.box, self.fig, title=self.TITLE, alt=self.description)
        display_accessibility()

    def _show_state(self) -> None:
        self.status.value = self.status_html(self.state)
        self.view.describe(f"{self.TITLE}: {self.description}")

    def _on_control(self, name: str):
        def on_change(change: dict) -> None:
            if self._syncing or _same(change["new"],
                                      self.control_value(name, self.params.get(name))):
                return  # set by update(), or an echo of the value already drawn
            self.update(**{name: change["new"]})

        return on_change


def _same(a, b) -> bool:
    """Equal, or floats equal to 9 digits (a slider's echo of a value set from code)."""
    if isinstance(a, float) and isinstance(b, (int, float)) and not isinstance(b, bool):
        return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False
