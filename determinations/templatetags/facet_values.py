"""The facet values' checkboxes, rendered in Python: a browse or search page lists a few hundred
values, and an ``{% include %}`` per value cost a third of a search page's Python time
(docs/performance.md, issue 14)."""

from html import escape

from django import template
from django.utils.safestring import mark_safe

register = template.Library()

_TITLE = ' title="Estimated from a fixed sample of the letters; 95% interval {}"'


@register.simple_tag
def facet_values(name: str, values) -> str:
    """One ``<li>`` checkbox per ``facets.FacetValue`` of the facet ``name`` (every string
    escaped here: ``html.escape``, as Django's own escaping does)."""
    name = escape(name)
    rows = [
        f"<li{_TITLE.format(escape(v.interval_display)) if v.interval else ''}><label>"
        f'<input type="checkbox" name="{name}" value="{escape(str(v.value))}"'
        f'{" checked" if v.selected else ""}><span class="facet-label">{escape(str(v.label))}'
        f'</span><span class="count">{escape(v.count_display)}</span></label></li>'
        for v in values
    ]
    return mark_safe("".join(rows))  # noqa: S308 (every part escaped above)
