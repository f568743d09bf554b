"""Models of the course, one module per mechanism family (docs/architecture.md §2).

Each module holds the model equations, its drawing functions and its widget(s) (registered with
:mod:`atmp.widgets` at import), with numpydoc docstrings that give the units.
"""
