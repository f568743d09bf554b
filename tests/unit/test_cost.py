"""atmp.models.cost: the batch-of-one cost model, its widget figure and the routes schematic."""

import pytest

from atmp.models import cost


def test_cost_per_patient_closed_form():
    assert cost.cost_per_patient(100, 1, 0.0, 5) == pytest.approx(105)
    assert cost.cost_per_patient(100, 100, 0.0, 5) == pytest.approx(6)
    # a 50% failure rate doubles the batch share of the cost
    assert cost.cost_per_patient(100, 1, 0.5, 0) == pytest.approx(200)
    with pytest.raises(ValueError):
        cost.cost_per_patient(100, 0.5, 0.0, 5)
    with pytest.raises(ValueError):
        cost.cost_per_patient(100, 1, 1.0, 5)


def test_cost_falls_towards_the_per_dose_floor():
    costs = [cost.cost_per_patient(100, d, 0.1, 5) for d in (1, 10, 100, 1e6)]
    assert costs == sorted(costs, reverse=True)
    assert costs[-1] == pytest.approx(5, abs=1e-3)


def test_cost_figure_marks_both_products_with_their_cost_in_the_legend():
    ax = cost.draw_cost(batch_cost_k=100, failure_rate=0.2, per_dose_cost_k=5,
                        allogeneic_doses=100).axes[0]
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert labels == ["autologous: 1 dose per run → 130k",
                      "allogeneic: 100 doses per run → 6.2k"]
    assert "thousands" in ax.get_ylabel() and ax.get_xscale() == ax.get_yscale() == "log"
    assert all(t.get_text() in ("", "1") or t.get_text().startswith("10")
               for t in ax.get_xticklabels())


def test_routes_schematic_has_one_row_per_group():
    ax = cost.draw_routes().axes[0]
    names = [t.get_text() for t in ax.texts if t.get_fontweight() == "bold"]
    assert names == list(cost.GROUPS) == list(cost.ROUTES)
    assert len(ax.patches) == sum(2 * len(s) - 1 for s in cost.ROUTES.values())


def test_exercise_solution_numbers():
    """The numbers the chapter's cost exercise states."""
    assert cost.cost_per_patient(100, 1, 0.2, 5) == pytest.approx(130)
    assert cost.cost_per_patient(100, 100, 0.2, 5) == pytest.approx(6.25)
