"""Opens the report and the trend page in headless Chromium (Selenium 4 with Debian's
chromedriver): the summary table is there and says "pays", a table sorts on a click, every
plot image loaded; a screenshot of each page is kept in the build tree."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.common.by import By

from reports.browser import pages
from reports.browser.chromium import chromium


@pytest.fixture(scope="module")
def out() -> Path:
    d = Path(os.environ.get("LAPWISE_BUILD_DIR", "build")) / "reports" / "browser"
    d.mkdir(parents=True, exist_ok=True)
    return d.resolve()


@pytest.fixture(scope="module")
def browser() -> Iterator[webdriver.Chrome]:
    with chromium() as driver:
        yield driver


def _images_loaded(driver: webdriver.Chrome) -> list[tuple[str, int]]:
    return driver.execute_script(
        "return Array.from(document.images).map(i => [i.getAttribute('src'),"
        " i.complete ? i.naturalWidth : 0]);")


def _column(table, col: int) -> list[str]:
    return [r.find_elements(By.TAG_NAME, "td")[col].text
            for r in table.find_elements(By.CSS_SELECTOR, "tbody tr")]


def test_report(browser: webdriver.Chrome, out: Path) -> None:
    page = pages.report(out)
    browser.get(page.as_uri())
    assert browser.title == "lapwise report"
    heads = [h.text for h in browser.find_elements(By.TAG_NAME, "h2")]
    assert heads[:2] == ["Checks", "Summary: does native code pay?"], heads
    summary = browser.find_element(
        By.XPATH, "//h2[starts-with(., 'Summary')]/following::table[1]")
    rows = {r[0]: r for r in (
        [c.text for c in tr.find_elements(By.TAG_NAME, "td")]
        for tr in summary.find_elements(By.CSS_SELECTOR, "tbody tr"))}
    assert rows["parse request"][2].startswith("pays: 8.33x"), rows["parse request"]
    assert "not credited" in rows["build response bytes"][2]

    micro = browser.find_element(
        By.XPATH, "//h2[.='Micro benchmarks']/following::table[1]")
    header = micro.find_elements(By.TAG_NAME, "th")[1]      # adapter
    header.click()
    asc = _column(micro, 1)
    assert header.get_attribute("aria-sort") == "ascending" and asc == sorted(asc)
    header.click()
    assert _column(micro, 1) == sorted(asc, reverse=True)

    images = _images_loaded(browser)
    assert images and all(w > 0 for _, w in images), images
    browser.execute_script("window.scrollTo(0, 0);")  # the clicks scrolled; keep the top
    assert browser.save_screenshot(str(out / "report.png"))


def test_trend_page(browser: webdriver.Chrome, out: Path) -> None:
    page = pages.trend_page(out)
    browser.get(page.as_uri())
    assert browser.title == "lapwise trend"
    runs = browser.find_element(By.XPATH, "//table[1]")
    assert len(runs.find_elements(By.CSS_SELECTOR, "tbody tr")) == 5
    images = _images_loaded(browser)
    assert images and all(w > 0 for _, w in images), images
    figures = browser.find_element(By.XPATH, "//h2[.='Figures']/following::table[1]")
    runs_col = figures.find_elements(By.TAG_NAME, "th")[7]  # latest vs previous
    runs_col.click()
    values = [float(v.split("x")[0]) for v in _column(figures, 7)]
    assert values == sorted(values)
    browser.execute_script("window.scrollTo(0, 0);")
    assert browser.save_screenshot(str(out / "trend.png"))
