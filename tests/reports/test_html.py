"""``report.html`` and ``comparison.html`` without a browser: well-formed HTML, the headline
figures of summary.json, every figure embedded once, nothing loaded from the network, names
escaped, the same bytes for the same results."""

from __future__ import annotations

import base64
import copy
import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

import ccsim
from ccsim.reports.costs import money
from ccsim.reports.html import write_report_html
from ccsim.sweeps.compare import compare

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
NAME = 'tiny <centre> & "co"'


def _exp(mean_s: float) -> dict[str, Any]:
    return {"dist": "exponential", "mean_s": mean_s}


# A one-day, two-channel centre with a name that needs escaping: a run in well under a second.
CENTRE: dict[str, Any] = {
    "name": NAME,
    "description": "Escaped: <b>not bold</b> & more",
    "start": "2026-01-05 00:00",
    "horizon_days": 1,
    "interval_min": 60,
    "channels": {
        "voice": {"daily_volume": 600, "handle_time": _exp(240), "patience": _exp(90)},
        "chat": {"daily_volume": 400, "handle_time": _exp(300), "patience": _exp(150)},
    },
    "intents": {"billing": {"share": {"voice": 1, "chat": 1}}},
    "pools": {
        "phones": {"skills": {"voice": {"*": 1.0}}, "agents": 2},
        "digital": {"skills": {"chat": {"*": 1.0}}, "agents": 1},
    },
}
CHATBOT = {"chatbot": {"channels": ["chat"], "containment": 0.4, "session_time": _exp(60)}}


def _cfg(plots: bool = True, strategy: dict[str, Any] | None = None) -> dict[str, Any]:
    cfg: dict[str, Any] = {
        "centre": copy.deepcopy(CENTRE),
        "run": {"seed": 5, "replications": 3, "plots": plots, "n_jobs": 1},
    }
    if strategy:
        cfg["strategy"] = copy.deepcopy(strategy)
    return cfg


