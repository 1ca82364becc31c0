"""Field types shared by the tables and the input schemas built from them."""

import unicodedata
from datetime import date, datetime
from functools import lru_cache
from typing import Annotated, Any, get_args, get_origin

from pydantic import AfterValidator, BaseModel, ValidationInfo, field_validator, model_validator
from pydantic_core import PydanticCustomError
from sqlmodel import Field, SQLModel
from sqlmodel.sql.sqltypes import AutoString

from app import vn

# Records before the movement's predecessors or far in the future are typing mistakes
# (1900 for 2019, 2100 for 2010), not history or plans.
DATE_MIN = date(1990, 1, 1)
DATE_MAX = date(2099, 12, 31)


def _sane_date(value: date | None) -> date | None:
    if value is None:  # an optional date left empty (the PATCH schemas make every date optional)
        return value
    if not DATE_MIN <= value <= DATE_MAX:
        raise ValueError(
            f"ngày phải trong khoảng {DATE_MIN:%d/%m/%Y} – {DATE_MAX:%d/%m/%Y}"
        )
    return value


SaneDate = Annotated[date, AfterValidator(_sane_date)]


class _Happened:
    """The mark of a date that says something happened (a gift, a completion, a decision)."""


# A sane date that may not lie after today in Vietnam (a planned start or a target's period
# may). Input schemas enforce it, at validation time (right after midnight too); the tables
# and read schemas built from the same fields do not, so a record stored before the rule
# can still be read.
Happened = Annotated[date, AfterValidator(_sane_date), _Happened()]

def _is_happened(annotation: Any) -> bool:
    if get_origin(annotation) is Annotated:
        return any(isinstance(m, _Happened) for m in annotation.__metadata__) \
            or _is_happened(get_args(annotation)[0])
    return any(_is_happened(arm) for arm in get_args(annotation))


@lru_cache(maxsize=None)
def _happened_fields(schema: type[SQLModel]) -> frozenset[str]:
    """The fields of an input schema declared `Happened` (a PATCH schema's too, where the
    mark sits on the optional field itself)."""
    return frozenset(name for name, info in schema.model_fields.items()
                     if any(isinstance(m, _Happened) for m in info.metadata)
                     or _is_happened(info.annotation))


def not_after_today(value: date | None, label: str = "Ngày") -> str | None:
    """Why `value` cannot be the date something happened, or None if it can; `label` names
    the date (the field's label on its schema: 'Ngày hoàn thành')."""
    now = vn.today()  # asked at each validation, so it is right after midnight
    if value is None or value <= now:
        return None
    return f"{label} không được sau hôm nay ({now:%d/%m/%Y})."


def clean_text(value: Any) -> Any:
    """Trim and NFC-normalise text, so 'Hàm Trí' typed on any keyboard is one string, and
    drop what only changes how it looks (app.vn.visible: direction controls, zero-width)."""
    if isinstance(value, str):
        value = vn.visible(value)
        if vn.unprintable(value):
            return value  # left whole for `Printable` to refuse (a trim would hide U+001F)
        value = unicodedata.normalize("NFC", value).strip()
        # An emptied form field means "no value", never an empty name.
        return value or None
    return value


def printable_text(value: Any) -> Any:
    """The rule of every text a client sends, in a body, a form or a query string: no
    character that is no text (app.vn.unprintable), with a Vietnamese message."""
    if isinstance(value, str):
        problem = vn.unprintable(value)
        if problem:
            raise PydanticCustomError("text_unprintable", problem)
    elif isinstance(value, (list, tuple, set, frozenset)):
        for item in value:
            printable_text(item)
    return value


# A lone text parameter (a query string's `number=`); the models below check all of theirs.
Text = Annotated[str, AfterValidator(printable_text)]


class Printable(BaseModel):
    """Every text field of the model, however declared, follows `printable_text`: the input
    schemas (by way of `Input`) and the query-parameter models (by way of `QueryParams`)."""

    @field_validator("*", mode="after")
    @classmethod
    def _printable(cls, value: Any) -> Any:
        return printable_text(value)


class Normalized(SQLModel):
    """Input models: every string is cleaned (`clean_text`) before validation."""

    @model_validator(mode="before")
    @classmethod
    def _normalize_strings(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: clean_text(v) for k, v in data.items()}
        return data


class QueryParams(Printable):
    """A query string's parameters (the lists' filters): trimmed and NFC-normalised as a body's
    text is (`clean_text`: `?code=%2028948%20` is the code 28948), a repeated one's values each,
    then checked (Printable)."""

    @model_validator(mode="before")
    @classmethod
    def _normalize_strings(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: [clean_text(x) for x in v] if isinstance(v, list) else clean_text(v)
                    for k, v in data.items()}
        return data


