"""What ipywidgets cannot say from Python, said once in the browser: the explorers' accessibility.

ipywidgets gives a slider a visible label but not its handle (the element with role="slider"
that takes the focus) an accessible name; a log slider's handle announces the exponent
(-1.0000000000000002) instead of the value (0.1); an Image has no alt text; and in Notebook 7 the
notebook's command-mode shortcuts take the arrow keys before a focused slider sees them.
``ACCESSIBILITY_JS`` fixes these inside every explorer (a box with the ``dlcourse-explorer``
class), now and as explorers appear or redraw:

- each slider handle gets ``aria-label`` (its label) and ``aria-valuetext`` (its readout, the
  value the learner sees), kept in sync, and ``data-lm-suppress-shortcuts`` so that JupyterLab's
  and Notebook 7's shortcuts leave its keys alone (arrows, Home, End, Page Up/Down move it);
- each image gets ``alt`` from the text alternative the kernel keeps in a hidden HTML widget
  (class ``dlcourse-alt``) beside it;
- the status line's persistent container becomes a polite ARIA live region (``role=status``),
  so each new state is announced, not only the first.

It is sent as a JavaScript output beside each explorer (trusted: the learner ran the cell), and
installs itself once per page.
"""

from __future__ import annotations

ACCESSIBILITY_JS = r"""
(function () {
  if (window.dlcourseExplorers) { window.dlcourseExplorers.scan(); return; }
  const text = (el) => (el ? el.textContent.trim() : "");
  function slider(box) {
    const handle = box.querySelector('[role="slider"]');
    if (!handle) return;
    const label = text(box.querySelector('.widget-label'));
    if (label) handle.setAttribute('aria-label', label);
    handle.setAttribute('data-lm-suppress-shortcuts', 'true');
    if (handle.dlcourse) return;
    handle.dlcourse = true;
    const readout = box.querySelector('.widget-readout');
    const sync = () => {
      const value = text(readout);
      if (value && handle.getAttribute('aria-valuetext') !== value) {
        handle.setAttribute('aria-valuetext', value);
      }
    };
    sync();
    new MutationObserver(sync).observe(handle, {attributes: true,
      attributeFilter: ['aria-valuenow', 'aria-valuetext']});
    if (readout) new MutationObserver(sync).observe(readout,
      {childList: true, characterData: true, subtree: true});
  }
  function images(explorer) {
    const alt = explorer.querySelector('.dlcourse-alt .widget-html-content');
    if (!alt) return;
    const sync = () => explorer.querySelectorAll('img').forEach((img) => {
      if (img.alt !== text(alt)) img.alt = text(alt);
    });
    sync();
    if (alt.dlcourse) return;
    alt.dlcourse = true;
    new MutationObserver(sync).observe(alt, {childList: true, characterData: true,
                                             subtree: true});
  }
  function scan() {
    for (const explorer of document.querySelectorAll('.dlcourse-explorer')) {
      explorer.querySelectorAll('.widget-slider').forEach(slider);
      images(explorer);
      for (const status of explorer.querySelectorAll('.dlcourse-status .widget-html-content')) {
        status.setAttribute('role', 'status');
        status.setAttribute('aria-live', 'polite');
      }
    }
  }
  let queued = false;
  new MutationObserver(() => {
    if (!queued) { queued = true; requestAnimationFrame(() => { queued = false; scan(); }); }
  }).observe(document.body, {childList: true, subtree: true});
  window.dlcourseExplorers = {scan};
  scan();
})();
"""


def display_accessibility() -> None:
    """Send ``ACCESSIBILITY_JS`` to the frontend (it installs itself once per page)."""
    from IPython.display import display

    display({"application/javascript": ACCESSIBILITY_JS, "text/plain": ""}, raw=True)
