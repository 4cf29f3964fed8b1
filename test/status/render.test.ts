// The status renderers, pure: terminal text (80 columns, colour only on request and never alone), Markdown
// for the dashboard issue (stable, escaped), the HTML page (self-contained, a real table), and sections
// appended after the matrix in every format.
import * as assert from "node:assert/strict";
import { renderHtml } from "../../status/html";
import { renderMarkdown } from "../../status/markdown";
import { STATUS_SCHEMA, type Cell, type StatusMatrix } from "../../status/model";
import { escapeHtml, escapeMarkdown, type StatusSection } from "../../status/section";
import { cellText, renderText, visible } from "../../status/text";
import { matrix, offlineMatrix, REDIRECT } from "./status-input";

const ESC = String.fromCharCode(27);
const HOSTILE = `<img src=x onerror=alert(1)> @security-team fixes #12 [click](javascript:alert(1)) | *bold* \`code\`\nsecond line`;

/** 30 services with long names across 8 environments with long names, every state somewhere. */
function wideMatrix(): StatusMatrix {
    const envs = ["staging", "demo", "prod", "globex-staging", "globex-prod", "initech-staging", "initech-prod", "umbrella-staging"];
    const cell = (env: string, i: number, j: number): Cell => ({
        env,
        running: j === 7 && i % 5 === 0 ? null : 10_000 + i,
        source: 10_000 + i + (j % 3),
        behind: j % 3,
        compareUrl: j % 3 ? `https://github.com/acme/svc-${i}/compare/a...b` : null,
        pending: i % 4 === 0 ? { build: 10_100 + i, pr: 1000 + j, url: `${REDIRECT}/${1000 + j}` } : null,
        notDeployed: i % 7 === 0,
        drift: j === 2,
    });
    return {
        schema: STATUS_SCHEMA,
        generatedAt: "2026-12-02T09:00:00.000Z",
        offline: false,
        timeZone: "Europe/Paris",
        environments: envs.map((name, j) => ({
            name,
            source: j === 0 ? "ci" : envs[j - 1],
            days: ["monday"],
            nextTrain: { date: "2026-12-07", weekday: "monday" },
            frozen: j === 2 ? { from: "2026-12-20", to: "2027-01-07", reason: "Year-end freeze" } : null,
            lastDeploy: { pr: 900 + j, url: `${REDIRECT}/${900 + j}`, mergedAt: "2026-11-30T08:00:00Z" },
            releasePr: { number: 1000 + j, url: `${REDIRECT}/${1000 + j}` },
            notDeployed: j === 1 ? { number: 1200, url: `${REDIRECT}/1200` } : null,
            drift: j === 2 ? { number: 1300, url: `${REDIRECT}/1300` } : null,
        })),
        components: Array.from({ length: 30 }, (_, i) => ({
            name: `service-with-a-rather-long-name-${String(i).padStart(2, "0")}`,
            repo: `svc-${i}`,
            ci: 10_003 + i,
            ciNote: null,
            cells: envs.map((e, j) => cell(e, i, j)),
        })),
    };
}

const section = (id: string): StatusSection => ({
    id,
    title: `Section ${id}`,
    text: () => [`text of ${id}`],
    markdown: () => `markdown of ${id}`,
    html: () => `<p>html of ${id}</p>`,
    json: () => ({ id }),
});

