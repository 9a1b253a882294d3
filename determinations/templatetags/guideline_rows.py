"""The guideline list's section rows, rendered in Python: ``/guidelines/`` lists every cited
section (~1,900 at 2 M letters), and the template's per-row tags were ~70 ms of the page
(docs/performance.md, issue 19)."""

from html import escape

from django import template
from django.utils.safestring import mark_safe

register = template.Library()


@register.simple_tag
def guideline_section_rows(document: str, sections) -> str:
    """One ``<tr>`` per section row of ``views_guidelines`` (its ``rate``, ``href``, ``label``,
    ``rate_text`` and ``interval_text``) under the document named ``document``; every string
    escaped here (``html.escape``, as Django's own escaping does)."""
    document = escape(document)
    rows = []
    for row in sections:
        rate, mark = row["rate"], "~" if row["rate"].estimated else ""
        rows.append(
            f'<tr class="guideline-section"><th scope="row"><span class="visually-hidden">'
            f'{document}: </span><a href="{escape(row["href"])}">{escape(str(row["label"]))}</a>'
            f'</th><td class="num">{mark}{rate.items}</td><td class="num">{mark}'
            f'{rate.overturned}</td><td class="num">{escape(row["rate_text"])}</td>'
            f'<td class="num">{escape(row["interval_text"])}</td></tr>'
        )
    return mark_safe("".join(rows))  # noqa: S308 (every part escaped above)
