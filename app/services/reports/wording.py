"""The summary report in the words of the published report (its paragraphs) and its tables
as rows of text: what the Word document (docx.py) prints. Every figure is printed through
app.vn."""

from collections.abc import Iterable
from typing import Any

from app import vn
from app.enums import (Channel, Level, Measure, ModelKind, PetitionType, RecognitionTitle, Source,
                       WorkCategory)
from app.services.reports.text import MOVEMENT, gratitude_house_cost, mass_org_works, shown_measure


# -- the body of the report in the article's words ----------------------------------------

def _qty(value: float, measure: Measure | None) -> str:
    return vn.print_number(value, 3 if measure == Measure.km else 0)


def _join(parts: Iterable[str]) -> str:
    return "; ".join(p for p in parts if p)


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "." if text else ""


def result_paragraphs(report: dict[str, Any]) -> list[str]:
    """The figures as the published report words them; a clause only when its figure is not
    zero, a paragraph only when one of its clauses is."""
    paragraphs = [_general(report), _infrastructure(report), _front_and_unions(report),
                  _petitions(report), _commendations(report)]
    return [p for p in paragraphs if p] or ["Trong kỳ báo cáo chưa có số liệu được ghi nhận."]


def _general(r: dict[str, Any]) -> str:
    targets, models = r["targets"], r["models"]
    parts = []
    if targets["total"]:
        done = "đạt và vượt" if targets["achieved"] == targets["total"] else "đạt"
        parts.append(f"thực hiện {done} {vn.print_number(targets['achieved'])}/"
                     f"{vn.print_number(targets['total'])} chỉ tiêu chủ yếu đề ra")
    if models["total"]:
        kinds = [f"{vn.print_number(n)} {ModelKind(k).vi.split(' (')[0].lower()}"
                 for k, n in models["by_kind"].items() if n]
        extra = [", ".join(kinds)] if len(kinds) > 1 else []
        if models["recognized"]:
            extra.append(f"{vn.print_number(models['recognized'])} được công nhận")
        detail = f" ({'; '.join(extra)})" if extra else ""
        parts.append(f"đăng ký thực hiện {vn.print_number(models['total'])} mô hình, điển hình "
                     f"trên các lĩnh vực{detail}")
    return _sentence(_join(parts))


def _infrastructure(r: dict[str, Any]) -> str:
    roads, land, cat = r["roads"], r["land_donations"], r["works"]["by_category"]
    land_text = (f"dân hiến {vn.print_area(land['area_m2'])} đất"
                 + (f", trị giá {vn.print_money(land['value_vnd'])}" if land["value_vnd"] else "")
                 if land["area_m2"] else "")
    parts = []
    if roads["km"] or roads["total_cost_vnd"]:
        text = f"thi công giao thông nông thôn {vn.print_number(roads['km'], 3)} km"
        if roads["total_cost_vnd"]:
            text += f", kinh phí đầu tư {vn.print_money(roads['total_cost_vnd'])}"
        if roads["non_state_vnd"]:
            text += (", trong đó Nhân dân và các thành phần kinh tế đóng góp "
                     f"{vn.print_money(roads['non_state_vnd'])}")
        parts.append(text + (f" ({land_text})" if land_text else ""))
    elif land_text:
        parts.append(land_text)
    if roads["concrete_km"]:
        text = f"làm đường bê tông xi măng: {vn.print_number(roads['concrete_km'], 3)} km"
        if roads["concrete_cost_vnd"]:
            text += f", kinh phí {vn.print_money(roads['concrete_cost_vnd'])}"
        if roads["concrete_non_state_vnd"]:
            text += f" (Nhân dân góp {vn.print_money(roads['concrete_non_state_vnd'])})"
        parts.append(text)
    if cat["canal"]["quantity"]:
        parts.append(f"nạo vét {vn.print_number(cat['canal']['quantity'], 3)} km kênh thủy lợi nội đồng")
    if r["contributions"]["labor_days"]:
        parts.append(f"dân góp {vn.print_number(r['contributions']['labor_days'], 1)} ngày công lao "
                     "động làm các công trình giao thông nông thôn, thủy lợi, công trình phúc "
                     "lợi công cộng tại địa bàn dân cư")
    for title, names in r["recognitions"]["by_title"].items():
        parts.append(_recognition(title, names))
    return _sentence(_join(parts))


