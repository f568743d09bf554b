"""atmp.models.hsc against exact maths (Poisson and negative-binomial moments, closed forms)
and published numbers (cited in each test)."""

import math

import numpy as np
import pytest

from atmp import data, safety
from atmp.chapters import hsc_gene_therapy as chapter
from atmp.models import hsc
from atmp.tables import evidence_value

# ----------------------------------------------------------------------------- VCN: Poisson


@pytest.mark.parametrize("m", [0.2, 0.5, 1.0, 2.0, 3.0, 5.0])
def test_poisson_pmf_has_the_exact_moments(m):
    k_max = 60  # tail beyond is < 1e-20 for m <= 5
    p = hsc.vcn_distribution(m, None, k_max)
    k = np.arange(k_max + 1)
    assert p.sum() == pytest.approx(1.0, abs=1e-12)
    mean = (k * p).sum()
    assert mean == pytest.approx(m, rel=1e-10)                       # E[K] = m
    assert ((k - mean) ** 2 * p).sum() == pytest.approx(m, rel=1e-9)  # Var[K] = m
    # factorial moments of a Poisson: E[K(K-1)] = m^2, E[K(K-1)(K-2)] = m^3
    assert (k * (k - 1) * p).sum() == pytest.approx(m ** 2, rel=1e-9)
    assert (k * (k - 1) * (k - 2) * p).sum() == pytest.approx(m ** 3, rel=1e-9)
    # each probability from the textbook formula e^-m m^k / k!
    for kk in range(8):
        assert p[kk] == pytest.approx(math.exp(-m) * m ** kk / math.factorial(kk), rel=1e-12)


@pytest.mark.parametrize("m", [0.5, 1.0, 2.0, 3.0, 5.0])
def test_poisson_summary_matches_closed_forms(m):
    s = hsc.vcn_summary(m, None, high=3)
    assert s["transduced"] == pytest.approx(1 - math.exp(-m))
    assert s["mean_in_transduced"] == pytest.approx(m / (1 - math.exp(-m)))
    assert s["high_copy"] == pytest.approx(1 - math.exp(-m) * (1 + m + m * m / 2))
    assert s["variance"] == pytest.approx(m)


def test_poisson_reference_table_by_hand():
    # hand-computed values: m = 1 -> 63.2% transduced, 1.58 copies per transduced cell,
    # 8.0% with >= 3 copies; m = 3 -> 95.0%, 3.16, 57.7%
    s1, s3 = hsc.vcn_summary(1.0), hsc.vcn_summary(3.0)
    assert (round(s1["transduced"], 3), round(s1["mean_in_transduced"], 2),
            round(s1["high_copy"], 3)) == (0.632, 1.58, 0.080)
    assert (round(s3["transduced"], 3), round(s3["mean_in_transduced"], 2),
            round(s3["high_copy"], 3)) == (0.950, 3.16, 0.577)


def test_last_bin_holds_the_tail():
    p = hsc.vcn_distribution(2.0, None, k_max=3)
    assert p[-1] == pytest.approx(1 - math.exp(-2) * (1 + 2 + 2))  # P(K >= 3)
    assert p.sum() == pytest.approx(1.0)

# ----------------------------------------------------------------------------- VCN: overdispersed


@pytest.mark.parametrize("m,r", [(1.0, 1.0), (2.0, 0.5), (3.0, 5.0), (0.5, 20.0)])
def test_negative_binomial_moments(m, r):
    p = hsc.vcn_distribution(m, r, k_max=400)
    k = np.arange(401)
    mean = (k * p).sum()
    assert mean == pytest.approx(m, rel=1e-8)
    assert ((k - mean) ** 2 * p).sum() == pytest.approx(m + m * m / r, rel=1e-6)
    assert hsc.vcn_summary(m, r)["variance"] == pytest.approx(m + m * m / r)
    # P(0) of a gamma-mixed Poisson: (r / (r + m))^r
    assert p[0] == pytest.approx((r / (r + m)) ** r)


def test_overdispersion_leaves_more_cells_untransduced_at_the_same_vcn():
    pois, nb = hsc.vcn_summary(2.0), hsc.vcn_summary(2.0, 1.0)
    assert nb["transduced"] < pois["transduced"]
    assert nb["mean_in_transduced"] > pois["mean_in_transduced"]
    assert nb["transduced"] == pytest.approx(1 - 1 / 3)  # r = 1: P(0) = 1/(1+m)


def test_negative_binomial_tends_to_poisson():
    far = hsc.vcn_distribution(1.5, 1e7, k_max=20)
    assert np.allclose(far, hsc.vcn_distribution(1.5, None, k_max=20), atol=1e-6)
    assert np.allclose(hsc.vcn_distribution(1.5, np.inf, 20), hsc.vcn_distribution(1.5, None, 20))


@pytest.mark.parametrize("bad", [dict(mean=0.0), dict(mean=-1.0), dict(mean=1.0, dispersion=0.0)])
def test_bad_vcn_parameters_are_refused(bad):
    with pytest.raises(ValueError):
        hsc.vcn_summary(**bad)

