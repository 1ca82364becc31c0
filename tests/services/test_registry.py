"""The one registry of record resources, and the labels on their schemas' fields."""

import httpx
import pytest
from sqlmodel import SQLModel

from app.db import labels
from app.db.base import Imported
from app.db.fields import ReadMeta
from app.db.works import WorkCreate
from app.services import registry


@pytest.mark.parametrize("resource", registry.RESOURCES, ids=lambda r: r.name)
def test_a_registered_resource_lacks_none_of_its_parts(resource: registry.Resource) -> None:
    assert registry.problems(resource) == []


def test_the_check_finds_what_a_declaration_lacks() -> None:
    works = registry.get("works")
    broken = registry.Resource(
        "works", "Công trình", "công trình", works.service, works.create, works.update,
        works.read, columns=("name", "no_such_column"), form=("name", "no_such_field"),
        sort="-completed_date")

    class Unlabelled(SQLModel):
        name: str

    found = registry.problems(broken) + [
        f"Unlabelled.{f} has no label" for f in labels.unlabelled(Unlabelled)]
    assert found == ["column no_such_column is not a field of WorkRead",
                     "form field no_such_field is not a field of WorkCreate",
                     "Unlabelled.name has no label"]


@pytest.mark.parametrize("schema", [ReadMeta, Imported], ids=lambda s: s.__name__)
def test_the_shared_fields_have_labels(schema: type[SQLModel]) -> None:
    assert labels.unlabelled(schema) == []


def test_a_label_and_a_kind_are_read_off_the_field() -> None:
    assert labels.label(WorkCreate, "total_cost_vnd") == "Tổng kinh phí (đồng)"
    assert labels.described(WorkCreate)["total_cost_vnd"] == ("Tổng kinh phí (đồng)", "money")
    assert labels.kind(WorkCreate, "quantity") == "quantity"  # declared: shown with its measure
    assert labels.kind(WorkCreate, "category") == "enum:work_category"
    assert labels.kind(WorkCreate, "model_id") == "ref:models"
    assert labels.kind(WorkCreate, "unit_id") == "unit"
    assert labels.kind(WorkCreate, "completed_date") == "date"
    assert labels.kind(registry.get("petitions").create, "note") == "textarea"
    with pytest.raises(KeyError):
        labels.label(WorkCreate, "amount_vnd")


def test_the_openapi_schema_carries_the_labels_as_titles(anon: httpx.Client) -> None:
    fields = anon.get("/openapi.json").json()["components"]["schemas"]["ContributionCreate"]["properties"]
    assert fields["amount_vnd"]["title"] == "Số tiền (đồng)"
    assert fields["amount_vnd"]["x-shown"] == "money"


def test_the_feed_and_the_dashboards_read_the_registry() -> None:
    from app.services import changes

    assert list(changes.FEED) == [r.name for r in registry.RESOURCES]
    assert registry.one("land-donations") == "hồ sơ hiến đất"
    assert registry.one("issued-reports") == "báo cáo đã ban hành"
