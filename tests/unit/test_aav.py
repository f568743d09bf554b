"""AAV chapter models: label arithmetic, Poisson identities, first-order decline, widgets."""

import math

import numpy as np
import pytest

from atmp import data
from atmp.chapters import aav_gene_therapy as chapter
from atmp.models import aav


def _vec(product):
    return data.load(aav.VECTORS).set_index("product").loc[product]


# ----------------------------------------------------------------------------- label arithmetic


def test_roctavian_label_example_210_ml_and_27_vials():
    # Roctavian SmPC 4.2: weight x 3 = mL (6e13 vg/kg / 2e13 vg/mL); 70 kg -> 210 mL -> 27 vials
    v = _vec("Roctavian")
    vol = aav.dose_volume_ml(v["dose"], v["concentration_per_ml"], 70)
    assert vol == pytest.approx(210.0)
    assert aav.vials_needed(vol, v["vial_ml"]) == 27


def test_hemgenix_is_2_ml_per_kg():
    # Hemgenix SmPC: 2e13 gc/kg at 1e13 gc/mL = 2 mL/kg; 10 mL vials
    v = _vec("Hemgenix")
    assert aav.dose_volume_ml(v["dose"], v["concentration_per_ml"], 1.0) == pytest.approx(2.0)
    assert aav.vials_needed(aav.dose_volume_ml(v["dose"], v["concentration_per_ml"], 72), 10) == 15


def test_zolgensma_label_table_16_5_ml_for_3_kg():
    # Zolgensma label: 1.1e14 vg/kg at 2e13 vg/mL; 2.6-3.0 kg band -> 16.5 mL (upper limit of band)
    v = _vec("Zolgensma")
    assert aav.dose_volume_ml(v["dose"], v["concentration_per_ml"], 3.0) == pytest.approx(16.5)
    assert aav.dose_volume_ml(v["dose"], v["concentration_per_ml"], 13.5) == pytest.approx(74.25)


def test_glybera_one_third_ml_per_kg():
    # Glybera SmPC: 1e12 gc/kg from vials of 3e12 gc/mL; 0.5 mL (1.5e12 gc) per injection site
    v = _vec("Glybera")
    vol = aav.dose_volume_ml(v["dose"], v["concentration_per_ml"], 60)
    assert vol == pytest.approx(20.0)
    assert aav.vials_needed(vol, v["vial_ml"]) == 20
    assert math.ceil(vol / 0.5) == 40  # injection sites for a 60 kg adult


def test_upstaza_four_infusions_deliver_the_total_dose():
    # Upstaza SmPC: 1.8e11 vg total as four 0.08 mL infusions; solution 5.6e11 vg/mL
    v = _vec("Upstaza")
    delivered = 4 * 0.08 * v["concentration_per_ml"]
    assert v["fixed_volume_ml"] == pytest.approx(4 * 0.08)
    assert delivered == pytest.approx(v["dose"], rel=0.01)  # 1.792e11 ~ 1.8e11 (label rounding)
    assert 0.08 * v["concentration_per_ml"] == pytest.approx(0.45e11, rel=0.01)


def test_luxturna_delivered_concentration():
    v = _vec("Luxturna")
    assert v["dose"] / v["fixed_volume_ml"] == pytest.approx(5e11)


def test_dose_range_across_liver_products_is_120_fold():
    v = data.load(aav.VECTORS).set_index("product")
    assert v.loc["Roctavian", "dose"] / v.loc["Beqvez", "dose"] == pytest.approx(120)


@pytest.mark.parametrize("args", [(-1, 1, 1), (1, 0, 1), (1, 1, -2)])
def test_dose_volume_refuses_nonsense(args):
    with pytest.raises(ValueError):
        aav.dose_volume_ml(*args)


def test_vials_round_up_but_not_on_exact_multiples():
    assert aav.vials_needed(16.0, 8) == 2
    assert aav.vials_needed(16.01, 8) == 3
    assert aav.vials_needed(0, 8) == 0


