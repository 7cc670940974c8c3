"""Show outcomes, hints and solutions: rich HTML in a notebook, plain text elsewhere.

In an IPython kernel one display_data output carries ``text/html``, ``text/plain`` and, for
outcomes, the machine-readable record (``outcome.MIME_TYPE``). Outside IPython the plain text is
printed.
"""

from __future__ import annotations

import html
import re

from .outcome import CORRECT, ERROR, INCORRECT, MIME_TYPE, NOT_ATTEMPTED, TIMEOUT, Outcome

_TITLES = {
    CORRECT: "Correct",
    INCORRECT: "Incorrect",
    NOT_ATTEMPTED: "Not attempted yet",
    ERROR: "Error",
    TIMEOUT: "Your code took too long",
}
_COLOURS = {  # (border, background)
    CORRECT: ("#2e7d32", "#e8f5e9"),
    INCORRECT: ("#c62828", "#ffebee"),
    NOT_ATTEMPTED: ("#546e7a", "#eceff1"),
    ERROR: ("#ef6c00", "#fff3e0"),
    TIMEOUT: ("#ef6c00", "#fff3e0"),
    "hint": ("#1565c0", "#e3f2fd"),
    "solution": ("#6a1b9a", "#f3e5f5"),
}


def _label(o: Outcome) -> str:
    return f"{o.question} ({o.points}/{o.max_points} {plural(o.max_points, 'point')})"


def plural(n: int, word: str) -> str:
    return word if n == 1 else word + "s"


def outcome_text(o: Outcome) -> str:
    head = f"{_TITLES[o.status]}: {_label(o)}"
    return f"{head}\n{o.message}" if o.message else head


def outcome_html(o: Outcome) -> str:
    body = f"<div style='white-space: pre-wrap'>{inline_code(o.message)}</div>" if o.message else ""
    return box(o.status, f"<b>{_TITLES[o.status]}</b> &middot; {html.escape(_label(o))}", body)


def box(kind: str, title_html: str, body_html: str = "") -> str:
    """A coloured panel; ``kind`` is an outcome, 'hint' or 'solution'."""
    border, background = _COLOURS[kind]
    return (
        f"<div class='dlcourse-grade dlcourse-{kind.replace(' ', '-')}' style='border-left: "
        f"4px solid {border}; background: {background}; color: #212121; padding: 6px 10px; "
        f"margin: 4px 0; font-family: sans-serif; font-size: 0.95em'>"
        f"<div style='color: {border}'>{title_html}</div>{body_html}</div>"
    )


def inline_code(text: str) -> str:
    """Escape ``text`` for HTML and render `backticked` spans as code."""
    escaped = html.escape(text)
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)


def code_block(code: str) -> str:
    return (
        "<pre style='background: #fafafa; padding: 6px; margin: 4px 0; white-space: pre-wrap'>"
        f"<code>{html.escape(code)}</code></pre>"
    )


def show(text: str, html_text: str, record: dict | None = None) -> None:
    """Display in IPython (HTML + text + optional record), else print the text."""
    shell = _ipython()
    if shell is None:
        print(text)
        return
    from IPython.display import display

    bundle = {"text/plain": text, "text/html": html_text}
    if record is not None:
        bundle[MIME_TYPE] = record
    display(bundle, raw=True)


def show_outcome(o: Outcome) -> None:
    show(outcome_text(o), outcome_html(o), o.record())


def _ipython():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()
