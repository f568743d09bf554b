"""Advanced Therapies: data, models and figures for the course on EU-authorised ATMPs.

The package holds all logic of the course; notebooks import it and explain. Three layers
(docs/architecture.md §2):

Facts and analyses
    :mod:`atmp.data` loads every table of ``data/`` (``data.load``) and validates the dataset;
    :mod:`atmp.record` is the one analysis of the product record (market exits, conversions,
    spans, Kaplan–Meier); :mod:`atmp.ema` reconciles the dataset with EMA's medicines export.
Science and chapters
    :mod:`atmp.models` holds one module per mechanism family (equations, drawings, widgets);
    :mod:`atmp.chapters` holds one module per chapter notebook, each with the chapter contract.
Presentation and book
    :mod:`atmp.plots` (figure style and factory), :mod:`atmp.widgets` (live widget with a static
    twin), :mod:`atmp.tables`, :mod:`atmp.text` (glue helpers), :mod:`atmp.quiz`,
    :mod:`atmp.prose` (house-style checks of the prose), :mod:`atmp.book` (the table of
    contents), :mod:`atmp.objectives`, :mod:`atmp.datadoc`.
"""

__version__ = "0.1.0"
