"""The README's picture of the ``numseries serve`` page, taken from a real server in headless Chromium.

    python benchmarks/serve_screenshot.py            # writes benchmarks/results/figures/serve_page.png

Starts ``numseries serve`` on a free port of 127.0.0.1, types a sequence into the page, presses Enter
and saves what the browser shows. Needs the serve and dev extras and Debian's chromium
(``apt-get install chromium``); Playwright drives that binary, it downloads no browser.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

from serve_load import STACKS, Server

FIGURES = Path(__file__).resolve().parent / "results" / "figures"


def chromium() -> str:
    """Debian's chromium binary (the real one, not the /usr/bin shell wrapper, when it is there)."""
    for path in ("/usr/lib/chromium/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if path and Path(path).is_file():
            return path
    raise SystemExit("no chromium found; apt-get install chromium")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sequence", default="112 118 132 129 121 135 148 148 136 119 104 118", help="what to type into the page"
    )  # the first year of the airline passengers series: no exact rule, so a band and signed weights
    parser.add_argument("--steps", default="3", help="forecast steps to ask for")
    parser.add_argument("--width", type=int, default=820, help="viewport width in CSS pixels (390 for a phone)")
    parser.add_argument("--out", type=Path, default=FIGURES / "serve_page.png")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    with Server(STACKS["single"][1]) as server, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), headless=True)
        page = browser.new_page(viewport={"width": args.width, "height": 600}, device_scale_factor=1)
        page.goto(f"http://127.0.0.1:{server.port}/")
        page.fill("#values", args.sequence)
        page.fill("#steps", args.steps)
        page.press("#values", "Enter")
        page.wait_for_selector("#chart circle")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.out.with_name(f".{args.out.name}.tmp.png")
        page.screenshot(path=str(tmp), full_page=True)
        tmp.replace(args.out)  # atomic: the README never shows half a picture
        browser.close()
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
