"""A viewer is offered no control that would refuse them: on every page they can reach by
the links, the only writes are signing out and changing their own password. A refusal that
still happens is said in words for a person, not about an access token."""

from app.enums import Role
from tests.ui.page_forms import writes
from tests.ui.test_page_forms import crawl, records  # noqa: F401

OWN = {"/login", "/logout", "/account/password"}  # their own session and password


def test_a_viewer_meets_no_control_that_would_fail(sign_in, records):  # noqa: F811
    client = sign_in("nguoixem", Role.viewer, "T-HT")
    pages = crawl(client)
    assert {"/petitions/1", "/models/1", "/works/1"} <= set(pages), sorted(pages)
    offered = {page: writes(url, html) - OWN for page, (url, html) in pages.items()}
    assert not {p: w for p, w in offered.items() if w}


def test_a_viewers_refused_step_speaks_of_their_account(sign_in, records):  # noqa: F811
    client = sign_in("nguoixem", Role.viewer, "T-HT")
    r = client.post("/petitions/1/steps", data={"to": "accepted", "date": "01/06/2019"})
    assert r.status_code == 403 and "Tài khoản của bạn chỉ được xem" in r.text
    assert "Mã truy cập" not in r.text


def test_a_clerk_is_still_offered_the_steps(sign_in, records):  # noqa: F811
    client = sign_in("canbo", Role.clerk, "T-HT")
    page = client.get("/petitions/1").text
    assert 'action="/petitions/1/steps"' in page and "Thụ lý" in page


def test_the_import_page_offers_an_upload_only_to_who_may_import(sign_in, records):  # noqa: F811
    """Opened by its address, the import page shows a viewer (and a clerk, for units, which
    are managers') why there is no upload, not a form whose every send is refused."""
    viewer = sign_in("nguoixem", Role.viewer, "T-HT").get("/imports?resource=contributions").text
    assert "import-form" not in viewer and "tài khoản chỉ xem" in viewer
    assert 'href="/imports/contributions/template.xlsx"' in viewer
    clerk = sign_in("canbo", Role.clerk, "T-HT")
    assert "import-form" not in clerk.get("/imports?resource=units").text
    assert 'id="import-form"' in clerk.get("/imports?resource=contributions").text
