"""The editions ledger (data/editions.csv) is complete: every product, status event, conversion,
failed application and sourced-table row the dataset holds is recorded under an edition, so the
*What changed* page tells an instructor everything that changed. A change to the data made by hand
is recorded with ``python -m atmp.changelog record`` (CONTRIBUTING, the monthly-edition recipe)."""

from atmp import changelog, data, refresh


def test_the_ledger_records_everything_the_dataset_holds():
    pending = changelog.new_entries(changelog.snapshot(), changelog.read(), data.data_as_of(),
                                    refresh.first_readers(data.DATA_DIR))
    assert pending == [], ("data changed without an edition entry; run "
                           "`python -m atmp.changelog record`: "
                           + "; ".join(f"{p['kind']} {p['product'] or p['table']}"
                                       for p in pending))


def test_the_newest_edition_is_the_data_date():
    assert max(r["edition"] for r in changelog.read()) == data.data_as_of().isoformat()
