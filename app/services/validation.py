"""Validation errors in words a commune clerk can act on (Vietnamese), for the API and pages."""

from typing import Any

from pydantic import ValidationError

from app.vn import print_number

# What the schemas' own date parser takes: ISO, the API's form (api.md). The pages read a
# typed date day first before the schema sees it (app.vn.read_date, with its own message).
ISO_DATE_MESSAGE = "Ngày không hợp lệ: viết theo dạng năm-tháng-ngày YYYY-MM-DD, ví dụ 2021-02-05."

# An empty value where one is required is "required", whatever type was expected.
_TYPE_ERRORS = {"string_type", "int_type", "float_type", "bool_type", "date_type",
                "datetime_type", "enum", "decimal_type"}

_MESSAGES = {
    "missing": "Bắt buộc nhập.",
    "string_type": "Bắt buộc nhập (văn bản).",
    "string_too_short": "Bắt buộc nhập.",
    "string_too_long": "Quá dài: tối đa {max_length} ký tự.",
    # A lone surrogate (JSON "\\ud800"): half of a character, never text.
    "string_unicode": "Có ký tự không hợp lệ (nửa ký tự lẻ, thường do dán từ tài liệu khác "
                      "hoặc lỗi mã hoá); hãy xoá rồi gõ lại.",
    "string_pattern_mismatch": "Sai định dạng (chỉ dùng chữ không dấu, số, dấu chấm, gạch).",
    "int_parsing": "Phải là số nguyên.",
    "int_type": "Phải là số nguyên.",
    "int_from_float": "Phải là số nguyên.",
    "float_parsing": "Phải là số.",
    "float_type": "Phải là số.",
    "finite_number": "Phải là một số hữu hạn.",
    "bool_parsing": "Phải là có/không (true/false).",
    "bool_type": "Phải là có/không (true/false).",
    "greater_than_equal": "Không được nhỏ hơn {ge}.",
    "greater_than": "Phải lớn hơn {gt}.",
    "less_than_equal": "Không được lớn hơn {le}.",
    "less_than": "Phải nhỏ hơn {lt}.",
    "date_parsing": ISO_DATE_MESSAGE,
    "date_from_datetime_parsing": ISO_DATE_MESSAGE,
    "date_type": ISO_DATE_MESSAGE,
    "datetime_parsing": "Thời điểm không hợp lệ (ISO 8601).",
    "datetime_from_date_parsing": "Thời điểm không hợp lệ (ISO 8601).",
    "datetime_type": "Thời điểm không hợp lệ (ISO 8601).",
    "extra_forbidden": "Trường này không có trong hồ sơ; kiểm tra lại tên trường.",
    "json_invalid": "Nội dung gửi lên không phải JSON hợp lệ.",
    "model_attributes_type": "Nội dung gửi lên phải là một đối tượng JSON.",
    "dict_type": "Nội dung gửi lên phải là một đối tượng JSON.",
    "list_type": "Phải là một danh sách.",
}


def vi_message(error: dict[str, Any]) -> str:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    if kind in _TYPE_ERRORS and "input" in error and error["input"] is None:
        return "Bắt buộc nhập."
    if kind == "enum":
        expected = str(ctx.get("expected", "")).replace(" or ", " hoặc ")
        return f"Giá trị không hợp lệ; chọn một trong: {expected}."
    if kind == "value_error":
        text = str(ctx.get("error", error.get("msg", "")))
        return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")
    template = _MESSAGES.get(kind)
    if template is None:
        return str(error.get("msg", "Giá trị không hợp lệ."))
    try:
        # Limits the Vietnamese way: 100.000.000.000.000, not 100000000000000; 0, not 0.0.
        return template.format(**{k: print_number(v) if isinstance(v, (int, float))
                                  and not isinstance(v, bool) else v for k, v in ctx.items()})
    except (KeyError, IndexError):
        return template


def field_errors(errors: list[dict[str, Any]] | ValidationError) -> list[dict[str, Any]]:
    """[{loc, msg, type}] with Vietnamese messages, from pydantic's errors."""
    raw = errors.errors() if isinstance(errors, ValidationError) else errors
    return [
        {"loc": list(e.get("loc", ())), "msg": vi_message(e), "type": e.get("type", "")}
        for e in raw
    ]