def test_every_aav_product_in_the_data_has_a_vector_row_and_vice_versa():
    atmps = data.load_atmps()
    aav_products = set(atmps.loc[atmps["mechanism_family"] == "in vivo AAV", "product"])
    assert set(data.load(aav.VECTORS)["product"]) == aav_products
    table = chapter.product_table(atmps, data.load_events())
    assert list(table["product"]) == list(
        atmps[atmps["mechanism_family"] == "in vivo AAV"].sort_values("ec_decision_date")["product"])


# ----------------------------------------------------------------------------- episomes


def test_poisson_fraction_identities():
    assert aav.fraction_with_genome(0.0) == 0.0
    assert aav.fraction_with_genome(math.log(2)) == pytest.approx(0.5)
    assert aav.fraction_with_genome(1.0) == pytest.approx(1 - math.exp(-1))
    assert float(aav.fraction_with_genome(50.0)) == pytest.approx(1.0)


def test_poisson_thinning_matches_simulation():
    # Poisson(c0) genomes, each inherited by a daughter with p = 1/2 -> Poisson(c0/2)
    rng = np.random.default_rng(1)
    c0 = 3.0
    kept = rng.binomial(rng.poisson(c0, 200_000), 0.5)
    assert kept.mean() == pytest.approx(c0 / 2, rel=0.01)
    assert (kept > 0).mean() == pytest.approx(aav.thinning_fraction(c0, 0.5), abs=0.005)
    assert kept.var() == pytest.approx(c0 / 2, rel=0.02)  # Poisson: variance = mean


def test_episomes_decay_exponentially_with_turnover():
    c = aav.episomes_per_cell([0, 3, 6], 4.0, lifetime_years=3.0)
    assert c == pytest.approx([4.0, 4.0 / math.e, 4.0 / math.e**2])


def test_growth_dilutes_by_the_growth_fold_and_then_stops():
    c = aav.episomes_per_cell([0, 15, 30], 10.0, None, growth_fold=5.0, growth_years=15.0)
    assert c == pytest.approx([10.0, 2.0, 2.0])
    # one doubling of cell number halves the mean, as Poisson thinning with p = 1/2 says
    half = aav.episomes_per_cell(7.5, 1.0, None, growth_fold=4.0, growth_years=15.0)
    assert float(half) == pytest.approx(0.5)


def test_episome_model_refuses_bad_parameters():
    with pytest.raises(ValueError):
        aav.episomes_per_cell(1.0, 1.0, growth_fold=0.5)
    with pytest.raises(ValueError):
        aav.thinning_fraction(1.0, 1.5)


# ----------------------------------------------------------------------------- durability


def test_first_order_halves_each_half_life():
    y = aav.first_order([0, 123, 246], 40.0, 123.0)
    assert y == pytest.approx([40.0, 20.0, 10.0])
    assert aav.half_life(0, 40, 123, 20) == pytest.approx(123)
    assert aav.half_life(0, 10, 5, 12) == math.inf


def test_time_to_threshold():
    assert aav.time_to_threshold(40.0, 5.0, 123.0) == pytest.approx(3 * 123.0)
    assert aav.time_to_threshold(4.0, 5.0, 123.0) == 0.0


def test_observed_half_lives_from_published_means():
    # FVIII (GENEr8-1 ITT means 42.4 -> 22.7 IU/dL, weeks 52 -> 104) vs FIX (HOPE-B 39.0 -> 36.1,
    # weeks 26 -> 260): FVIII output falls with a half-life near a year, FIX output over decades
    h = aav.observed_half_lives()
    assert h["Roctavian"] == pytest.approx(52 * math.log(2) / math.log(42.4 / 22.7))
    assert 50 < h["Roctavian"] < 65
    assert 35 < h["Hemgenix"] / 52.18 < 45
    # the modelled half-life from week 76 (123 weeks, Mahlangu 2023) is slower than year 1->2
    assert aav.FVIII_HALF_LIFE_WEEKS > h["Roctavian"]


# ----------------------------------------------------------------------------- figures and widgets


def test_genome_maps_draw_one_row_per_vector_with_every_scaav_doubled():
    vectors = data.load(aav.VECTORS)
    fig = aav.draw_genome_maps()
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.texts]
    assert sum(f"{p} (" in " ".join(labels) for p in vectors["product"]) == len(vectors)
    n_sc = int((vectors["genome"] == "self-complementary").sum())
    assert labels.count("ΔITR") == n_sc > 0


