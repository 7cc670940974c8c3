"""What explorers share about their controls (no matplotlib here, so pure models can import it):
refusing unknown parameters, setting controls from code quietly, laying them out in a row.
The Explorer base (``explorer.py``) is their one user."""

from __future__ import annotations

import contextlib
from collections.abc import Sequence


@contextlib.contextmanager
def quietly(explorer):
    """Set an explorer's controls from code without their observers calling update() again.

    The observers check ``explorer._syncing``; it is True only inside this block.
    """
    explorer._syncing = True
    try:
        yield
    finally:
        explorer._syncing = False


def check_params(params: dict, allowed) -> None:
    """Refuse update() parameters an explorer does not have, naming the ones it does."""
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        raise TypeError(f"update() takes {', '.join(allowed)}; got unknown parameter(s) {unknown}")


def controls_row(controls: Sequence) -> object:
    """The controls side by side, wrapping onto a new line in a narrow notebook."""
    import ipywidgets as widgets

    return widgets.HBox(list(controls), layout=widgets.Layout(flex_flow="row wrap"))
