"""The report and the trend page opened in a real browser (headless Chromium via Selenium)."""
