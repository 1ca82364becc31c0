"""Domain errors. Each carries its HTTP status; the API renders them as problem+json and the
pages as a form error or a notice."""

from typing import Any


class DomainError(Exception):
    status = 400
    title = "Yêu cầu không hợp lệ"
    headers: dict[str, str] | None = None  # sent with the answer (Retry-After)

    def __init__(self, detail: str, *, errors: list[dict[str, Any]] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = errors or []


class NotFound(DomainError):
    status = 404
    title = "Không tìm thấy"


class Forbidden(DomainError):
    status = 403
    title = "Không có quyền"


class Unauthorized(DomainError):
    status = 401
    title = "Chưa đăng nhập"


class Conflict(DomainError):
    status = 409
    title = "Xung đột"


class PreconditionFailed(DomainError):
    status = 412
    title = "Bản ghi đã bị thay đổi"


class Invalid(DomainError):
    """A business rule refused the input; `errors` names the fields."""

    status = 422
    title = "Dữ liệu không hợp lệ"

    @classmethod
    def field(cls, name: str, msg: str) -> "Invalid":
        return cls(f"{name}: {msg}", errors=[{"loc": ["body", name], "msg": msg}])


class TooManyAttempts(DomainError):
    status = 429
    title = "Thử quá nhiều lần"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
        self.headers = {"Retry-After": str(retry_after)}


class Busy(DomainError):
    """Too many costly requests at once (password hashes): refused now rather than queued for
    longer, or taking the server's memory; to be tried again shortly."""

    status = 503
    title = "Máy chủ đang bận"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail)
        self.headers = {"Retry-After": str(retry_after)}
