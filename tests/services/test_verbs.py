"""Every record resource offers its five verbs as plain functions of its service module
(`contributions.create(session, actor=..., data=...)`), the engine's unless the module writes
its own (services/records/verbs.py)."""

import types

import pytest

from app.db.contributions import ContributionCreate, ContributionUpdate
from app.db.models import ModelUpdate
from app.services import contributions, models, registry, units
from app.services.actor import Actor
from app.services.errors import Forbidden, NotFound, PreconditionFailed
from app.services.petitions import records as petitions
from app.services.records import VERBS, verbs
from app.enums import Role
from tests.factories import make_model, make_tree

OWN = {"models": {"create", "update"}, "units": {"create", "update", "delete"}, "petitions": {"update"}}
ENGINE = {"list": "list_", "get": "get", "create": "create", "update": "update", "delete": "delete"}


@pytest.mark.parametrize("resource", registry.RESOURCES, ids=lambda r: r.name)
def test_every_registered_resource_offers_the_five_verbs(resource: registry.Resource) -> None:
    module = resource.service
    for verb in VERBS:
        function = getattr(module, verb)
        engines = getattr(resource.records, ENGINE[verb])
        if verb in OWN.get(resource.name, ()):
            assert function.__module__ == module.__name__, verb  # written in the module
        else:
            assert function == engines, verb  # the engine's own, bound
    assert resource.creator is module.create and resource.updater is module.update


def test_the_registry_reports_a_module_without_a_verb() -> None:
    works = registry.get("works")
    lacking = types.ModuleType("app.services.lacking")
    lacking.records = works.records
    lacking.list, lacking.get, lacking.create, lacking.update = verbs(works.records)[:4]
    broken = registry.Resource("works", "Công trình", "công trình", lacking, works.create,
                               works.update, works.read, columns=works.columns, form=works.form,
                               sort=works.sort)
    assert registry.problems(broken) == ["app.services.lacking has no delete"]


def test_only_the_five_verbs_may_be_a_modules_own() -> None:
    with pytest.raises(TypeError, match="remove"):
        verbs(contributions.records, remove=lambda: None)


def test_the_verbs_list_get_create_update_and_delete(db) -> None:
    from app.services.actor import SYSTEM
    from app.services.records import ListParams

    with db() as s:
        tree = make_tree(s)
        made = contributions.create(s, actor=SYSTEM, data=ContributionCreate(
            unit_id=tree.ham_tri, source="people", kind="cash", amount_vnd=5_000_000,
            date="2018-04-02"))
    with db() as s:
        page = contributions.list(s, actor=SYSTEM, filters=ListParams(unit_id=tree.district))
        assert [c.id for c in page.items] == [made.id] and page.total == 1
        obj, changes = contributions.update(s, actor=SYSTEM, id=made.id, if_match=1,
                                            data=ContributionUpdate(amount_vnd=6_000_000))
        assert changes == {"amount_vnd": [5_000_000, 6_000_000]} and obj.version == 2
    with db() as s:
        assert contributions.get(s, actor=SYSTEM, id=made.id).amount_vnd == 6_000_000
        with pytest.raises(PreconditionFailed):
            contributions.delete(s, actor=SYSTEM, id=made.id, if_match=1)
    with db() as s:
        contributions.delete(s, actor=SYSTEM, id=made.id, if_match=2)
    with db() as s, pytest.raises(NotFound):
        contributions.get(s, actor=SYSTEM, id=made.id)


def test_a_modules_own_verb_is_the_one_callers_get(db) -> None:
    """models.update keeps a model's recognition for managers: through the module (and the
    registry's updater) a clerk is refused, whatever the engine would allow."""
    with db() as s:
        tree = make_tree(s)
        model = make_model(s, unit_id=tree.ham_tri)
    clerk = Actor(user_id=None, username="clerk", role=Role.clerk, unit_id=tree.ham_tri)
    for update in (models.update, registry.get("models").updater):
        with db() as s, pytest.raises(Forbidden, match="lãnh đạo"):
            update(s, actor=clerk, id=model.id, data=ModelUpdate(recognition_level="district"))
    assert units.update.__module__ == "app.services.units"
    assert petitions.update.__module__ == "app.services.petitions.records"
