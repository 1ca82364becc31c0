"""Units recognised for a standard (e.g. xã đạt chuẩn nông thôn mới)."""

from app.db.recognitions import Recognition, RecognitionCreate
from app.services.records import ListParams, Records, verbs


class Filters(ListParams):
    """Filters of the recognitions list, one per enumerated field."""

    title: list[str] | None = None


records = Records(
    Recognition, label="công nhận danh hiệu", date_field="date", create_schema=RecognitionCreate,
    resource="recognitions",
)


# The five verbs (services/records/verbs.py): the engine's.
list, get, create, update, delete = verbs(records)
