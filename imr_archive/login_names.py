"""The user name a failed login is recorded under (django-axes' ``AXES_USERNAME_CALLABLE``).

Axes writes the name as typed into a 255-character column, so a longer one made the login
page a 500 (``DataError``) instead of its "enter a correct username and password". No account
has a name longer than ``User.username`` allows, so the name is cut to that: a longer one can
never log in, and its attempts still count against the same lockout.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model


def login_username(request, credentials: dict | None = None) -> str | None:
    """The name the login form sent (axes' own lookup), cut to the longest an account has."""
    model = get_user_model()
    field = model.USERNAME_FIELD
    if credentials:
        name = credentials.get(field)
    else:
        name = request.POST.get(field) if request is not None else None
    if not isinstance(name, str):
        return name
    return name[: model._meta.get_field(field).max_length]
