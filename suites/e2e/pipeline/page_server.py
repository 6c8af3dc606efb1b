"""The pipeline suite's web site: Debian's nginx on 127.0.0.1 serving ``/page/<n>`` as shared
page ``n mod 23`` (sorted by name) straight from ../shared/datasets/html/pages, so any number of
distinct URLs costs no copies. One worker in the foreground, started and stopped by pid
(suites.adapters.server.nginx.NginxServer does the process side)."""

from __future__ import annotations

from pathlib import Path

import datasets
from suites.adapters.server import nginx
from suites.adapters.server.nginx import NginxServer


def page_files() -> list[Path]:
    """The shared pages in the order ``/page/<n>`` indexes them."""
    return sorted(datasets.path("html", "pages").glob("*.html"))


def page_name(n: int, files: list[Path]) -> str:
    """Which shared page ``/page/<n>`` serves (the file's stem)."""
    return files[n % len(files)].stem


def _page_map(count: int, files: list[Path]) -> str:
    # nginx has no arithmetic: an exact-match map from each URL to its file, made for the
    # page count the run asks for. map lives at http level, beside the access_log line.
    lines = [f"    /page/{n} {files[n % len(files)].name};" for n in range(count)]
    return ("map_hash_max_size {size};\n  map $uri $lapwise_page {{\n    default \"\";\n{body}\n  }}"
            .format(size=max(2048, 2 * count), body="\n".join(lines)))


class PageNginx(NginxServer):
    """``with PageNginx(1000) as s: addr = s.start()``; then ``GET addr.url + "/page/7"``."""

    def __init__(self, count: int) -> None:
        super().__init__()
        self.count = count
        self.files = page_files()

    def command(self, host: str, port: int) -> list[str]:
        assert self.workdir is not None
        pages = self.files[0].parent
        location = (f"location /page/ {{ root {pages}; default_type text/html; "
                    f"if ($lapwise_page = \"\") {{ return 404; }} "
                    f"try_files /$lapwise_page =404; }}")
        conf = self.workdir / "nginx.conf"
        conf.write_text(nginx.config(self.workdir, host, port, server_extra=location,
                                     access_log="access_log off;\n  " + _page_map(self.count, self.files)))
        return nginx.command(self.workdir, conf)


def page_urls(base: str, count: int) -> list[str]:
    return [f"{base}/page/{n}" for n in range(count)]