class Page(HTMLParser):
    """Every tag with its attributes, the text, and whether every element is closed in order."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.feed(text)
        self.close()
        if self.stack:
            self.errors.append(f"unclosed: {self.stack}")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, {k: v or "" for k, v in attrs}))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str]]:
        return [a for t, a in self.tags if t == tag]

    def by_id(self, id_: str) -> dict[str, str]:
        (found,) = [a for _, a in self.tags if a.get("id") == id_]
        return found


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> tuple[Path, Any]:
    out = tmp_path_factory.mktemp("html") / "run"
    return out, ccsim.run_config(_cfg(), out_dir=out)


@pytest.fixture(scope="module")
def comparison(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("html_cmp") / "study"
    for i, strategy in enumerate((None, CHATBOT)):
        ccsim.run_config(_cfg(plots=False, strategy=strategy), out_dir=root / str(i))
    failed = root / "9"
    failed.mkdir()
    (failed / "error.json").write_text(json.dumps({"error": "ConfigError: <bad> & worse"}))
    compare(root)
    return root / "comparison"


def _check_common(page: Page, html: str, folder: Path) -> None:
    assert page.errors == []
    assert html.startswith("<!DOCTYPE html>")
    # Offline: no resource from the network, no script or stylesheet file at all.
    for tag, attrs in page.tags:
        for key in ("src", "href"):
            value = attrs.get(key, "")
            assert not value.startswith(("http:", "https:", "//")), (tag, value)
        if tag == "a":
            assert attrs["href"].startswith("#"), attrs  # links only within the page
    assert page.all("script") == [] and page.all("link") == []
    # One embedded image per PNG of the folder, each the file's bytes.
    pngs = sorted(folder.glob("*.png"))
    imgs = page.all("img")
    assert len(imgs) == len(pngs)
    embedded = sorted(base64.b64decode(a["src"].split(",", 1)[1]) for a in imgs)
    assert all(a["src"].startswith("data:image/png;base64,") for a in imgs)
    assert embedded == sorted(p.read_bytes() for p in pngs)


def test_report_html_is_well_formed_offline_and_embeds_every_figure(run):
    out, _ = run
    html = (out / "report.html").read_text()
    page = Page(html)
    _check_common(page, html, out)
    assert len(page.all("img")) >= 3
    text = "".join(page.text)
    assert "<b>" not in text or "not bold" in text  # text, not markup
    for section in ("headline", "delta", "service", "channels", "pools", "centre", "cost"):
        assert page.by_id(section)
    assert "run.occupancy_ceiling" in text and "horizon_days: 1" in text  # warnings, config


def test_report_headline_is_summary_json(run):
    out, _ = run
    summary = json.loads((out / "summary.json").read_text())
    page = Page((out / "report.html").read_text())
    short = summary["totals"]["positive_demand_delta_h"]["mean"]
    kpi = page.by_id("kpi-positive_demand_delta_h")
    assert float(kpi["data-value"]) == short
    text = "".join(page.text)
    assert f"{short:,.1f}" in text
    cost = summary["totals"]["cost_total"]["mean"]
    assert float(page.by_id("kpi-cost_total")["data-value"]) == cost
    assert money(cost) in text and summary["currency"] in text
    for i, ch in enumerate(summary["centre"]["channels"], start=1):
        card = page.by_id(f"service-{i}")
        sl = summary["channels"][ch["name"]]["sl_answered_within_t"]["mean"]
        assert card["data-channel"] == ch["name"] and float(card["data-value"]) == sl
        assert f"{100 * sl:.1f}%" in text


def test_names_are_escaped(run):
    out, _ = run
    html = (out / "report.html").read_text()
    assert "tiny &lt;centre&gt; &amp; &#34;co&#34;" in html
    assert "<b>not bold</b>" not in html and "&lt;b&gt;not bold&lt;/b&gt;" in html
    assert NAME in "".join(Page(html).text)


def test_same_results_same_bytes(run, tmp_path):
    out, result = run
    config = json.loads((out / "summary.json").read_text())["config"]
    written = sorted(out.glob("*.png"))
    a = write_report_html(result, tmp_path / "a", written, config).read_bytes()
    assert a == write_report_html(result, tmp_path / "b", written, config).read_bytes()
    ccsim.run_config(_cfg(), out_dir=tmp_path / "again")  # the same config and seed, run again
    assert (tmp_path / "again" / "report.html").read_bytes() == (out / "report.html").read_bytes()


def test_without_plots_there_is_no_figure(tmp_path):
    cfg = _cfg(plots=False)
    cfg["run"]["occupancy_ceiling"] = 0.5
    ccsim.run_config(cfg, out_dir=tmp_path)
    html = (tmp_path / "report.html").read_text()
    page = Page(html)
    _check_common(page, html, tmp_path)
    assert page.all("img") == [] and "run.plots=false" in html
    assert "above 50.0% occupancy" in html


def test_single_queue_report_has_the_erlang_table(tmp_path):
    ccsim.run_config(
        "erlang_c",
        ["scenario.horizon_h=4", "run.replications=2", "run.n_jobs=1", "run.plots=false"],
        out_dir=tmp_path,
    )
    page = Page((tmp_path / "report.html").read_text())
    assert page.errors == []
    text = "".join(page.text)
    assert "Simulation vs Erlang C" in text and "formula inside CI" in text


def test_comparison_html(comparison):
    html = (comparison / "comparison.html").read_text()
    page = Page(html)
    _check_common(page, html, comparison)
    assert len(page.all("img")) >= 1
    text = "".join(page.text)
    assert "ConfigError: <bad> & worse" in text and "&lt;bad&gt; &amp; worse" in html
    for section in ("glance", "failed", "jobs", "effects", "money", "crn", "figures"):
        assert page.by_id(section)
    # The paired effect of comparison.md and effects.csv, in the glance table.
    rows = (comparison / "effects.csv").read_text().splitlines()
    header = rows[0].split(",")
    (short,) = [
        dict(zip(header, r.split(","), strict=True))
        for r in rows[1:]
        if ",positive_demand_delta_h," in r
    ]
    assert f"{float(short['effect']):,.2f}" in text
    assert (comparison / "comparison.html").read_bytes() == html.encode()


def test_a_planning_report_as_a_page(tmp_path):
    """The planning modes' Markdown (staffing.md, schedule.md, plan.md) as a page: headings,
    bold and code, pipe tables with their alignment, lists and the figures, escaped."""
    import matplotlib.pyplot as plt

    from ccsim.reports.files import save_png
    from ccsim.reports.markdown_page import write_markdown_page

    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0, 1], [1, 0])
    png = [save_png(fig, tmp_path / "staffing.png")]
    md = tmp_path / "staffing.md"
    md.write_text(
        "# Simulated staffing: <tiny> & co\n\nThe plan: **12.5 agent-hours** against "
        "`roster.csv`.\n\n## Per pool\n\n| pool | roster | change |\n| --- | ---: | :---: |\n"
        "| a<b | 10.0 | **no** |\n\n- one\n- `two`\n"
    )
    page_path = write_markdown_page(md, png, "ccsim staffing")
    assert page_path == tmp_path / "staffing.html"
    html = page_path.read_text()
    page = Page(html)
    assert page.errors == []
    assert "Simulated staffing: &lt;tiny&gt; &amp; co" in html
    assert "<strong>12.5 agent-hours</strong>" in html and "<code>roster.csv</code>" in html
    cells = [a.get("class", "") for t, a in page.tags if t == "td"]
    assert cells == ["l", "r", "c"]
    assert "a&lt;b" in html and "no" in "".join(page.text)
    assert len(page.all("img")) == 1 and len(page.all("li")) == 2
    assert [a["href"] for a in page.all("a")] == ["#per-pool"]
