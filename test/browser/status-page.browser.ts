// The status page in a real browser: Debian's headless Chromium driven by playwright-core (`npm run
// test:browser`; .ci/run installs chromium when it is missing). The page `conveyor status --html` writes for
// a world on the loopback fakes is opened from disk: every component and environment with the right builds,
// every link to the address it should reach, not one request leaving the page, readable on a phone, text
// contrast to WCAG AA; the screenshot in the README is taken here (docs/status-page.png).
//
// No Chromium is a failure, never a skip: a browser test that skips proves nothing.
import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { chromium, type Browser, type Page } from "playwright-core";
import { REPO_ROOT } from "../workspace-fixture";
import { cli, envOf, NOW, startStatusWorld, type StatusWorld } from "../status/status-world";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const SCREENSHOT = path.join(REPO_ROOT, "docs", "status-page.png");
const REDIRECTOR_ROOT = "https://go.acme-saas.example";
const REDIRECTOR = `${REDIRECTOR_ROOT}/acme-saas/ops/issues`;

async function launch(): Promise<Browser> {
    if (!fs.existsSync(CHROMIUM))
        throw new Error(
            `no Chromium at ${CHROMIUM}: install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH; ` +
                "the browser test fails rather than skip without it",
        );
    return chromium.launch({
        executablePath: CHROMIUM,
        args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-dev-shm-usage"],
    });
}

/** Relative luminance and contrast ratio, WCAG 2.x. */
function contrast(a: number[], b: number[]): number {
    const lum = (rgb: number[]) =>
        rgb
            .map((v) => v / 255)
            .map((c) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4))
            .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
    const [hi, lo] = [lum(a), lum(b)].sort((x, y) => y - x);
    return (hi + 0.05) / (lo + 0.05);
}

