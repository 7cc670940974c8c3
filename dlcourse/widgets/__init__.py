"""Explorers for the lessons. Each module holds a pure model (the numbers to draw, computed from
the explorer's parameters; tested without a browser) and a thin view built on the one
``Explorer`` base (``explorer.py``), which redraws one figure in place (``view.py``), keeps a text
alternative of what it shows and makes it accessible in the browser (``frontend.py``). Lessons
01, 07 and 08 share one model of their MSE bowl (``linear_problem.py``)."""
