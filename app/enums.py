"""Every enumerated code of the API contract, with its Vietnamese and English label.

The codes are stable English words (they are the contract); the labels are what people read.
"""

from enum import StrEnum


class Labelled(StrEnum):
    """A code with a Vietnamese (`vi`) and English (`en`) label."""

    def __new__(cls, code: str, vi: str, en: str) -> "Labelled":
        obj = str.__new__(cls, code)
        obj._value_ = code
        obj.vi = vi  # type: ignore[attr-defined]
        obj.en = en  # type: ignore[attr-defined]
        return obj


# The whole country: a unit level (the national root above the provinces) and a level of
# commendation or recognition.
TOAN_QUOC = "Toàn quốc"


class UnitLevel(Labelled):
    country = "country", TOAN_QUOC, "Country"
    province = "province", "Tỉnh", "Province"
    district = "district", "Huyện", "District"
    commune = "commune", "Xã", "Commune"
    village = "village", "Thôn", "Village"


class UnitKind(Labelled):
    quoc_gia = "quoc_gia", "Quốc gia", "Country"
    tinh = "tinh", "Tỉnh", "Province"
    thanh_pho_tw = "thanh_pho_tw", "Thành phố trực thuộc trung ương", "Centrally-run city"
    huyen = "huyen", "Huyện", "Rural district"
    thi_xa = "thi_xa", "Thị xã", "Town"
    thanh_pho = "thanh_pho", "Thành phố", "Provincial city"
    quan = "quan", "Quận", "Urban district"
    xa = "xa", "Xã", "Commune"
    phuong = "phuong", "Phường", "Ward"
    thi_tran = "thi_tran", "Thị trấn", "Township"
    dac_khu = "dac_khu", "Đặc khu", "Special zone"
    thon = "thon", "Thôn", "Village"
    khu_pho = "khu_pho", "Khu phố", "Quarter"
    ap = "ap", "Ấp", "Hamlet"
    ban = "ban", "Bản", "Highland village"
    to_dan_pho = "to_dan_pho", "Tổ dân phố", "Residential group"


# The level each kind of unit stands at (a commune's kinds: xã, phường, thị trấn, đặc khu).
KIND_LEVEL = {
    UnitKind.quoc_gia: UnitLevel.country,
    **dict.fromkeys((UnitKind.tinh, UnitKind.thanh_pho_tw), UnitLevel.province),
    **dict.fromkeys((UnitKind.huyen, UnitKind.thi_xa, UnitKind.thanh_pho, UnitKind.quan),
                    UnitLevel.district),
    **dict.fromkeys((UnitKind.xa, UnitKind.phuong, UnitKind.thi_tran, UnitKind.dac_khu),
                    UnitLevel.commune),
    **dict.fromkeys((UnitKind.thon, UnitKind.khu_pho, UnitKind.ap, UnitKind.ban,
                     UnitKind.to_dan_pho), UnitLevel.village),
}
assert set(KIND_LEVEL) == set(UnitKind)


class Field_(Labelled):
    economy = "economy", "Kinh tế", "Economy"
    culture_society = "culture_society", "Văn hóa – xã hội", "Culture and society"
    defense_security = "defense_security", "Quốc phòng – an ninh", "Defence and security"
    party_building = "party_building", "Xây dựng hệ thống chính trị", "Building the political system"


class ModelKind(Labelled):
    collective = "collective", "Mô hình (tập thể)", "Collective model"
    individual = "individual", "Điển hình (cá nhân)", "Individual exemplar"


class OrgType(Labelled):
    party_committee = "party_committee", "Cấp ủy Đảng", "Party committee"
    government = "government", "Chính quyền", "Government"
    fatherland_front = "fatherland_front", "Mặt trận Tổ quốc", "Fatherland Front"
    farmers_union = "farmers_union", "Hội Nông dân", "Farmers' Union"
    womens_union = "womens_union", "Hội Liên hiệp Phụ nữ", "Women's Union"
    youth_union = "youth_union", "Đoàn Thanh niên", "Youth Union"
    veterans_association = "veterans_association", "Hội Cựu chiến binh", "Veterans' Association"
    trade_union = "trade_union", "Công đoàn", "Trade Union"
    red_cross = "red_cross", "Hội Chữ thập đỏ", "Red Cross"
    other = "other", "Khác", "Other"


class ModelStatus(Labelled):
    registered = "registered", "Đăng ký", "Registered"
    in_progress = "in_progress", "Đang thực hiện", "In progress"
    evaluated = "evaluated", "Đã đánh giá", "Evaluated"
    recognized = "recognized", "Được công nhận", "Recognised"
    not_recognized = "not_recognized", "Không công nhận", "Not recognised"
    discontinued = "discontinued", "Ngừng thực hiện", "Discontinued"


class Level(Labelled):
    commune = "commune", "Cấp xã", "Commune"
    district = "district", "Cấp huyện", "District"
    province = "province", "Cấp tỉnh", "Province"
    national = "national", TOAN_QUOC, "National"


class WorkCategory(Labelled):
    road_concrete = "road_concrete", "Đường bê tông xi măng", "Concrete road"
    road_other = "road_other", "Đường giao thông nông thôn khác", "Other rural road"
    field_road = "field_road", "Đường giao thông nội đồng", "Field road"
    canal = "canal", "Kênh mương thủy lợi", "Irrigation canal"
    lighting = "lighting", "Đèn chiếu sáng", "Street lighting"
    gratitude_house_new = "gratitude_house_new", "Nhà tình nghĩa (xây mới)", "House of gratitude (new)"
    gratitude_house_repair = (
        "gratitude_house_repair", "Nhà tình nghĩa (sửa chữa)", "House of gratitude (repair)"
    )
    charity_house = "charity_house", "Nhà tình thương", "Charity house"
    health_insurance = "health_insurance", "Thẻ bảo hiểm y tế", "Health-insurance cards"
    poor_fund = "poor_fund", "Quỹ Vì người nghèo", "Fund for the Poor"
    social_support = "social_support", "An sinh xã hội", "Social support"
    other = "other", "Khác", "Other"


