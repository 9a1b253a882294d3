"""URL converters, registered on import (both URL modules import this one)."""

from django.urls import register_converter


class PermalinkKeyConverter:
    """A permalink key: a case number (CM16-0213037) or 12 hex digits of a letter's SHA-256.

    Anything else is not a key, so it is a 404 before any query runs (and a NUL byte or a
    thousand characters never reach the database).
    """

    regex = r"[A-Za-z0-9_][A-Za-z0-9_-]{0,31}"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


class YearConverter:
    """A decision year as the ``year`` filter takes it (19xx or 20xx): anything else is a 404."""

    regex = r"(?:19|20)[0-9]{2}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(PermalinkKeyConverter, "key")
register_converter(YearConverter, "year")
