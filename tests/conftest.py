import pytest


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Originals written by tests go to a temporary directory, never into var/."""
    settings.MEDIA_ROOT = tmp_path / "media"


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


@pytest.fixture
def browser_page(live_server, tmp_path, monkeypatch):
    """A Playwright page in Debian's headless Chromium; skips where Chromium is missing.

    Playwright's sync API runs an event loop in this thread, so Django's async-safety check
    would refuse the test's own database calls: allow them for browser tests only.
    """
    import os

    if not os.path.exists(CHROMIUM):
        pytest.skip("Debian's chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=live_server.url)
        context.set_default_timeout(15_000)
        page = context.new_page()
        try:
            yield page
        finally:
            context.close()
            browser.close()
            # Code run under Playwright's event loop gets its own database connections (they
            # are per async context); close them, or the test database cannot be dropped.
            from django.db import connections

            connections.close_all()