def _recognition(title: str, names: list[str]) -> str:
    listed = f" ({', '.join(names)})"
    if title == RecognitionTitle.new_rural_commune:
        return f"thêm {vn.print_number(len(names))} xã được công nhận đạt chuẩn xã nông thôn mới{listed}"
    label = RecognitionTitle(title).vi if title in RecognitionTitle.__members__ else title
    return f"{vn.print_number(len(names))} đơn vị được công nhận “{label}”{listed}"


def _front_and_unions(r: dict[str, Any]) -> str:
    cat = r["works"]["by_category"]
    count, cost = mass_org_works(r)
    first = []
    if count:
        first.append(f"Mặt trận và các đoàn thể chính trị – xã hội thực hiện {vn.print_number(count)} "
                     f"công trình, phần việc, tổng trị giá {vn.print_money(cost)}")
    new, repair = cat["gratitude_house_new"], cat["gratitude_house_repair"]
    houses = [f"{verb} {vn.print_number(c['quantity'], 0)} căn"
              for verb, c in (("xây dựng", new), ("sửa", repair)) if c["quantity"]]
    if houses:
        spent = gratitude_house_cost(r)
        first.append(", ".join(houses) + " nhà tình nghĩa"
                     + (f", với kinh phí {vn.print_money(spent)}" if spent else ""))
    if cat["health_insurance"]["quantity"]:
        first.append("cấp thẻ bảo hiểm y tế cho "
                     f"{vn.print_number(cat['health_insurance']['quantity'], 0)} lượt người")
    second = []
    if cat["poor_fund"]["total_cost_vnd"]:
        second.append(f"góp Quỹ Vì người nghèo {vn.print_money(cat['poor_fund']['total_cost_vnd'])}")
    charity = cat["charity_house"]
    if charity["quantity"]:
        second.append(f"xây mới {vn.print_number(charity['quantity'], 0)} căn nhà tình thương"
                      + (f" với kinh phí {vn.print_money(charity['total_cost_vnd'])}"
                         if charity["total_cost_vnd"] else "") + _charity_helped(charity))
    support = cat["social_support"]
    if support["total_cost_vnd"]:
        second.append(f"vận động {vn.print_money(support['total_cost_vnd'])} giúp cho "
                      f"{vn.print_number(support['quantity'], 0)} lượt người thuộc đối tượng xã hội "
                      "khó khăn" if support["quantity"] else
                      f"vận động {vn.print_money(support['total_cost_vnd'])} hỗ trợ an sinh xã hội")
    return " ".join(s for s in (_sentence(_join(first)), _sentence(_join(second))) if s)


def _charity_helped(charity: dict[str, Any]) -> str:
    """Figure D17: of the charity houses, those that agencies, businesses and organisations
    built with funds they mobilised. (A summary frozen before the figure existed has none.)"""
    helped = charity.get("non_government") or {}
    if not helped.get("quantity"):
        return ""
    return (", trong đó các cơ quan, doanh nghiệp, tổ chức vận động hỗ trợ xây "
            f"{vn.print_number(helped['quantity'], 0)} căn"
            + (f", tổng trị giá {vn.print_money(helped['total_cost_vnd'])}"
               if helped.get("total_cost_vnd") else ""))


def _petitions(r: dict[str, Any]) -> str:
    p = r["petitions"]
    if not (p["in_competence"] or p["received"]):
        return ""
    if not p["in_competence"]:
        text = (f"tiếp nhận {vn.print_number(p['received'])} đơn, không có đơn thuộc thẩm quyền "
                "giải quyết")
    else:
        text = (f"tiếp nhận và giải quyết {vn.print_number(p['resolved'])}/"
                f"{vn.print_number(p['in_competence'])} đơn, đạt {vn.print_percent(p['resolution_rate'])}")
        if p["overdue"]:
            text += f"; còn {vn.print_number(p['overdue'])} đơn quá hạn chưa giải quyết xong"
    # Figure D20. The summary counts the petitions received at dialogues, not the dialogues
    # themselves, so the sentence says that they were held and what they brought in.
    dialogues = (p.get("by_channel") or {}).get(Channel.dialogue.value, 0)
    if dialogues:
        text += ("; tổ chức đối thoại giữa người đứng đầu cấp ủy, chính quyền với Nhân dân, "
                 f"qua đó tiếp nhận {vn.print_number(dialogues)} đơn")
    return _sentence(text)


