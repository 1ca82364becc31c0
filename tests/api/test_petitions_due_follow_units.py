"""A unit marked remote (or moved) gives its open petitions the longer legal time limit."""

from tests.factories import make_petition, make_tree


def test_remote_flag_moves_open_deadlines(api, db):
    with db() as s:
        tree = make_tree(s)
        p = make_petition(s, unit_id=tree.lam_giang, type="complaint", received_date="2024-03-01",
                          status="accepted", accepted_date="2024-03-02")
        closed = make_petition(s, unit_id=tree.lam_giang, type="complaint", received_date="2024-03-01",
                               status="resolved", accepted_date="2024-03-02", closed_date="2024-03-20")
    assert api.get(f"/api/v1/petitions/{p.id}").json()["due_date"] == "2024-04-01"
    assert api.patch(f"/api/v1/units/{tree.ham_tri}", json={"remote": True}).status_code == 200
    assert api.get(f"/api/v1/petitions/{p.id}").json()["due_date"] == "2024-04-16"  # 45 days
    assert api.get(f"/api/v1/petitions/{closed.id}").json()["due_date"] == "2024-04-01"  # closed: as it was