def test_trial_figure_has_one_bar_pair_per_trial_and_units_on_the_axes():
    trials = data.load(aav.TRIALS)
    fig = aav.draw_trials()
    left, right = fig.axes
    n_milestone = int((trials["kind"] == "milestone").sum())
    n_bleeding = int((trials["kind"] == "bleeding").sum())
    assert len(left.patches) == 2 * n_milestone and len(right.patches) == 2 * n_bleeding
    assert "(%)" in left.get_ylabel() and "bleeds/year" in right.get_ylabel()
    assert [t.get_text() for t in left.get_legend().get_texts()] == ["treated", "control"]


def test_dose_figure_marks_the_patient_and_labels_units():
    fig = aav.draw_dose("Roctavian", 70.0)
    ax = fig.axes[0]
    assert ax.get_xlabel() == "body weight (kg)" and ax.get_ylabel() == "infusion volume (mL)"
    assert "210 mL" in ax.texts[0].get_text() and "27 vials" in ax.texts[0].get_text()


def test_dose_widget_offers_only_computable_products():
    computable = set(aav.per_kg_products(data.load(aav.VECTORS))["product"])
    assert set(aav.DOSE_WIDGET.controls["product"].options) <= computable


# ----------------------------------------------------------------------------- exercise solutions


def test_exercise_volume_solution():
    v = data.load(aav.VECTORS).set_index("product")
    hem = aav.dose_volume_ml(v.loc["Hemgenix", "dose"], v.loc["Hemgenix", "concentration_per_ml"], 83)
    roc = aav.dose_volume_ml(v.loc["Roctavian", "dose"], v.loc["Roctavian", "concentration_per_ml"],
                             83)
    assert (float(hem), aav.vials_needed(hem, 10)) == (pytest.approx(166.0), 17)
    assert (float(roc), aav.vials_needed(roc, 8)) == (pytest.approx(249.0), 32)


def test_single_poisson_bound_with_and_without_liver_growth():
    # the bound the child figure plots; growth spreads the same genomes over more cells
    adult = aav.fraction_with_genome(aav.episomes_per_cell(10.0, 3.0, 3.0, 1.0, 10.0))
    child = aav.fraction_with_genome(aav.episomes_per_cell(10.0, 3.0, 3.0, 5.0, 10.0))
    assert float(adult) == pytest.approx(0.10, abs=0.01)
    assert float(child) == pytest.approx(0.021, abs=0.002)


def test_exercise_durability_solution():
    years = [aav.time_to_threshold(22.7, 5.0, th) / 52.18 for th in (84, 123, 232)]
    assert years == pytest.approx([3.5, 5.1, 9.7], abs=0.05)


def test_regulatory_facts_match_the_data():
    atmps = data.load_atmps()
    facts = chapter.regulatory_facts(atmps)
    table = chapter.regulatory_table(atmps)
    assert (facts["aav-gene-therapy-n-cond"] + facts["aav-gene-therapy-n-exc"]
            + facts["aav-gene-therapy-n-std"]) == len(table)
    assert set(table.loc[table["status"] != "authorised", "product"]) == {"Glybera", "Beqvez"}
    assert 9 <= facts["aav-gene-therapy-beqvez-months"] <= 11


def test_worked_dose_example_and_durability_facts_follow_the_data():
    facts = {**chapter.dose_facts(), **chapter.durability_facts()}
    assert (facts["aav-gene-therapy-vol70"], facts["aav-gene-therapy-vials70"]) == ("210", 27)
    assert facts["aav-gene-therapy-fold"] == "120"
    # 22.7 IU/dL at week 104 falling to 5 IU/dL with a 123-week half-life: 5.1 years
    assert facts["aav-gene-therapy-t5"] == "5.1"


def test_product_table_shows_the_label_dose_with_its_unit():
    table = chapter.product_table(data.load_atmps(), data.load_events())
    dose = table.set_index("product")["label dose"]
    assert dose["Roctavian"].replace("\xa0", " ") == "6 × 10¹³ vg/kg"
    assert dose["Luxturna"].endswith("vg per eye")