def _commendations(r: dict[str, Any]) -> str:
    c = r["commendations"]
    if not c["total"]:
        return ""
    levels = [f"{Level(k).vi.lower()} {vn.print_number(n)}" for k, n in c["by_level"].items() if n]
    return _sentence(f"biểu dương, khen thưởng {vn.print_number(c['total'])} lượt tập thể, cá nhân "
                     f"có thành tích trong {MOVEMENT}"
                     + (f" ({', '.join(levels)})" if levels else ""))


# -- the tables, as rows of text --------------------------------------------------------------

def works_rows(report: dict[str, Any]) -> list[list[str]]:
    rows = []
    for i, category in enumerate(WorkCategory, 1):
        c = report["works"]["by_category"][category.value]
        measure = shown_measure(category, c)
        rows.append([str(i), category.vi, vn.print_number(c["count"]),
                     _qty(c["quantity"], measure) if measure else "",
                     measure.vi if measure else "",
                     vn.print_number(c["total_cost_vnd"] / vn.TRIEU, 1),
                     vn.print_number(c["non_state_vnd"] / vn.TRIEU, 1)])
    w = report["works"]
    rows.append(["", "Tổng cộng", vn.print_number(w["total"]), "", "",
                 vn.print_number(w["total_cost_vnd"] / vn.TRIEU, 1),
                 vn.print_number(sum(c["non_state_vnd"] for c in w["by_category"].values())
                            / vn.TRIEU, 1)])
    return rows


def petition_rows(report: dict[str, Any]) -> list[list[str]]:
    p = report["petitions"]
    rows = [["1", "Tiếp nhận trong kỳ", vn.print_number(p["received"])]]
    rows += [["", f"- {t.vi}", vn.print_number(p["by_type"].get(t.value, 0))] for t in PetitionType]
    rows += [["2", "Kỳ trước chuyển sang", vn.print_number(p["carried_over"])],
             ["3", "Thuộc thẩm quyền giải quyết", vn.print_number(p["in_competence"])],
             ["4", "Đã giải quyết", vn.print_number(p["resolved"])],
             ["5", "Quá hạn, chưa giải quyết xong", vn.print_number(p["overdue"])],
             ["6", "Tỷ lệ giải quyết", vn.print_percent(p["resolution_rate"])]]
    return rows


def contribution_rows(report: dict[str, Any]) -> list[list[str]]:
    c = report["contributions"]
    total = c["total_vnd"]
    rows = [[str(i), s.vi, vn.print_number(c["by_source"].get(s.value, 0) / vn.TRIEU, 1),
             vn.print_percent(c["by_source"].get(s.value, 0) / total if total else None)]
            for i, s in enumerate(Source, 1)]
    rows.append(["", "Tổng cộng", vn.print_number(total / vn.TRIEU, 1),
                 vn.print_percent(1 if total else None)])
    return rows


def totals_note(report: dict[str, Any]) -> str:
    """Why the works' total cost (table 1) and the contributions' total (table 3) differ,
    from the figures themselves: a work's cost is the money given for it plus the value of
    the land given for it (demo: exactly so), while table 3 holds money only; and works are
    counted by the day they were completed, contributions by the day they were given (some
    for works completed outside the period, some for models). Both include the state budget.
    Empty when the two agree."""
    works, money = report["works"]["total_cost_vnd"], report["contributions"]["total_vnd"]
    land = report["land_donations"]["value_vnd"]
    if not works or not money or works == money:
        return ""

    def m(vnd: float) -> str:
        return f"{vn.print_number(abs(vnd) / vn.TRIEU, 1)} triệu đồng"

    reasons = []
    if land:
        reasons.append(f"kinh phí công trình gồm cả giá trị đất Nhân dân hiến ({m(land)}), là "
                       "tài sản chứ không phải tiền đóng góp nên không có ở mục 3")
    rest = works - money - land
    if rest:
        reasons.append("công trình được tính theo ngày hoàn thành, còn tiền đóng góp theo "
                       "ngày góp: tiền góp trước hoặc sau kỳ cho công trình hoàn thành trong "
                       "kỳ, tiền góp trong kỳ cho công trình hoàn thành ngoài kỳ và cho các mô "
                       f"hình làm hai số chênh thêm {m(rest)}")
    more = "lớn hơn" if works > money else "nhỏ hơn"
    return (f"Tổng kinh phí công trình, phần việc ở mục 1 ({m(works)}) {more} tổng nguồn lực "
            f"huy động ở mục 3 ({m(money)}) là {m(works - money)}, vì "
            + "; ".join(reasons) + ". Cả hai số đều gồm phần ngân sách nhà nước.")
