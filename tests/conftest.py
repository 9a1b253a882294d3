import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Originals written by tests go to a temporary directory, never into var/."""
    settings.MEDIA_ROOT = tmp_path / "media"
    yield
    # A public read's query budget stays on its connection for the next public read
    # (imr_archive/query_budget.py); the next test's set-up, a flush, must not be bound by it.
    from imr_archive import query_budget

    query_budget.lift()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


@pytest.fixture(scope="module")
def chromium():
    """One headless Chromium per test module (Debian's); skips where Chromium is missing.

    Playwright's sync API runs an event loop in this thread, so Django's async-safety check
    would refuse the tests' own database calls: allow them for browser tests only.
    """
    import os

    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch, sync_playwright() as playwright:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            _close_connections()


@pytest.fixture
def browser_page(chromium, live_server, request):
    """A fresh page (its own cookies and storage) in the module's Chromium; a module's
    ``BROWSER_CONTEXT`` dict adds options of Playwright's ``new_context``."""
    options = getattr(request.module, "BROWSER_CONTEXT", {})
    context = chromium.new_context(base_url=live_server.url, **options)
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()
        _close_connections()


def _close_connections() -> None:
    # Code run under Playwright's event loop gets its own database connections (they are per
    # async context); close them, or the test database cannot be dropped.
    from django.db import connections

    connections.close_all()
