"""Invented Vietnamese names and record titles for the demo (no real person is named)."""

import random

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
          "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Trương", "Đinh", "Lâm", "Mai"]
MIDDLE_M = ["Văn", "Hữu", "Đức", "Minh", "Quang", "Thanh", "Công", "Ngọc"]
MIDDLE_F = ["Thị", "Ngọc", "Thanh", "Kim", "Thu", "Mỹ", "Bích"]
GIVEN_M = ["An", "Bình", "Cường", "Dũng", "Hải", "Hùng", "Long", "Nam", "Phúc", "Quang", "Sơn",
           "Tâm", "Tuấn", "Thắng", "Toàn", "Vinh", "Khánh", "Lộc", "Phong", "Trung"]
GIVEN_F = ["Hà", "Hạnh", "Hoa", "Lan", "Mai", "Nga", "Thảo", "Vân", "Xuân", "Hương", "Liên",
           "Nhung", "Oanh", "Phượng", "Trang", "Yến", "Loan", "Hằng", "Dung", "Tuyết"]


def person(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_M)} {rng.choice(GIVEN_M)}"
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE_F)} {rng.choice(GIVEN_F)}"


MODEL_NAMES = {
    "economy": ["Trồng thanh long theo tiêu chuẩn VietGAP", "Nuôi bò sinh sản", "Nuôi dê thương phẩm",
                "Tổ hợp tác sản xuất lúa giống", "Chuyển đổi cây trồng trên đất lúa kém hiệu quả",
                "Cánh đồng mẫu lớn", "Hội quán nông dân", "Trồng hành tím liên kết tiêu thụ",
                "Nuôi heo an toàn sinh học", "Chi hội nông dân giúp nhau giảm nghèo",
                "Trồng cao su tiểu điền", "Tổ tiết kiệm và vay vốn"],
    "culture_society": ["Tuyến đường hoa, đường cây xanh", "Quỹ khuyến học dòng họ",
                        "Xây dựng gia đình văn hóa", "Chi hội phụ nữ 5 không 3 sạch",
                        "Vận động hiến đất làm đường", "Nhà văn hóa thôn tự quản",
                        "Thu gom rác thải sinh hoạt tại khu dân cư", "Câu lạc bộ dưỡng sinh",
                        "Tủ sách pháp luật ở khu dân cư", "Nồi cháo tình thương"],
    "defense_security": ["Tổ tự quản an ninh trật tự", "Camera an ninh khu dân cư",
                         "Tổ hòa giải ở cơ sở", "Khu dân cư không có tội phạm",
                         "Cựu chiến binh tham gia giữ gìn an ninh", "Tổ liên gia tự quản",
                         "Thanh niên xung kích tuần tra đêm"],
    "party_building": ["Dân vận khéo trong tiếp công dân", "Cải cách thủ tục hành chính một cửa",
                       "Đảng viên giúp hộ nghèo", "Đối thoại trực tiếp với Nhân dân",
                       "Chi bộ gắn với khu dân cư", "Cán bộ, công chức đi cơ sở nắm dân"],
}
EXEMPLAR_DEEDS = ["hiến đất làm đường", "nông dân sản xuất kinh doanh giỏi",
                  "giúp đỡ hộ nghèo vươn lên", "tích cực hòa giải ở cơ sở",
                  "vận động Nhân dân góp công làm đường", "người có uy tín trong đồng bào",
                  "cựu chiến binh làm kinh tế giỏi", "phụ nữ khởi nghiệp"]
PETITION_SUBJECTS = {
    "land": ["Tranh chấp ranh giới đất với hộ liền kề", "Đề nghị cấp giấy chứng nhận quyền sử dụng đất",
             "Khiếu nại bồi thường giải phóng mặt bằng", "Lấn chiếm đất đường đi chung"],
    "policy": ["Đề nghị xem xét chế độ người có công", "Đề nghị hỗ trợ hộ nghèo",
               "Phản ánh việc xét hộ cận nghèo", "Đề nghị cấp thẻ bảo hiểm y tế"],
    "environment": ["Phản ánh trại heo gây ô nhiễm", "Phản ánh khói bụi từ lò gạch",
                    "Đề nghị nạo vét kênh thoát nước"],
    "order": ["Tố cáo hành vi đánh bạc tại khu dân cư", "Phản ánh tiếng ồn karaoke ban đêm",
              "Tố cáo cán bộ thôn nhận tiền sai quy định"],
    "other": ["Kiến nghị sửa chữa đường liên thôn", "Kiến nghị lắp đèn đường", "Đề nghị xác nhận hồ sơ"],
}
TARGETS_2016_2020 = [
    "Tốc độ tăng giá trị sản xuất bình quân 10,5%/năm",
    "Thu nhập bình quân đầu người đạt 52 triệu đồng/năm",
    "Tổng vốn đầu tư toàn xã hội tăng bình quân 12%/năm",
    "Tỷ lệ hộ nghèo giảm bình quân 1,5%/năm",
    "Có thêm 5 xã đạt chuẩn nông thôn mới",
    "Tỷ lệ dân số tham gia bảo hiểm y tế đạt trên 85%",
    "Tỷ lệ hộ dùng nước hợp vệ sinh đạt 98%",
    "Tỷ lệ trường đạt chuẩn quốc gia đạt 60%",
    "Tỷ lệ gia đình văn hóa đạt trên 90%",
    "Giải quyết việc làm mới cho 12.000 lao động",
    "Kết nạp mới 600 đảng viên",
]