# ----------------------------------------------------------------------------- clones


def test_clone_share_starts_at_one_over_n_and_inverts():
    assert hsc.clone_share(0.0, 1000, 1.0) == pytest.approx(1 / 1000)
    assert hsc.clone_share(5.0, 1000, 0.0) == pytest.approx(1 / 1000)  # neutral stays put
    for n, s in [(770, 1.0), (35_000, 0.5), (3000, 2.0)]:
        t = hsc.time_to_share(0.5, n, s)
        assert t == pytest.approx(math.log(n - 1) / s)  # share 1/2 when e^{st} = n - 1
        assert hsc.clone_share(t, n, s) == pytest.approx(0.5)


def test_more_clones_delay_dominance_logarithmically():
    # published range of active HSCs, 770 to 35,000 (Calabria et al., Nature 2024,
    # doi:10.1038/s41586-024-08250-x)
    lo, hi = hsc.ACTIVE_HSC_RANGE
    assert (lo, hi) == (770, 35_000)
    gap = hsc.time_to_share(0.5, hi, 1.0) - hsc.time_to_share(0.5, lo, 1.0)
    assert gap == pytest.approx(math.log((hi - 1) / (lo - 1)))
    assert hsc.time_to_share(0.5, 1000, 0.0) == math.inf
    assert hsc.time_to_share(0.5, 1, 1.0) == 0.0


def test_distinct_clones_seen_saturates():
    assert hsc.distinct_clones_seen(100, 1) == pytest.approx(1.0)
    assert hsc.distinct_clones_seen(100, 2) == pytest.approx(2 - 1 / 100)
    assert hsc.distinct_clones_seen(100, 1e6) == pytest.approx(100)

# ----------------------------------------------------------------------------- risk


def test_risk_is_one_minus_exp():
    assert hsc.risk_by_time(0.0, 10) == 0.0
    assert hsc.risk_by_time(2.1, 10) == pytest.approx(1 - math.exp(-0.21))
    # small-rate approximation: risk ~ rate * t
    assert hsc.risk_by_time(0.1, 1) == pytest.approx(0.001, rel=1e-3)


def test_eli_cel_rate_and_exact_interval():
    # Duncan et al., N Engl J Med 2024 (doi:10.1056/NEJMoa2405541): 7 of 67 patients. The
    # abstract gives no person-years, so the worked rate assumes 5 years of mean follow-up
    # (335 person-years): 2.1 per 100 person-years, exact 95% interval 0.84 to 4.31.
    rate, lo, hi = hsc.poisson_rate_ci(7, 67 * hsc.ASSUMED_MEAN_FOLLOW_UP_YEARS)
    assert round(rate, 2) == 2.09
    assert round(lo, 2) == 0.84
    assert round(hi, 2) == 4.31
    cancers = data.load(hsc.ELI_CEL_CANCERS)
    assert sorted(cancers["months"]) == [14, 26, 28, 36, 42, 57, 92]
    assert (cancers["diagnosis"].str.contains("acute myeloid")).sum() == 1  # one AML, six MDS


def test_the_table_of_eli_cel_cancers_agrees_with_the_evidence_table():
    cancers = data.load(hsc.ELI_CEL_CANCERS)
    ev = data.load(chapter.EVIDENCE)
    assert len(cancers) == evidence_value(ev, chapter.ELI_CEL_STUDY, "haematological cancer")
    assert cancers["source"].str.startswith("https://doi.org/").all()


def test_garwood_interval_textbook_case():
    # zero events: upper bound -ln(0.025) = 3.689 events
    rate, lo, hi = hsc.poisson_rate_ci(0, 100)
    assert (rate, lo) == (0.0, 0.0)
    assert hi == pytest.approx(-math.log(0.025), rel=1e-9)


def test_evidence_table_holds_the_eli_cel_counts_from_the_paper():
    ev = data.load(chapter.EVIDENCE)
    assert set(ev["product"]) <= set(data.load_atmps()["product"])
    assert ev["source"].str.startswith("http").all()
    study = "ALD-102 and ALD-104 with LTF-304 (Duncan 2024)"
    assert evidence_value(ev, study, "haematological cancer") == len(data.load(hsc.ELI_CEL_CANCERS))
    assert (ev.loc[ev["study"] == study, "source"] == "https://doi.org/10.1056/NEJMoa2405541").all()
    with pytest.raises(KeyError):
        evidence_value(ev, study, "no such outcome")

# ----------------------------------------------------------------------------- products and figures


def test_product_table_covers_every_product_of_the_chapter():
    atmps = data.load_atmps()
    table = chapter.product_table(atmps, data.load_events())
    expected = set(atmps.loc[atmps["chapter"] == "hsc-gene-therapy", "product"])
    assert set(table["product"]) == expected and len(table) == len(expected)
    assert (table["authorised"] == sorted(table["authorised"])).all()
    gone = table[table["status"] != "authorised"]
    assert (gone["left the market"] != "").all()


