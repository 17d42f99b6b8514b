"""Screenshots of the pages people live in, for the README: ``make screenshots``.

Starts a fresh server with the demo data (as ``make run`` does), has the administrator set
passwords for a few of the demo's people on the users' pages, and photographs each
key page as its user sees it at 1366×768 — partner pages also at a 390 px phone width — into
``docs/screenshots/`` as PNG reduced to a 128-colour palette (a few hundred KB in all).

    .venv/bin/python tools/screenshots.py [OUTPUT_FOLDER]
"""
from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from PIL import Image  # noqa: E402
from playwright.sync_api import sync_playwright  # noqa: E402

from tests.e2e.browser import DESKTOP, PHONE, Guard, Person, launch_chromium  # noqa: E402
from tests.e2e.server import start_server  # noqa: E402
from tests.e2e.staff import ADMIN, PASSWORD, Login, set_password, sign_in  # noqa: E402

COLOURS = 128  # enough for anti-aliased Chinese text; a quarter of the size of a full-colour PNG


def shoot(someone: Person, path: str, out: Path, name: str) -> Path | None:
    """Open ``path`` as ``someone`` and photograph what fits on their screen."""
    r = someone.page.goto(path)
    if r is None or r.status != 200:  # e.g. a page another part of the work has not brought yet
        print(f"  skipped {name}: {path} answered {r.status if r else 'nothing'}")
        return None
    target = out / f"{name}.png"
    someone.page.screenshot(path=str(target))
    with Image.open(target) as shot:
        small = shot.convert("RGB").quantize(colors=COLOURS, method=Image.Quantize.MEDIANCUT)
    small.save(target, optimize=True)
    print(f"  {target.relative_to(ROOT) if target.is_relative_to(ROOT) else target} ({target.stat().st_size // 1024} KB)")
    return target


# The demo's own people, whose queues are full: the administrator gives each a password.
DEMO_PEOPLE = {"clerk": "clerk_xiangzhou", "court_clerk": "clerk_court", "mediator": "med_zhengzm",
               "partner": "police_liaison"}


def logins(admin: Person) -> dict[str, Login]:
    """The demo's centre clerk, court clerk, mediator and police liaison, with passwords the
    administrator sets on the users' pages."""
    return {who: set_password(admin, username, PASSWORD) for who, username in DEMO_PEOPLE.items()}


def first_case_with(someone: Person, page_of, selector: str, limit: int = 40) -> str | None:
    """The first case of the list whose page ``page_of(id)`` shows ``selector``."""
    someone.page.goto("/case/list/")
    hrefs = someone.page.locator("a[href*='/case/show/']").evaluate_all("links => links.map(a => a.href)")
    for href in list(dict.fromkeys(hrefs))[:limit]:
        path = page_of(int(href.rstrip("/").rsplit("/", 1)[1]))
        r = someone.page.goto(path)
        if r is not None and r.status == 200 and someone.page.locator(selector).count():
            return path
    return None


def main(out: Path) -> int:
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.png"):
        old.unlink()
    with tempfile.TemporaryDirectory(prefix="jiefen-screenshots-") as tmp, sync_playwright() as playwright:
        server = start_server(Path(tmp) / "instance")
        browser = launch_chromium(playwright)
        guard = Guard(server.base)
        try:
            admin = Person(browser, guard, server, "administrator")
            admin.chinese = False  # photographs, not checks: the browser tests check the text
            sign_in(admin, ADMIN)
            people = logins(admin)
            shoot(admin, "/mywork/", out, "mywork-admin")

            clerk = Person(browser, guard, server, "clerk")
            clerk.chinese = False
            sign_in(clerk, people["clerk"])
            shoot(clerk, "/mywork/", out, "mywork-clerk")
            shoot(clerk, "/case/list/", out, "case-list")
            shoot(clerk, "/case/intake/traffic", out, "intake-traffic")
            case = first_case_with(clerk, lambda pk: f"/case/show/{pk}", "#workflow, .case-steps, #case")
            if case:
                shoot(clerk, case, out, "case-page")
            agreement = first_case_with(clerk, lambda pk: f"/case/{pk}/agreement/save", "#agreement-form")
            if agreement:
                shoot(clerk, agreement, out, "agreement")

            court = Person(browser, guard, server, "court clerk")
            court.chinese = False
            sign_in(court, people["court_clerk"])
            shoot(court, "/mywork/", out, "mywork-court-clerk")

            mediator = Person(browser, guard, server, "mediator")
            mediator.chinese = False
            sign_in(mediator, people["mediator"])
            shoot(mediator, "/mywork/", out, "mywork-mediator")

            for viewport, suffix in ((DESKTOP, ""), (PHONE, "-phone")):
                partner = Person(browser, guard, server, "partner", viewport=viewport)
                partner.chinese = False
                sign_in(partner, people["partner"])
                shoot(partner, "/mywork/", out, f"mywork-partner{suffix}")
                shoot(partner, "/partner/referrals/", out, f"partner-referrals{suffix}")
                partner.page.goto("/partner/referrals/")
                link = partner.page.locator("a[href*='/partner/referrals/']").evaluate_all(
                    "links => links.map(a => a.getAttribute('href')).filter(h => /referrals\\/\\d+$/.test(h))")
                if link:
                    shoot(partner, link[0], out, f"partner-referral{suffix}")
                partner.close()
        finally:
            browser.close()
            server.stop()
    total = sum(p.stat().st_size for p in out.glob("*.png"))
    print(f"{len(list(out.glob('*.png')))} screenshots, {total // 1024} KB in all, in {out}")
    if guard.problems:
        print(guard.report(), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "docs" / "screenshots").resolve()))