def code_field(default: Any = ..., **kw: Any) -> Any:
    """An enumerated code: validated as the Enum, stored as plain VARCHAR (no native enum type,
    so adding a code never needs an ALTER TYPE on PostgreSQL)."""
    return Field(default, sa_type=AutoString(32), **kw)


# Fields a client may send back unchanged from a read; they are the server's to set.
# (`path`: where a unit lies, worked out from the tree.)
READ_ONLY = frozenset({"id", "created_at", "updated_at", "version", "due_date", "path"})


class Input(Normalized, Printable):
    """Base of the Create/Update schemas: unknown fields are refused, read-only ones dropped,
    text is checked (Printable)."""

    # NaN and Infinity are valid JSON floats to pydantic, never a quantity or a score here.
    model_config = {"extra": "forbid", "allow_inf_nan": False}  # type: ignore[typeddict-unknown-key]

    @model_validator(mode="before")
    @classmethod
    def _drop_read_only(cls, data: Any) -> Any:
        if isinstance(data, dict):
            return {k: v for k, v in data.items() if k not in READ_ONLY}
        return data

    @field_validator("*", mode="after")
    @classmethod
    def _happened(cls, value: Any, info: ValidationInfo) -> Any:
        if isinstance(value, date) and info.field_name in _happened_fields(cls):
            label = cls.model_fields[info.field_name].title or "Ngày"  # the field's own label
            if (message := not_after_today(value, label)) is not None:
                raise ValueError(message)
        return value


def partial(schema: type[SQLModel], name: str) -> type[SQLModel]:
    """The PATCH schema of a Create schema: the same fields and rules, every one optional."""
    from copy import copy

    from pydantic import create_model

    fields: dict[str, Any] = {}
    for field_name, info in schema.model_fields.items():
        optional = copy(info)
        optional.default = None
        optional.default_factory = None
        fields[field_name] = (info.annotation | None, optional)
    return create_model(name, __base__=Input, **fields)  # type: ignore[call-overload]


class ReadMeta(SQLModel):
    id: int = Field(title="Số hiệu")
    created_at: datetime = Field(title="Tạo lúc")
    updated_at: datetime = Field(title="Sửa lúc")
    version: int = Field(title="Phiên bản")


UNIT_CODE_HINT = ("thay cho số hiệu đơn vị (unit_id): mã chính thức của đơn vị, đọc theo ngày "
                  "của bản ghi (sau sáp nhập 2025, đơn vị mới thường mang mã của một đơn vị cũ)")


@lru_cache(maxsize=None)
def by_unit_code(schema: type[SQLModel]) -> type[SQLModel]:
    """The API's input schema of a record kept on a unit (`unit_id`): the unit may be named
    instead by `unit_code`, its official code, which the write reads at the record's own date
    (services/records/checks.py, `by_code`); a create needs one of the two (both: the same
    unit). Same name, same fields and rules otherwise; a schema without `unit_id` is itself.
    The pages and the import keep `schema`: their unit is a picker, or a column of its own."""
    from copy import copy

    from pydantic import create_model
    from pydantic_core import InitErrorDetails, PydanticCustomError, ValidationError

    info = schema.model_fields.get("unit_id")
    if info is None:
        return schema
    required = info.is_required()
    optional = copy(info)
    optional.default = None
    optional.description = "hoặc gửi mã đơn vị (unit_code) thay cho số hiệu"
    label = info.title or "Đơn vị"

    def one_unit(model: Any) -> Any:
        if required and model.unit_id is None and model.unit_code is None:
            why = f"Bắt buộc nhập {label.lower()}: số hiệu (unit_id) hoặc mã đơn vị (unit_code)."
            raise ValidationError.from_exception_data(schema.__name__, [InitErrorDetails(
                type=PydanticCustomError("missing_unit", why), loc=("unit_id",), input=None)])
        return model

    model = create_model(  # type: ignore[call-overload]
        schema.__name__, __base__=schema, __module__=schema.__module__,
        __validators__={"_one_unit": model_validator(mode="after")(one_unit)},
        unit_id=(int | None, optional),
        unit_code=(str | None, Field(default=None, min_length=1, max_length=32, title="Mã đơn vị",
                                     description=UNIT_CODE_HINT)),
    )
    if required:  # OpenAPI: one of the two
        model.model_config["json_schema_extra"] = {
            "anyOf": [{"required": ["unit_id"]}, {"required": ["unit_code"]}]}
        model.model_rebuild(force=True)
    return model  # type: ignore[no-any-return]
