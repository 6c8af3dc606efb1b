"""Headless Chromium through Selenium and Debian's chromedriver, stopped by pid when done; and
a command line that keeps a screenshot of a page (the report's top, the trend page):

    python -m reports.browser.chromium PAGE.html OUT.png [--width 1400] [--height 2400]
                                       [--at XPATH]   # scrolled to this element
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

CHROMEDRIVER = "/usr/bin/chromedriver"
CHROMIUM = "/usr/bin/chromium"
FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--no-first-run")


@contextmanager
def chromium(width: int = 1400, height: int = 2400) -> Iterator[webdriver.Chrome]:
    """A driver on a fresh profile in a temporary folder; on exit Chromium and chromedriver
    are ended (quit, then chromedriver's pid killed if it outlived it)."""
    with tempfile.TemporaryDirectory(prefix="lapwise-chromium-") as profile:
        opts = webdriver.ChromeOptions()
        opts.binary_location = CHROMIUM
        for f in (*FLAGS, f"--window-size={width},{height}", f"--user-data-dir={profile}"):
            opts.add_argument(f)
        service = Service(CHROMEDRIVER)
        driver = webdriver.Chrome(service=service, options=opts)
        pid = service.process.pid
        try:
            yield driver
        finally:
            driver.quit()
            if service.process.poll() is None:
                os.kill(pid, signal.SIGKILL)
                service.process.wait(timeout=10)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m reports.browser.chromium",
                                 description="Screenshot of a page in headless Chromium.")
    ap.add_argument("page", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--width", type=int, default=1400)
    ap.add_argument("--height", type=int, default=2400)
    ap.add_argument("--at", default=None, help="XPath of the element to scroll to first")
    a = ap.parse_args(argv)
    with chromium(a.width, a.height) as driver:
        driver.get(a.page.resolve().as_uri())
        if a.at:
            driver.execute_script("arguments[0].scrollIntoView();",
                                  driver.find_element(By.XPATH, a.at))
        a.out.parent.mkdir(parents=True, exist_ok=True)
        ok = driver.save_screenshot(str(a.out))
    print(f"chromium: {'wrote' if ok else 'could not write'} {a.out}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
