"""Explorers for the lessons. Each module holds a pure model (the numbers to draw, computed from
the explorer's parameters; tested without a browser) and a thin ipywidgets view that redraws one
figure in place. ``view.py`` holds what every view shares."""