describe("the status page in headless Chromium", function () {
    this.timeout(180_000);
    let s: StatusWorld;
    let browser: Browser;
    let page: Page;
    let file: string;
    /** Every request the page made that is not the file itself. */
    const outside: string[] = [];

    before(async () => {
        browser = await launch();
        s = await startStatusWorld();
        // Not a scratch directory: those go after every test, and the page must outlive them.
        file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "conveyor-status-page-")), "status.html");
        // This week's milestone in one repository, half done: the page carries the milestones section too.
        const billing = s.w.github.state.findRepo("acme-saas", "billing-service")!;
        const w52 = billing.addMilestone("2026-W52", { due_on: "2026-12-27T00:00:00Z" });
        billing.addIssue("invoice rounding", { milestone: w52.number });
        billing.addIssue("tax export", { milestone: w52.number, state: "closed" });
        const r = await cli(envOf(s.w), ["status", "--html", file, "--milestones", "--now", NOW]);
        assert.equal(r.code, 0, r.err);
        page = await browser.newPage({ viewport: { width: 1100, height: 800 } });
        await page.route("**/*", async (route) => {
            const url = route.request().url();
            if (url.startsWith("file://")) return route.continue();
            outside.push(url);
            // A followed link lands here: answer it locally, nothing reaches the network.
            return route.fulfill({ status: 200, contentType: "text/plain", body: `reached ${url}` });
        });
        await page.goto(`file://${file}`);
    });
    after(async () => {
        await browser?.close();
        await s?.w.close();
        if (file) fs.rmSync(path.dirname(file), { recursive: true, force: true });
    });

    it("shows every environment in train order and every component with the builds of the world", async () => {
        const headers = await page.locator("#matrix thead th[scope=col]").allTextContents();
        assert.deepEqual(headers, ["component", "latest green CI", "staging", "demo", "prod"]);
        const components = await page.locator("#matrix tbody th[scope=row]").allTextContents();
        assert.deepEqual(components, ["marketplace", "billing", "web", "erp-connector", "gateway", "notifications"]);
        const stackFile = (env: string) => s.w.workspace.environments.find((e) => e.stack === env)!.versions;
        for (const c of components) {
            const row = page.locator(`#matrix tr[data-component="${c}"]`);
            const latest = s.w.latest.get(c)!;
            assert.equal(await row.locator("td").nth(0).innerText(), String(latest), `${c}: CI`);
            // Staging runs its deployed release; demo its stack file, with the open PR's build; prod the merged release.
            assert.match(await row.locator('td[data-env="staging"]').innerText(), new RegExp(`^${latest}\\b.*✓ up to date`, "s"));
            const demo = await row.locator('td[data-env="demo"]').innerText();
            assert.match(demo, new RegExp(`^${stackFile("demo").get(c)}\\b.*→ ${latest} in PR ${s.prs.demo}`, "s"));
            assert.match(await row.locator('td[data-env="prod"]').innerText(), /merged, not deployed.*drift/s);
        }
        assert.match(
            await page.locator("#trains-table").innerText(),
            /prod\tdemo\tMon 2027-01-11 frozen 2026-12-20 to 2027-01-07: Year-end freeze/,
        );
    });

    it("links each PR and each 'behind' (GitHub's compare view) through the redirector, and the links lead there", async () => {
        const hrefs = await page.evaluate<string[]>(`[...document.querySelectorAll("a[href]")].map((a) => a.href)`);
        assert.ok(hrefs.length > 0);
        // PR and compare links go through the redirector; a milestone's link is the one GitHub's API gives
        // (the fake's is on github.com).
        const web = REDIRECTOR_ROOT.replace(/[.]/g, "\\.");
        for (const h of hrefs)
            assert.match(
                h,
                new RegExp(
                    `^(${REDIRECTOR}/\\d+|${web}/acme-saas/[\\w-]+/compare/[0-9a-f]{40}\\.\\.\\.[0-9a-f]{40}|https://github\\.com/acme-saas/[\\w-]+/milestone/\\d+)$`,
                ),
                h,
            );
        const prLinks = new Set(hrefs.filter((h) => h.startsWith(REDIRECTOR)));
        assert.deepEqual([...prLinks].sort(), [s.prs.staging, s.prs.demo, s.prs.prod, s.drift].map((n) => `${REDIRECTOR}/${n}`).sort());
        // Demo is behind staging by the open release: its compare view runs demo's commit to staging's.
        const billing = s.w.repos.get("billing")!;
        const compare = await page
            .locator('tr[data-component="billing"] td[data-env="demo"] a', { hasText: "behind" })
            .getAttribute("href");
        assert.ok(compare?.startsWith(`${REDIRECTOR_ROOT}/acme-saas/billing-service/compare/`), compare ?? "no link");
        const [from, to] = compare!.split("/compare/")[1].split("...");
        assert.ok(billing.git.commit(from) && billing.git.commit(to), "both ends are commits of the component's repository");

        const link = page.locator(`a[href="${REDIRECTOR}/${s.prs.demo}"]`).first();
        await Promise.all([page.waitForURL(`${REDIRECTOR}/${s.prs.demo}`), link.click()]);
        assert.equal(page.url(), `${REDIRECTOR}/${s.prs.demo}`);
        await page.goBack();
        assert.equal(page.url(), `file://${file}`);
    });

    it("shows how far this week's milestone is, as a bar and in words, under the trains", async () => {
        const section = page.locator("section#milestones");
        assert.equal(await section.locator("h2").textContent(), "Weekly milestones");
        const week = section.locator('section[data-week="2026-W52"]');
        assert.equal(await week.locator("progress").getAttribute("value"), "50");
        assert.equal(await week.locator(".percent").textContent(), "50%");
        const billing = await week.locator("tr", { hasText: "billing-service" }).locator("td").allTextContents();
        assert.deepEqual(billing, ["billing-service", "50%", "1", "1", "0", "0"]);
        assert.ok(await week.isVisible());
    });

    it("makes no request of its own: no script, stylesheet, font or image from anywhere", async () => {
        const fresh = await browser.newPage();
        const requested: string[] = [];
        await fresh.route("**/*", (route) => {
            requested.push(route.request().url());
            return route.request().url().startsWith("file://") ? route.continue() : route.abort();
        });
        await fresh.goto(`file://${file}`);
        await fresh.waitForLoadState("networkidle");
        assert.deepEqual(requested, [`file://${file}`]);
        assert.equal(await fresh.locator("script").count(), 0);
        await fresh.close();
    });

    it("reads on a phone: the page never scrolls sideways, the table scrolls in its box, the text keeps its size", async () => {
        const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true });
        await phone.goto(`file://${file}`);
        // Page functions as strings: the type-check knows Node, not the DOM.
        const widths = await phone.evaluate<{ page: number; viewport: number; font: number }>(`({
            page: document.documentElement.scrollWidth,
            viewport: window.innerWidth,
            font: parseFloat(getComputedStyle(document.querySelector("#matrix td")).fontSize),
        })`);
        assert.ok(widths.page <= widths.viewport, JSON.stringify(widths));
        assert.ok(widths.font >= 14, JSON.stringify(widths));
        await phone.close();
    });

    it("has text contrast of at least 4.5:1 everywhere, states included", async () => {
        const pairs = await page.evaluate<{ text: string; fg: number[]; bg: number[] }[]>(`(() => {
            const rgb = (c) => (c.match(/\\d+(\\.\\d+)?/g) ?? []).slice(0, 3).map(Number);
            const background = (el) => {
                for (let e = el; e; e = e.parentElement) {
                    const bg = getComputedStyle(e).backgroundColor;
                    if (bg && !/rgba\\(.*, 0\\)$/.test(bg) && bg !== "transparent") return rgb(bg);
                }
                return [255, 255, 255];
            };
            return [...document.querySelectorAll("h1, p, th, td, .state, a, li")].map((el) => ({
                text: (el.textContent ?? "").trim().slice(0, 30),
                fg: rgb(getComputedStyle(el).color),
                bg: background(el),
            }));
        })()`);
        assert.ok(pairs.length > 20);
        for (const p of pairs) assert.ok(contrast(p.fg, p.bg) >= 4.5, `${p.text}: ${contrast(p.fg, p.bg).toFixed(2)}:1`);
    });

    it("prints without backgrounds, with link addresses; and the screenshot for the README", async () => {
        await page.emulateMedia({ media: "print" });
        const after = await page.evaluate<string>(`getComputedStyle(document.querySelector("a[href]"), "::after").content`);
        assert.match(after, /^" <https?:\/\/\S+>"$/);
        await page.emulateMedia({ media: "screen" });
        fs.mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
        await page.screenshot({ path: SCREENSHOT, fullPage: true });
        const png = fs.readFileSync(SCREENSHOT);
        assert.equal(png.subarray(1, 4).toString(), "PNG");
        assert.deepEqual(outside, [`${REDIRECTOR}/${s.prs.demo}`], "the only request that left the page is the link clicked");
    });
});
