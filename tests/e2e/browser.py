"""Debian's Chromium under Playwright, and a person using Jiefen in it.

Every page a :class:`Person` opens is watched by a :class:`Guard`: a request to any host
but the server's (aborted, so nothing leaves the machine), a console error, an uncaught
script error, an HTTP 5xx, and English or raw text on a Chinese page are all problems, and
a test with any problem fails."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urlparse

from playwright.sync_api import Browser, BrowserContext, Page, Playwright, Response

from tests.untranslated import untranslated_in

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--lang=zh-CN"]  # the browser's own widgets (date fields) as a Chinese user sees them
DESKTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}
TIMEOUT_MS = 15_000


def launch_chromium(playwright: Playwright) -> Browser:
    """Debian's Chromium, headless; raises when it cannot start (never a silent skip)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)


@dataclass
class Guard:
    """The problems seen on any page of a test, by every person in it."""

    base: str
    problems: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    # pages opened expecting a 4xx: Chromium logs "Failed to load resource" for them
    expected_errors: set[str] = field(default_factory=set)

    def note(self, problem: str) -> None:
        if problem not in self.problems:
            self.problems.append(problem)

    def watch(self, context: BrowserContext, who: str) -> None:
        """Route every request of ``context`` through the guard; listen to its pages."""
        server = urlparse(self.base).netloc

        def route(route, request):
            url = request.url
            if urlparse(url).netloc == server or url.startswith(("data:", "blob:", "about:")):
                route.continue_()
            else:
                self.outside.append(url)
                self.note(f"{who}: request to an outside host: {url} (from {request.frame.url})")
                route.abort()

        context.route("**/*", route)
        context.on("page", lambda page: self.watch_page(page, who))

    def watch_page(self, page: Page, who: str) -> None:
        def console(message):
            if message.type == "error":
                where = message.location.get("url", "") if message.location else ""
                if where in self.expected_errors and message.text.startswith("Failed to load resource"):
                    return
                self.note(f"{who}: console error on {page.url}: {message.text} ({where})")

        def response(r: Response):
            if r.status >= 500:
                self.note(f"{who}: HTTP {r.status} from {r.request.method} {r.url}")

        page.on("console", console)
        page.on("pageerror", lambda error: self.note(f"{who}: script error on {page.url}: {error}"))
        page.on("response", response)

    def report(self) -> str:
        return "\n- ".join([f"{len(self.problems)} problem(s) in the browser:", *self.problems])


class Person:
    """Someone at a browser, signed in (or not) to the server, reading in ``locale``."""

    def __init__(self, browser: Browser, guard: Guard, server, name: str, viewport=DESKTOP):
        self.guard, self.server, self.name = guard, server, name
        self.context = browser.new_context(viewport=viewport, locale="zh-CN", timezone_id="Asia/Shanghai",
                                           base_url=server.base)
        self.context.set_default_timeout(TIMEOUT_MS)
        guard.watch(self.context, name)
        self.page = self.context.new_page()
        self.chinese = True

    # -- moving around ---------------------------------------------------------------------------
    def goto(self, path: str, status: int | None = 200) -> Response | None:
        """Open ``path``; its status must be ``status`` (None: anything below 500)."""
        if status is not None and status >= 400:
            self.guard.expected_errors.add(self.server.base + path)
        r = self.page.goto(path)
        assert r is not None, path
        if status is not None:
            assert r.status == status, f"{self.name}: GET {path} answered {r.status}\n{self.server.log_tail()}"
        self.look()
        return r

    def click(self, selector: str) -> None:
        """Click what ``selector`` finds and wait for the page it leads to."""
        with self.page.expect_navigation():
            self.page.locator(selector).first.click()
        self.look()

    def submit(self, selector: str = "form button[type=submit], form input[type=submit]") -> None:
        """Press a form's submit button; the next page must be no 5xx."""
        self.click(selector)

    def look(self) -> None:
        """Check the page now shown: no 5xx so far, and on a Chinese page no English or raw text."""
        server_errors = [p for p in self.guard.problems if "HTTP 5" in p]
        assert not server_errors, "\n".join(server_errors) + "\n" + self.server.log_tail()
        if self.chinese:
            found = untranslated_in(self.page.content())
            if found:
                self.guard.note(f"{self.name}: English or raw text on {self.path}: {found}")

    @property
    def path(self) -> str:
        parsed = urlparse(self.page.url)
        return parsed.path + (f"?{parsed.query}" if parsed.query else "")

    # -- forms -----------------------------------------------------------------------------------
    def fill(self, name: str, value: str, within: str = "") -> None:
        self.page.locator(f"{within} :is(input, textarea)[name='{name}']".strip()).fill(str(value))

    def choose(self, name: str, label: str | None = None, value: str | None = None, within: str = "") -> None:
        """Pick an option of the select ``name`` by its text (or value), as a user would;
        works for the plain selects and the select2 widgets of FAB's forms alike."""
        radios = self.page.locator(f"{within} input[type=radio][name='{name}']".strip())
        if radios.count() and value is not None:
            radios.locator(f"xpath=self::*[@value='{value}']").check()
            return
        select = self.page.locator(f"{within} select[name='{name}']".strip())
        option = {"label": label} if label is not None else {"value": value}
        select.select_option(**option, force=True)
        select.dispatch_event("change")

    def text(self, selector: str = "body") -> str:
        return re.sub(r"\s+", " ", self.page.locator(selector).first.inner_text()).strip()

    def problems_shown(self) -> list[str]:
        """The messages the page shows about the form: flashes and field errors."""
        found = self.page.locator(".alert, .has-error .help-block, .has-error .text-danger, .text-danger")
        return [re.sub(r"\s+", " ", t).strip() for t in found.all_inner_texts() if t.strip()]

    def value(self, name: str) -> str:
        return self.page.locator(f":is(input, textarea, select)[name='{name}']").input_value()

    # -- signing in ------------------------------------------------------------------------------
    def sign_in(self, username: str, password: str) -> None:
        """Through the login page; lands where the application sends a user after login."""
        self.goto("/login/")
        self.fill("username", username)
        self.fill("password", password)
        self.submit()
        assert "/login" not in self.page.url, f"{username} could not sign in: {self.text('body')[:300]}"

    def use_english(self) -> None:
        """Switch the session to English (the language menu's link)."""
        self.chinese = False
        self.goto("/lang/en", status=None)

    def close(self) -> None:
        self.context.close()
