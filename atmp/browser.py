"""Serving the built book on 127.0.0.1 and driving the system Chromium with Playwright.

Shared by the tools that print or render the book (handouts, slides, benchmarks) and by the
site tests, so that every one of them launches the browser the same way, offline.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from pathlib import Path

#: The browser: Debian's chromium (``make chromium`` installs it); ``CHROMIUM`` overrides.
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
#: Headless, and nothing that talks to the network on its own.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]
LOCAL_HOST = "127.0.0.1"

#: Viewports the book is checked and looked at in (CSS px).
PHONE = {"width": 390, "height": 844}
TABLET = {"width": 900, "height": 1000}
DESKTOP = {"width": 1280, "height": 900}
PROJECTOR = {"width": 1920, "height": 1080}


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - signature from the base class
        pass


def serve(directory: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    """Serve ``directory`` on 127.0.0.1 at a free port, in a daemon thread.

    Returns the server (call ``shutdown()``) and its base URL, ending in ``/``.
    """
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer((LOCAL_HOST, 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True, name="site-server").start()
    return server, f"http://{LOCAL_HOST}:{server.server_address[1]}/"


def chromium_found() -> bool:
    """True when :data:`CHROMIUM` is an executable file."""
    return os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)


def launch(playwright):
    """The system Chromium, headless and offline-friendly, from a ``sync_playwright()`` handle."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