def test_exercise_withdrawn_products():
    """The computation of exercise hsc-ex-data."""
    atmps = data.load_atmps()
    rows = chapter.products(atmps)
    gone = rows[rows["status"] == "withdrawn"]
    days = (gone["status_date"] - gone["ec_decision_date"]).map(lambda d: d.days)
    assert set(gone["product"]) == {"Zynteglo", "Skysona"}
    assert dict(zip(gone["product"], days, strict=True))["Skysona"] == 125


def test_exercise_vcn_solution():
    """The computation of exercise hsc-ex-vcn: at VCN 2, share with >= 3 copies."""
    pois, nb = hsc.vcn_summary(2.0)["high_copy"], hsc.vcn_summary(2.0, 1.0)["high_copy"]
    assert round(pois, 3) == 0.323
    assert round(nb, 3) == round(1 - (1 / 3 + 2 / 9 + 4 / 27), 3)  # NB r=1 is geometric


def test_vectors_schematic_draws_both_proviruses_with_their_ltrs():
    fig = hsc.draw_vectors()
    assert [ax.get_title(loc="left") for ax in fig.axes] == ["gammaretroviral provirus",
                                                              "SIN lentiviral provirus"]
    for ax, n_parts in zip(fig.axes, (4, 5), strict=True):
        assert len(ax.patches) == n_parts
        assert sum(t.get_text().startswith("LTR") for t in ax.texts) == 2


def test_risk_figure_marks_every_published_cancer():
    fig = hsc.draw_risk()
    ax = fig.axes[0]
    ticks = ax.lines[1].get_xdata()
    assert len(ticks) == len(data.load(hsc.ELI_CEL_CANCERS))
    assert "(%)" in ax.get_ylabel() and "years" in ax.get_xlabel()


def test_exercise_clones_solution():
    """The computation of exercise hsc-ex-clones."""
    lo, hi = hsc.time_to_share(0.5, 770, 0.5), hsc.time_to_share(0.5, 35_000, 0.5)
    assert (round(lo, 1), round(hi, 1)) == (round(2 * math.log(769), 1), round(2 * math.log(34_999), 1))
    assert hi - lo == pytest.approx(2 * math.log(34_999 / 769))


def test_exercise_risk_solution():
    """The computation of exercise hsc-ex-risk: 0 events in 200 person-years."""
    _, _, hi = hsc.poisson_rate_ci(0, 200)
    assert hi == pytest.approx(100 * -math.log(0.025) / 200)


def test_chapter_facts_are_computed_from_the_data():
    atmps, events = data.load_atmps(), data.load_events()
    facts = chapter.product_facts(atmps, events)
    k = "hsc-gene-therapy-"
    assert facts[f"{k}n"] == len(chapter.products(atmps))
    assert facts[f"{k}first"] == "Strimvelis"  # the only gammaretroviral product, and the first
    assert facts[f"{k}sky-days"] == (facts[f"{k}sky-out"] - facts[f"{k}sky-date"]).days
    assert facts[f"{k}wask-name"] != "Strimvelis"


def test_model_facts_compute_the_worked_eli_cel_rate_from_the_counts_and_the_assumption():
    facts = chapter.model_facts()
    assert facts["hsc-gene-therapy-eli-py"] == "335"  # 67 patients x 5 assumed years
    assert (facts["hsc-gene-therapy-eli-rate"], facts["hsc-gene-therapy-eli-lo"]) == ("2.1", "0.8")
    # the dropped news-site rows (338 person-years, 2.1 per 100) must not come back
    assert not data.load("hsc-gene-therapy-evidence")["unit"].str.contains("person-years").any()
    assert facts["hsc-gene-therapy-vcn-p-trans"] == "63%"  # 1 - exp(-1)


# ----------------------------------------------------------------------------- safety record

def test_safety_findings_refuse_an_unknown_family():
    with pytest.raises(ValueError, match="no safety findings"):
        safety.findings("no-such-family")


@pytest.mark.parametrize("family", ["aav", "hsc", "editing", "oncolytic"])
def test_safety_table_shows_each_date_to_its_precision(family):
    rows = safety.findings(family)
    table = safety.table(family)
    assert len(table) == len(rows)
    lengths = {"day": 10, "month": 7, "year": 4}
    for shown, precision in zip(table["date"], rows["date_precision"], strict=True):
        assert len(shown) == lengths[str(precision)]
    assert list(table["date"]) == sorted(table["date"])


def test_malignancy_counts_grow_and_stay_within_the_cohort():
    counts = hsc.malignancy_counts("Skysona")
    assert len(counts) >= 2
    assert counts["date"].is_monotonic_increasing
    assert counts["count"].is_monotonic_increasing
    assert (counts["count"] <= counts["denominator"]).all()


def test_malignancy_timeline_draws_one_point_per_count():
    counts = hsc.malignancy_counts("Skysona")
    fig = hsc.draw_malignancy_timeline("2021-07-16", "2021-11-18", "2021-08-09")
    line = next(ln for ln in fig.axes[0].get_lines() if ln.get_marker() == "o")
    assert len(line.get_xdata()) == len(counts)
    assert line.get_ydata() == pytest.approx(100 * counts["count"] / counts["denominator"])

