"""The unit tree page with Vietnam's real tree (`dvk units load-official`'s data: 14 150 units,
a national root over 34 provinces in force and 63 ended ones), opened by an administrator at
the provinces and districts with the most units under them: every page stays under 150 KB
(opened at Hà Nội it was 179 KB: the 63 ended provinces beside the 34 new ones, and a commune's
long "Nhận một phần từ" notes). And on a smaller tree, every unit is reached by following the
page's links alone, as a browser without script does."""

import re
from collections import deque

import httpx
import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import aliased

from app.db.units import Unit
from app.enums import Role
from app.services import official
from app.services.actor import SYSTEM
from tests.bigtree import ENDED, load_country

LIMIT = 150_000
HX = {"HX-Request": "true"}
ROW = re.compile(r'<tr id="units-(\d+)"')


def _size(client: httpx.Client, url: str) -> int:
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code, r.text[:300])
    return len(r.content)


def _most_children(engine, level: str, n: int, ended: bool) -> list[int]:
    child = aliased(Unit)
    with engine.connect() as c:
        return list(c.execute(
            select(Unit.id).join(child, child.parent_id == Unit.id)
            .where(Unit.level == level, Unit.active_to.is_not(None) if ended
                   else Unit.active_to.is_(None))
            .group_by(Unit.id).order_by(func.count(child.id).desc(), Unit.id).limit(n)).scalars())


def test_the_tree_page_stays_small_with_the_real_country(engine, db, sign_in):
    with db() as s:
        assert official.load(s, SYSTEM, dry_run=False).ok
    admin = sign_in("quantri", Role.admin, None)
    top = admin.get("/units").text
    assert len(top.encode()) < LIMIT and "14.150 đơn vị" in top
    # Every province in force (Hồ Chí Minh has the most communes, 168; Hà Nội's have the
    # longest notes), and the ended provinces and districts with the most units under them.
    provinces = _most_children(engine, "province", 34, ended=False)
    assert len(provinces) == 34
    opened = (provinces + _most_children(engine, "province", 4, ended=True)
              + _most_children(engine, "district", 6, ended=True))
    sizes = {f"/units?open={i}": _size(admin, f"/units?open={i}") for i in opened}
    sizes[f"/units?open={provinces[0]}&offset=100"] = _size(admin, f"/units?open={provinces[0]}&offset=100")
    over = {url: n for url, n in sizes.items() if n >= LIMIT}
    assert not over, over
    # The ended provinces are folded under the country, behind one link to a page of them.
    page = admin.get(f"/units?open={provinces[0]}").text
    fold = re.search(r'<a href="(/units\?open=\d+&amp;offset=\d+)"[^>]*>Xem 63 đơn vị đã hết', page)
    assert fold, "the 63 ended provinces are folded behind one link"
    assert _size(admin, fold.group(1).replace("&amp;", "&")) < LIMIT
    # Opened at an ended province: the page shows it (after the fold) with its districts.
    old = opened[34]
    assert f'id="units-{old}"' in admin.get(f"/units?open={old}").text


def _reach(client: httpx.Client) -> set[int]:
    """Every unit shown on a page reached from /units by the links a page without script
    follows (a level's toggle, its next page, its folded ended units)."""
    seen_urls, seen_units, todo = {"/units"}, set(), deque(["/units"])
    while todo:
        page = client.get(todo.popleft())
        assert page.status_code == 200 and len(page.content) < LIMIT
        seen_units |= {int(i) for i in ROW.findall(page.text)}
        for link in re.findall(r'href="(/units\?[^"]+)"', page.text):
            url = link.replace("&amp;", "&")
            if url not in seen_urls:
                seen_urls.add(url)
                todo.append(url)
    return seen_units


def test_every_unit_is_reached_by_links_alone(engine, sign_in):
    # 3 provinces in force (one of 110 communes: two pages) and 25 ended ones (more than a
    # level shows beside those in force), with no national root above them.
    tree = load_country(engine, provinces=25, districts=2, communes=2, new_provinces=3,
                        new_communes=110)
    with engine.begin() as c:
        c.execute(update(Unit).where(Unit.level == "province", Unit.code.like("P%"))
                  .values(active_to=ENDED))
        every = set(c.execute(select(Unit.id)).scalars())
    assert len(every) == tree["count"]
    admin = sign_in("quantri", Role.admin, None)
    top = admin.get("/units").text
    assert len(ROW.findall(top)) == 3 and "Xem 25 đơn vị đã hết hiệu lực" in top
    assert _reach(admin) == every
    # With script, the folded row loads the ended provinces in its place.
    link = re.search(r'hx-get="(/units/level\?depth=0&amp;offset=3)"', top)
    assert link, "the top level's fold row asks for the top level, from the first ended unit"
    rows = admin.get(link.group(1).replace("&amp;", "&"), headers=HX).text
    assert len(ROW.findall(rows)) == 25 and "<html" not in rows


@pytest.mark.parametrize("ended", [1, 20])
def test_a_few_ended_units_stay_where_they_lie(engine, sign_in, ended):
    load_country(engine, provinces=ended, districts=10, communes=2, new_provinces=3,
                 new_communes=80)
    with engine.begin() as c:
        c.execute(update(Unit).where(Unit.level == "province", Unit.code.like("P%"))
                  .values(active_to=ENDED))
    top = sign_in("quantri", Role.admin, None).get("/units").text
    assert len(ROW.findall(top)) == 3 + ended and "đã hết hiệu lực" not in top
