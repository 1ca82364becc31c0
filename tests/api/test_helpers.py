"""The tests' resource table stays the registry's: a record resource registered in
app.services.registry and importable is one the generic API tests run over."""

from app.services import registry
from tests.api.helpers import BY_NAME, RESOURCES


def test_every_registered_importable_record_resource_has_an_entry_in_the_tests_table():
    # Records kept on a unit; the units themselves (importable too) have tests of their own.
    kept = [r for r in registry.RESOURCES if r.importable and r.records.unit_column == "unit_id"]
    missing = [r.name for r in kept if r.name not in BY_NAME]
    assert missing == []


def test_every_entry_names_a_registered_resource_and_its_path():
    for entry in RESOURCES:
        assert registry.BY_NAME[entry.name] is entry.declared
        assert entry.path == f"/api/v1/{entry.declared.name}"


def test_every_entry_s_body_and_patch_are_fields_of_its_schemas():
    for entry in RESOURCES:
        assert set(entry.body(1)) <= set(entry.declared.create.model_fields), entry.name
        assert set(entry.patch) <= set(entry.declared.update.model_fields), entry.name
        assert entry.date_field in entry.declared.read.model_fields, entry.name