class Measure(Labelled):
    km = "km", "km", "km"
    m = "m", "m", "m"
    house = "house", "căn", "houses"
    lamp = "lamp", "bóng đèn", "lamps"
    person_time = "person_time", "lượt người", "person-times"
    card = "card", "thẻ", "cards"
    item = "item", "cái", "items"


class WorkStatus(Labelled):
    planned = "planned", "Kế hoạch", "Planned"
    in_progress = "in_progress", "Đang thi công", "In progress"
    completed = "completed", "Hoàn thành", "Completed"


class Source(Labelled):
    state_budget = "state_budget", "Ngân sách nhà nước", "State budget"
    people = "people", "Nhân dân", "People"
    business = "business", "Doanh nghiệp", "Businesses"
    organization = "organization", "Cơ quan, tổ chức", "Organisations"
    other = "other", "Khác", "Other"


class ContributionKind(Labelled):
    cash = "cash", "Tiền mặt", "Cash"
    labor = "labor", "Ngày công", "Labour"
    in_kind = "in_kind", "Hiện vật", "In kind"


class LandStatus(Labelled):
    pledged = "pledged", "Đã cam kết", "Pledged"
    signed = "signed", "Đã ký biên bản", "Signed"
    registered = "registered", "Đã chỉnh lý giấy tờ", "Registered"


class PetitionType(Labelled):
    complaint = "complaint", "Khiếu nại", "Complaint"
    denunciation = "denunciation", "Tố cáo", "Denunciation"
    dispute = "dispute", "Tranh chấp", "Dispute"
    request = "request", "Kiến nghị", "Request"
    recommendation = "recommendation", "Phản ánh", "Recommendation"


class Channel(Labelled):
    direct = "direct", "Trực tiếp", "In person"
    mail = "mail", "Qua bưu điện", "By mail"
    online = "online", "Trực tuyến", "Online"
    reception = "reception", "Tiếp công dân", "Citizen reception"
    voter_meeting = "voter_meeting", "Tiếp xúc cử tri", "Voter meeting"
    dialogue = "dialogue", "Đối thoại", "Dialogue"
    transferred_in = "transferred_in", "Nơi khác chuyển đến", "Transferred in"


class Domain(Labelled):
    land = "land", "Đất đai", "Land"
    policy = "policy", "Chế độ, chính sách", "Policy"
    environment = "environment", "Môi trường", "Environment"
    order = "order", "An ninh, trật tự", "Public order"
    other = "other", "Khác", "Other"


class PetitionStatus(Labelled):
    received = "received", "Đã tiếp nhận", "Received"
    accepted = "accepted", "Đã thụ lý", "Accepted"
    in_progress = "in_progress", "Đang giải quyết", "In progress"
    resolved = "resolved", "Đã giải quyết", "Resolved"
    withdrawn = "withdrawn", "Đã rút đơn", "Withdrawn"
    transferred = "transferred", "Đã chuyển cơ quan có thẩm quyền", "Transferred"
    rejected = "rejected", "Không thụ lý", "Rejected"


class RecipientType(Labelled):
    collective = "collective", "Tập thể", "Collective"
    individual = "individual", "Cá nhân", "Individual"


class Role(Labelled):
    admin = "admin", "Quản trị", "Administrator"
    manager = "manager", "Lãnh đạo", "Manager"
    clerk = "clerk", "Cán bộ nhập liệu", "Clerk"
    viewer = "viewer", "Xem", "Viewer"


class TokenScope(Labelled):
    read = "read", "Chỉ đọc", "Read"
    write = "write", "Đọc và ghi", "Read and write"


class RecognitionTitle(Labelled):
    new_rural_commune = "new_rural_commune", "Xã đạt chuẩn nông thôn mới", "New rural commune"
    advanced_new_rural_commune = (
        "advanced_new_rural_commune", "Xã nông thôn mới nâng cao", "Advanced new rural commune"
    )
    model_new_rural_commune = (
        "model_new_rural_commune", "Xã nông thôn mới kiểu mẫu", "Model new rural commune"
    )
    new_rural_district = "new_rural_district", "Huyện nông thôn mới", "New rural district"
    civilized_urban_ward = "civilized_urban_ward", "Phường đạt chuẩn văn minh đô thị", "Civilised urban ward"
    cultural_village = "cultural_village", "Thôn văn hóa", "Cultural village"


# The name each enumeration has in /api/v1/meta/enums and in the fields that carry it.
ENUMS: dict[str, type[Labelled]] = {
    "unit_level": UnitLevel,
    "unit_kind": UnitKind,
    "field": Field_,
    "model_kind": ModelKind,
    "org_type": OrgType,
    "model_status": ModelStatus,
    "level": Level,
    "work_category": WorkCategory,
    "measure": Measure,
    "work_status": WorkStatus,
    "source": Source,
    "contribution_kind": ContributionKind,
    "land_donation_status": LandStatus,
    "petition_type": PetitionType,
    "channel": Channel,
    "domain": Domain,
    "petition_status": PetitionStatus,
    "recipient_type": RecipientType,
    "role": Role,
    "token_scope": TokenScope,
    "recognition_title": RecognitionTitle,
}
