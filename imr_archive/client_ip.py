"""The client's address, for login throttling (django-axes' ``AXES_CLIENT_IP_CALLABLE``).

Behind nginx every request comes from nginx's address, so keyed on ``REMOTE_ADDR`` the throttle
is one bucket for everybody: one attacker's failed logins lock every admin out. The address
nginx saw is in ``X-Forwarded-For``, but a client can send that header too, so it is believed
only as far as ``TRUSTED_PROXY_COUNT`` says: each trusted proxy appends (or, like our nginx,
sets) the address it received from, so the N-th entry from the right is what the outermost
trusted proxy saw, and anything left of it may be forged. With no trusted proxy (the default)
the header is ignored. django-axes' own ``AXES_IPWARE_*`` settings need django-ipware, which is
not installed; without it axes reads ``REMOTE_ADDR`` only.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """The address of the client as the outermost trusted proxy saw it, else ``REMOTE_ADDR``."""
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if not count:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < count:
        return remote  # not through every trusted proxy (a direct request): nothing to believe
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
