"""``report.html`` and ``comparison.html`` in a real browser: headless Chromium opens each page
offline and must log no console error, throw no exception and make no network request (every
resource is embedded); a screenshot of the laptop-sized window must show a drawn page.

Chromium is driven over the DevTools protocol through a pipe (``--remote-debugging-pipe``:
JSON messages on file descriptors 3 and 4), with the standard library only. That gives what
the ``--screenshot`` command line cannot: console messages with their level, uncaught
exceptions, every request the page makes and every failed load, then the screenshot, in one
browser start, with no driver download (Playwright, Selenium) and no port to pick. Skipped
when no Chromium or Chrome binary is installed.
"""

from __future__ import annotations

import base64
import io
import json
import os
import select
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import ccsim
from ccsim.sweeps.compare import compare

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
WINDOW = (1366, 900)
TIMEOUT_S = 30.0


def find_chromium() -> str | None:
    for name in BROWSERS:
        path = shutil.which(name)
        if path:
            return path
    return None


class DevTools:
    """A headless Chromium and its DevTools protocol over a pipe."""

    def __init__(self, binary: str, profile: Path) -> None:
        # Chromium reads commands on fd 3 and writes replies and events on fd 4.
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def wire() -> None:  # in the child, before exec: the pipe ends on fds 3 and 4
            r, w = os.dup(to_browser_r), os.dup(from_browser_w)
            os.dup2(r, 3)
            os.dup2(w, 4)

        self.proc = subprocess.Popen(
            [
                binary,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--no-default-browser-check",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--disable-extensions",
                "--mute-audio",
                "--hide-scrollbars",
                "--host-resolver-rules=MAP * ~NOTFOUND",  # offline: no name resolves
                f"--user-data-dir={profile}",
                f"--window-size={WINDOW[0]},{WINDOW[1]}",
                "--remote-debugging-pipe",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=wire,
            pass_fds=(3, 4),
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._next_id = 0
        self._buffer = b""
        self.events: list[dict[str, Any]] = []

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_browser], [], [], left)[0]:
                raise TimeoutError("no answer from Chromium")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe")
            self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def send(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        """A command; its result (the events that come first are kept in ``events``)."""
        self._next_id += 1
        msg: dict[str, Any] = {"id": self._next_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = session
        os.write(self._to_browser, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for(self, method: str) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT_S
        for e in self.events:
            if e.get("method") == method:
                return e
        while True:
            e = self._read_message(deadline)
            self.events.append(e)
            if e.get("method") == method:
                return e

    def close(self) -> None:
        try:
            self.send("Browser.close")
        except (RuntimeError, TimeoutError, OSError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)


def browse(binary: str, page: Path, profile: Path, full_page: bool = False) -> dict[str, Any]:
    """Open ``page`` and wait for it to load; returns the console messages, exceptions, log
    entries, requested URLs, failed loads and a PNG screenshot (of the window, or the whole
    page)."""
    tools = DevTools(binary, profile)
    try:
        target = tools.send("Target.createTarget", url="about:blank")["targetId"]
        session = tools.send("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            tools.send(f"{domain}.enable", session)
        tools.send(
            "Emulation.setDeviceMetricsOverride",
            session,
            width=WINDOW[0],
            height=WINDOW[1],
            deviceScaleFactor=1,
            mobile=False,
        )
        tools.events.clear()
        tools.send("Page.navigate", session, url=page.resolve().as_uri())
        tools.wait_for("Page.loadEventFired")
        tools.send("Runtime.evaluate", session, expression="1", awaitPromise=True)  # settle
        shot: dict[str, Any] = {"format": "png"}
        if full_page:
            size = tools.send("Page.getLayoutMetrics", session)["cssContentSize"]
            shot.update(
                captureBeyondViewport=True,
                clip={"x": 0, "y": 0, "width": WINDOW[0], "height": size["height"], "scale": 1},
            )
        png = base64.b64decode(tools.send("Page.captureScreenshot", session, **shot)["data"])
        title = tools.send("Runtime.evaluate", session, expression="document.title")
        events = [e for e in tools.events if e.get("sessionId") == session]
    finally:
        tools.close()

    def of(method: str) -> list[dict[str, Any]]:
        return [e["params"] for e in events if e.get("method") == method]

    return {
        "title": title["result"].get("value"),
        "console": [
            (c["type"], " ".join(str(a.get("value", a.get("description"))) for a in c["args"]))
            for c in of("Runtime.consoleAPICalled")
        ],
        "exceptions": [e["exceptionDetails"].get("text") for e in of("Runtime.exceptionThrown")],
        "log": [(e["entry"]["level"], e["entry"]["text"]) for e in of("Log.entryAdded")],
        "requests": [r["request"]["url"] for r in of("Network.requestWillBeSent")],
        "failed": [(f.get("errorText"), f.get("type")) for f in of("Network.loadingFailed")],
        "png": png,
    }


def distinct_colours(png: bytes) -> tuple[int, float]:
    """(number of distinct RGB colours, share of pixels that are not white) of a PNG."""
    import matplotlib.image as mpimg

    rgb = mpimg.imread(io.BytesIO(png), format="png")[:, :, :3]
    px = np.round(rgb.reshape(-1, 3) * 255).astype(np.int64)
    codes = (px[:, 0] << 16) | (px[:, 1] << 8) | px[:, 2]
    return int(np.unique(codes).size), float((codes != 0xFFFFFF).mean())


CHROMIUM = find_chromium()
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason=f"no Chromium or Chrome binary on PATH (looked for {BROWSERS})"
)


def _exp(mean_s: float) -> dict[str, Any]:
    return {"dist": "exponential", "mean_s": mean_s}


# One day, two channels, two pools: a run and its figures in about a second.
CENTRE: dict[str, Any] = {
    "name": "browser <check>",
    "start": "2026-01-05 00:00",
    "horizon_days": 1,
    "interval_min": 30,
    "channels": {
        "voice": {"daily_volume": 800, "handle_time": _exp(240), "patience": _exp(90)},
        "email": {"mode": "async", "daily_volume": 300, "handle_time": _exp(300)},
    },
    "intents": {"billing": {"share": {"voice": 1, "email": 1}}},
    "pools": {
        "phones": {"skills": {"voice": {"*": 1.0}}, "agents": 3},
        "back_office": {"skills": {"email": {"*": 1.0}}, "agents": 1},
    },
}


@pytest.fixture(scope="module")
def pages(tmp_path_factory) -> dict[str, Path]:
    """A small run's report.html (with figures) and a two-job comparison's comparison.html."""
    root = tmp_path_factory.mktemp("html_browser")
    run = {"seed": 3, "replications": 2, "n_jobs": 1}
    ccsim.run_config({"centre": CENTRE, "run": run}, out_dir=root / "run")
    callbacks = {"callbacks": {}}
    for i, strategy in enumerate(({}, callbacks)):
        cfg = {"centre": CENTRE, "run": {**run, "plots": False}}
        if strategy:
            cfg["strategy"] = strategy
        ccsim.run_config(cfg, out_dir=root / "sweep" / str(i))
    compare(root / "sweep")
    return {
        "report": root / "run" / "report.html",
        "comparison": root / "sweep" / "comparison" / "comparison.html",
    }


@needs_chromium
def test_pages_open_offline_without_errors(pages, tmp_path):
    assert CHROMIUM is not None
    for name, page in pages.items():
        seen = browse(CHROMIUM, page, tmp_path / f"profile-{name}")
        assert seen["title"].startswith("ccsim"), name
        assert [c for c in seen["console"] if c[0] in ("error", "assert", "warning")] == []
        assert seen["exceptions"] == [], name
        assert [e for e in seen["log"] if e[0] in ("error", "warning")] == [], name
        assert seen["failed"] == [], name
        # Only the page itself loads: figures are data URIs; no script, stylesheet or font.
        assert [u for u in seen["requests"] if not u.startswith(("file:", "data:"))] == []
        assert seen["requests"][0] == page.resolve().as_uri()
        (tmp_path / f"{name}.png").write_bytes(seen["png"])
        n_colours, ink = distinct_colours(seen["png"])
        # Text, coloured cards, tables and figures: many colours, much of the window drawn.
        assert n_colours > 200, (name, n_colours)
        assert ink > 0.2, (name, ink)
