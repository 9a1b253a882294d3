"""The admin's confirmation page for actions that need a stated reason (withdraw, purge).

Django's own pattern for intermediate action pages: the action renders this page instead of
acting; its form posts back to the change list with the same action and selection, plus
``confirm`` and the reason, and the action runs again, this time acting.
"""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib.admin import helpers
from django.template.response import TemplateResponse

REASON_MAX = 2000  # characters: a notice or an audit note, not a document


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=REASON_MAX,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 80}),
    )


def confirm_with_reason(
    modeladmin,
    request,
    queryset,
    *,
    act: Callable[[str], None],
    title: str,
    warning: str,
    columns: list[str],
    rows: list[list],
    reason_label: str,
    reason_help: str,
    button: str,
):
    """Run ``act(reason)`` once confirmed with a reason (None: back to the change list), else
    the page listing ``rows`` (what the action will do) and asking for the reason."""
    form = ReasonForm(request.POST if request.POST.get("confirm") == "yes" else None)
    form.fields["reason"].label = reason_label
    form.fields["reason"].help_text = reason_help
    if form.is_bound and form.is_valid():
        act(form.cleaned_data["reason"])
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": title,
        "opts": modeladmin.model._meta,
        "warning": warning,
        "columns": columns,
        "rows": rows,
        "form": form,
        "button": button,
        "action": request.POST.get("action", ""),
        "selected": [obj.pk for obj in queryset],
        "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/determinations/confirm_with_reason.html", context)
