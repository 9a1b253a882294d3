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


class GuidelinePartConverter:
    """A guideline's source, document or section as one path segment (``ODG``, ``Low%20Back``).

    The text is percent-encoded as any path is, except that a slash, which the server would
    decode before routing, is written ``~2F`` (and a tilde ``~7E``). A segment with any other
    ``~`` escape is no guideline's: a 404. Whether the text is a cited guideline is the view's
    question (``guideline_pages.guideline_from``, ``is_cited``).
    """

    regex = r"[^/]+"

    def to_python(self, value: str) -> str:
        parts = value.split("~")
        for part in parts[1:]:
            if part[:2] not in ("2F", "7E"):
                raise ValueError("not a guideline segment")
        return parts[0] + "".join(("/" if p[:2] == "2F" else "~") + p[2:] for p in parts[1:])

    def to_url(self, value: str) -> str:
        return str(value).replace("~", "~7E").replace("/", "~2F")


register_converter(PermalinkKeyConverter, "key")
register_converter(GuidelinePartConverter, "guideline")
register_converter(YearConverter, "year")
