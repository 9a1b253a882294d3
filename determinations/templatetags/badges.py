"""The outcome badge, rendered in Python: a permalink shows one per item three times over and a
browse page one per row, and an ``{% include %}`` is a template render each (docs/performance.md,
"Stop 31")."""

from django import template
from django.utils.html import format_html
from django.utils.text import slugify

register = template.Library()


@register.simple_tag
def outcome_badge(outcome, label) -> str:
    """``<span class="badge badge-<outcome>">label</span>``; both escaped."""
    return format_html('<span class="badge badge-{}">{}</span>', slugify(outcome), label)
