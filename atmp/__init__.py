"""Advanced Therapies: data, models and figures for the course on EU-authorised ATMPs.

The package holds all logic of the course; notebooks import it and explain.

* :mod:`atmp.data` loads and validates the sourced dataset in ``data/``.
* :mod:`atmp.ema` reconciles the dataset with EMA's medicines export.
* :mod:`atmp.plots` holds the house style of every figure.
* :mod:`atmp.widgets` turns a drawing function into a live widget with a static twin.
* :mod:`atmp.models` holds one module per mechanism family.
"""

__version__ = "0.1.0"
