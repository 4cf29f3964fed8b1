// The field types every config file shares, at their edges: what a user may write, what is refused, and the
// message that says why. The config files' own tests show each field in place; these pin the bounds.
import * as assert from "node:assert/strict";
import type { z } from "zod";
import {
    buildNumber,
    clock,
    domain,
    email,
    ghLogin,
    httpsUrl,
    isoDate,
    name,
    repoName,
    secure,
    timezone,
    topic,
    urlPath,
    weekday,
} from "../../config/fields";
import { echo } from "../../config/yaml";

const letters = (n: number) => "a".repeat(n);

/** The one message a refused value gets, or "ok". */
function verdict(schema: z.ZodType, value: unknown): string {
    const r = schema.safeParse(value);
    return r.success ? "ok" : r.error.issues.map((i) => i.message).join("; ");
}

function judge(schema: z.ZodType, expected: string, accepted: readonly unknown[], refused: readonly unknown[]): void {
    for (const v of accepted) assert.equal(verdict(schema, v), "ok", `${JSON.stringify(v)} should be accepted`);
    for (const v of refused) assert.equal(verdict(schema, v), `${expected}, got ${echo(v)}`, JSON.stringify(v));
}

describe("config: the shared field types", () => {
    it("a DNS domain: lower-case labels of 1 to 63 characters, no hyphen at either end, a letters-only TLD, 253 in all", () => {
        const label63 = `a${"b".repeat(61)}c`;
        const long = `${[label63, label63, label63].join(".")}.${letters(58)}.io`; // 253 characters
        const tooLong = `${[label63, label63, label63].join(".")}.${letters(59)}.io`;
        assert.deepEqual([long.length, tooLong.length], [253, 254]);
        judge(
            domain,
            "expected a lower-case DNS domain like app.example.com",
            ["app.example.com", "a.io", "a-b.example.com", "x1.example.com", `${label63}.com`, `example.${letters(63)}`, long],
            [
                "example",
                "App.example.com",
                "-app.example.com",
                "app-.example.com",
                "a..example.com",
                ".example.com",
                "example.c",
                "example.c0m",
                `${label63}d.com`,
                `example.${letters(64)}`,
                tooLong,
                "app.example.com.",
                " app.example.com",
                "app.example.com/x",
            ],
        );
    });

    it("a kebab-case name: a lower-case letter first, at least two characters, no hyphen or underscore at the end", () => {
        judge(
            name("component name"),
            "expected a component name in kebab-case",
            ["billing", "ab", "billing-api", "api2", "a-2"],
            ["b", "Billing", "1billing", "-billing", "billing-", "bill_ing", "billing api", "", "billing\n"],
        );
    });

    it("a kebab-case name's message reads in English before a vowel", () => {
        assert.equal(verdict(name("image name"), "Web"), 'expected an image name in kebab-case, got "Web"');
        assert.equal(verdict(name("registry name"), "Npm"), 'expected a registry name in kebab-case, got "Npm"');
    });

    it("a GitHub repository name: 1 to 100 of letters, digits, dot, underscore, hyphen", () => {
        judge(
            repoName,
            "expected a GitHub repository name",
            ["ops", "A", "my.repo_x-1", letters(100)],
            ["", letters(101), "my repo", "org/repo", "répo"],
        );
    });

    it("a GitHub login: a letter or digit first, at most 39 characters of letters, digits and hyphens", () => {
        judge(
            ghLogin,
            "expected a GitHub login",
            ["octocat", "a", "0cool", "mona-lisa", letters(39)],
            ["", "-mona", "mona_lisa", "mona lisa", letters(40), "dependabot[bot]"],
        );
    });

    it("a GitHub topic: lower-case letters, digits and hyphens, a letter or digit first, at most 50", () => {
        judge(
            topic,
            "expected a GitHub topic (lower-case letters, digits, hyphens; at most 50)",
            ["a", "9", "multi-cloud", letters(50)],
            ["", "-cloud", "Cloud", "multi_cloud", letters(51)],
        );
    });

    it("a date: YYYY-MM-DD of a real calendar day, a malformed one told once", () => {
        judge(
            isoDate,
            "expected a date YYYY-MM-DD",
            ["2026-12-04", "2028-02-29"],
            ["2026-12-4", "26-12-04", "x2026-12-04", "2026-12-04x", "2026/12/04"],
        );
        judge(isoDate, "expected a real calendar date", [], ["2026-02-29", "2026-13-01", "2026-04-31"]);
    });

    it("a time of day: HH:MM on a 24-hour clock", () => {
        judge(
            clock,
            "expected a time HH:MM (24h)",
            ["00:00", "09:30", "19:59", "23:59"],
            ["24:00", "23:60", "9:30", "09:3", "09:30x", "x09:30", "29:00", "09-30"],
        );
    });

    it("a URL path: a slash first, then printable ASCII without spaces", () => {
        judge(urlPath, "expected a URL path starting with /", ["/", "/hooks/deploy?x=1", "/~"], ["hooks", "", "/a b", "/é", " /a"]);
    });

    it("a weekday, an IANA time zone, an e-mail address, an https URL", () => {
        judge(
            weekday,
            "expected a weekday (monday, tuesday, wednesday, thursday, friday, saturday, sunday)",
            ["monday", "sunday"],
            ["Monday", "mon", ""],
        );
        judge(timezone, "expected an IANA time zone like Europe/Paris", ["Europe/Paris", "UTC"], ["Mars/Olympus", "Europe/"]);
        judge(email, "expected an e-mail address", ["ops@example.com"], ["ops", "ops@", "@example.com"]);
        judge(
            httpsUrl,
            "expected an https:// URL",
            ["https://hooks.example.com/x"],
            ["http://hooks.example.com/x", "hooks.example.com", "xhttps://hooks.example.com/x", "httpsx://hooks.example.com/x"],
        );
    });

    it("a build number: a positive whole number, and the message says what it got", () => {
        assert.equal(verdict(buildNumber, 873), "ok");
        for (const v of [0, -1, 1.5, "873"]) assert.match(verdict(buildNumber, v), /, got /);
    });

    it("a secret: {secure: ...} with a value and nothing else, and the message never repeats what was written", () => {
        const expected = "expected a secret ({secure: ...}, set with `pulumi config set --secret`)";
        assert.equal(verdict(secure, { secure: "v1:AAAA" }), "ok");
        assert.equal(verdict(secure, "hunter2"), `${expected}, got a plain string`);
        assert.equal(verdict(secure, { secure: "" }).includes("hunter2"), false);
        assert.notEqual(verdict(secure, { secure: "" }), "ok");
        assert.notEqual(verdict(secure, { secure: "v1:AAAA", plain: "hunter2" }), "ok");
        assert.equal(verdict(secure, { secure: "v1:AAAA", plain: "hunter2" }).includes("hunter2"), false);
    });
});