describe("status renderers (pure)", function () {
    describe("terminal", function () {
        it("writes each cell as running build, builds behind, what the open PR brings, then the marks", () => {
            const base: Cell = {
                env: "x",
                running: 873,
                source: 877,
                behind: 4,
                compareUrl: null,
                pending: { build: 877, pr: 1, url: "" },
                notDeployed: true,
                drift: true,
            };
            assert.equal(cellText(base), "873-4>877!~");
            assert.equal(cellText({ ...base, behind: 0, pending: null, notDeployed: false, drift: false }), "873");
            assert.equal(cellText({ ...base, running: null, behind: 0, pending: null, notDeployed: false, drift: false }), "-");
        });

        it("never puts more than 80 columns on a line, however many environments and however long the names", () => {
            const text = renderText(wideMatrix());
            const long = text.split("\n").filter((l) => visible(l) > 80 && !/https:\/\//.test(l));
            assert.deepEqual(long, []);
            // Eight environments do not fit side by side: blocks, each with the component column.
            const headers = text.split("\n").filter((l) => l.startsWith("component "));
            assert.ok(headers.length >= 2, text);
            for (const env of ["staging", "initech-prod", "umbrella-"])
                assert.ok(
                    headers.some((h) => h.includes(env)),
                    env,
                );
            // Every component in every block, its name cut with an ellipsis.
            assert.equal(text.split("\n").filter((l) => l.startsWith("service-with-a-ra…")).length, 30 * headers.length);
        });

        it("fits a narrower terminal too", () => {
            const text = renderText(wideMatrix(), { columns: 50 });
            const matrixLines = text.split("\n").filter((l) => /^(component|service)/.test(l));
            assert.ok(matrixLines.every((l) => visible(l) <= 50));
        });

        it("prints the frozen environments and every link of the trains under the matrix", () => {
            const text = renderText(matrix());
            assert.match(text, /^staging {2}next train Thu 2026-12-03 · from ci · last deploy #38 merged 2026-11-30/m);
            assert.match(text, new RegExp(`! #41 merged, not deployed ${REDIRECT}/41`));
            assert.match(text, new RegExp(`release PR #42 ${REDIRECT}/42`));
            assert.match(text, new RegExp(`~ drift issue #40 ${REDIRECT}/40`));
            const frozen = renderText(matrix({ now: new Date("2026-12-15T12:00:00Z") }));
            assert.match(frozen, /^prod {5}next train Mon 2027-01-11\b/m);
            assert.match(frozen, /frozen 2026-12-20\.\.2027-01-07 \(Year-end freeze\)/);
        });

        it("colours only on request, and the text without colour says the same", () => {
            const plain = renderText(wideMatrix());
            const coloured = renderText(wideMatrix(), { color: true });
            assert.ok(!plain.includes(ESC));
            assert.ok(coloured.includes(`${ESC}[31m`) && coloured.includes(`${ESC}[33m`));
            assert.equal(
                coloured
                    .split(ESC)
                    .map((s, i) => (i === 0 ? s : s.replace(/^\[[0-9;]*m/, "")))
                    .join(""),
                plain,
            );
        });

        it("says so when offline", () => {
            assert.match(renderText(offlineMatrix()), /offline: stack files of this checkout only/);
            assert.doesNotMatch(renderText(offlineMatrix()), /last deploy/);
        });
    });

    describe("Markdown (the dashboard issue)", function () {
        it("is a table with a column per environment and a row per component, every state in words", () => {
            const md = renderMarkdown(matrix());
            assert.match(md, /^\| component \| latest green CI \| staging \| demo \| prod \|$/m);
            assert.match(
                md,
                new RegExp(
                    `^\\| billing \\| 877 \\| \\*\\*873\\*\\* · \\[4 behind\\]\\(https://go\\.acme-saas\\.example/acme-saas/billing-service/compare/a{40}\\.\\.\\.b{40}\\) · ⚠ merged, not deployed \\| \\*\\*866\\*\\* · 7 behind \\| \\*\\*860\\*\\* · 6 behind · ⚠ drift \\|$`,
                    "m",
                ),
            );
            assert.match(md, new RegExp(`\\*\\*2271\\*\\* · 19 behind · \\[→ 2290 in PR 42\\]\\(${REDIRECT}/42\\)`));
            assert.match(md, /^\| prod \| demo \| Mon 2026-12-07 \| none yet \| ⚠ \[drift issue 40\]/m);
        });

        it("renders the same state to the same text (no timestamp), so a rerun writes nothing", () => {
            const a = renderMarkdown(matrix());
            const b = renderMarkdown(matrix({ now: new Date("2026-12-02T09:30:00Z") }));
            assert.equal(a, b);
            assert.doesNotMatch(a, /2026-12-02T/);
        });

        it("escapes what config says, so a freeze reason cannot inject Markdown, HTML, mentions or references", () => {
            const m = matrix({ now: new Date("2026-12-15T12:00:00Z") });
            const hostile: StatusMatrix = {
                ...m,
                environments: m.environments.map((e) => (e.frozen ? { ...e, frozen: { ...e.frozen, reason: HOSTILE } } : e)),
            };
            const md = renderMarkdown(hostile);
            const reason = escapeMarkdown(HOSTILE);
            assert.ok(md.includes(reason));
            for (const raw of ["<img", "@security-team", "fixes #12", "[click]", "|", "*bold*", "`code`", "\nsecond"])
                assert.ok(!reason.includes(raw), `${raw} left raw`);
        });
    });

    describe("HTML page", function () {
        it("is a real table: a caption, a column header per environment, a row header per component", () => {
            const html = renderHtml(matrix());
            assert.match(html, /<table id="matrix">\n<caption>/);
            for (const env of ["staging", "demo", "prod"]) assert.ok(html.includes(`<th scope="col">${env}</th>`), env);
            for (const c of ["marketplace", "billing", "web", "erp-connector", "gateway", "notifications"])
                assert.ok(html.includes(`<th scope="row">${c}</th>`), c);
            assert.match(html, /<html lang="en">/);
            assert.match(html, /<meta name="viewport" content="width=device-width, initial-scale=1">/);
        });

        it("is self-contained: no script, no external stylesheet, image or font, and a policy that forbids them", () => {
            const html = renderHtml(wideMatrix());
            assert.doesNotMatch(html, /<script|<link|<img|<iframe|@import|url\(/i);
            assert.match(html, /default-src 'none'; style-src 'unsafe-inline'/);
            // The only addresses are link targets.
            const srcs = [...html.matchAll(/\s(src|srcset|action|formaction)=/gi)];
            assert.deepEqual(srcs, []);
        });

        it("says every state in words beside its colour, and prints link addresses", () => {
            const html = renderHtml(matrix());
            assert.match(
                html,
                /<span class="state behind"><a href="https:\/\/go\.acme-saas\.example\/acme-saas\/billing-service\/compare\/a{40}\.\.\.b{40}">4 behind<\/a><\/span>/,
            );
            assert.match(html, new RegExp(`<a href="${REDIRECT}/42">→ 2290 in PR 42</a>`));
            assert.match(html, /⚠ merged, not deployed/);
            assert.match(html, /⚠ drift/);
            assert.match(html, /@media print[\s\S]*a\[href\]::after/);
        });

        it("escapes what config says", () => {
            const m = matrix({ now: new Date("2026-12-15T12:00:00Z") });
            const hostile: StatusMatrix = {
                ...m,
                environments: m.environments.map((e) => (e.frozen ? { ...e, frozen: { ...e.frozen, reason: HOSTILE } } : e)),
            };
            const html = renderHtml(hostile);
            assert.ok(html.includes(escapeHtml(HOSTILE)));
            assert.doesNotMatch(html, /<img/);
        });

        it("drops a link whose address is not a web address rather than echo it", () => {
            const m = matrix();
            const bad: StatusMatrix = {
                ...m,
                environments: m.environments.map((e) =>
                    e.releasePr ? { ...e, releasePr: { ...e.releasePr, url: "javascript:alert(1)" } } : e,
                ),
            };
            const html = renderHtml(bad);
            assert.doesNotMatch(html, /javascript:/);
            assert.match(html, /release PR 42 open/);
            assert.doesNotMatch(renderMarkdown(bad), /javascript:/);
        });
    });

    it("appends sections after the matrix in every format, in order", () => {
        const sections = [section("one"), section("two")];
        const text = renderText(matrix(), {}, sections);
        assert.ok(text.indexOf("Section one\ntext of one") > text.indexOf("next train"));
        assert.ok(text.indexOf("text of two") > text.indexOf("text of one"));
        const md = renderMarkdown(matrix(), sections);
        assert.ok(md.indexOf("### Section one\n\nmarkdown of one") > md.indexOf("### Trains"));
        assert.ok(md.indexOf("markdown of two") > md.indexOf("markdown of one"));
        const html = renderHtml(matrix(), sections);
        assert.match(
            html,
            /<section id="one" aria-labelledby="one-title"><h2 id="one-title">Section one<\/h2><p>html of one<\/p><\/section>/,
        );
        assert.ok(html.indexOf("html of two") > html.indexOf("html of one"));
        assert.ok(html.indexOf("html of one") > html.indexOf('id="trains-table"'));
    });
});
