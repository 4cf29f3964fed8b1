// The issue-link redirector on Pulumi mocks: the DNS record and the Cloudflare redirect rule it creates, and
// what that rule does to sample URLs by Cloudflare's documented matching rules.
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { IssueLinkRedirector, issueRedirectRule, REDIRECT_STATUS, redirectRule } from "../../../components/redirector/redirector";
import { onMocks, T, type Recorded } from "../on-mocks";

const ZONE_ID = "0123456789abcdef0123456789abcdef";

/**
 * Cloudflare's documented wildcard semantics: the whole value must match; `*` matches any run of characters,
 * `/` included, as few as possible; case-insensitive unless strict. Used to check the rule we write does what
 * we mean on sample URLs (it checks our reading of the documentation, not Cloudflare itself).
 */
function wildcardRegExp(pattern: string): RegExp {
    const body = pattern
        .split("*")
        .map((part) => part.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&"))
        .join("(.*?)");
    return new RegExp(`^${body}$`, "i");
}

/** Evaluates the `and`-joined clauses our rule uses (`field eq "v"`, `[not] field wildcard "p"`) on one request. */
function ruleMatches(expression: string, request: { host: string; path: string }): boolean {
    const inner = expression.replace(/^\((.*)\)$/, "$1");
    return inner.split(" and ").every((clause) => {
        const m = /^(not )?(http\.host|http\.request\.uri\.path) (eq|wildcard) "([^"]*)"$/.exec(clause);
        assert.ok(m, `unexpected clause: ${clause}`);
        const value = m[2] === "http.host" ? request.host : request.path;
        const hit = m[3] === "eq" ? value === m[4] : wildcardRegExp(m[4]).test(value);
        return m[1] ? !hit : hit;
    });
}

/** Evaluates `wildcard_replace(http.request.uri.path, "pattern", "replacement")` on a path. */
function redirectTarget(target: string, path_: string): string {
    const m = /^wildcard_replace\(http\.request\.uri\.path, "([^"]*)", "([^"]*)"\)$/.exec(target);
    assert.ok(m, `unexpected target: ${target}`);
    const groups = wildcardRegExp(m[1]).exec(path_);
    if (!groups) return path_;
    return m[2].replace(/\$\{(\d)\}/g, (_, n: string) => groups[Number(n)]);
}

describe("issue-link redirector (Cloudflare)", function () {
    this.timeout(60_000);
    let resources: Recorded[];
    before(async () => {
        resources = (
            await onMocks(() => ({
                url: pulumi.output(new IssueLinkRedirector("issue-links", { zoneId: ZONE_ID, domain: "go.acme-saas.example" }).baseUrl),
            }))
        ).resources;
    });

    it("answers on a proxied AAAA record to the discard prefix, no origin behind it", () => {
        const records = resources.filter((r) => r.type === T.dns);
        assert.equal(records.length, 1);
        const { inputs, parent, name } = records[0];
        assert.deepEqual(
            [inputs.zoneId, inputs.name, inputs.type, inputs.content, inputs.proxied, inputs.ttl],
            [ZONE_ID, "go.acme-saas.example", "AAAA", "100::", true, 1],
        );
        assert.equal(parent, "conveyor:redirector:IssueLinkRedirector::issue-links");
        assert.equal(name, "issue-links");
    });

    it("redirects /<owner>/<repo>/issues/<n> to the GitHub issue with a dynamic redirect rule", () => {
        const rulesets = resources.filter((r) => r.type === T.ruleset);
        assert.equal(rulesets.length, 1);
        const rs = rulesets[0].inputs;
        assert.deepEqual([rs.zoneId, rs.kind, rs.phase], [ZONE_ID, "zone", "http_request_dynamic_redirect"]);
        assert.deepEqual(
            rs.rules.map((r: { ref: string }) => r.ref),
            ["conveyor_issue_links", "conveyor_compare_links"],
        );
        const [rule, compare] = rs.rules;
        assert.equal(rule.action, "redirect");
        assert.equal(rule.enabled, true);
        assert.equal(
            rule.expression,
            '(http.host eq "go.acme-saas.example" and http.request.uri.path wildcard "/*/*/issues/*" and not http.request.uri.path wildcard "/*/*/*/issues/*" and not http.request.uri.path wildcard "/*/*/issues/*/*")',
        );
        assert.deepEqual(rule.actionParameters.fromValue, {
            statusCode: 302,
            preserveQueryString: false,
            targetUrl: {
                expression: 'wildcard_replace(http.request.uri.path, "/*/*/issues/*", "https://github.com/${1}/${2}/issues/${3}")',
            },
        });
        assert.equal(REDIRECT_STATUS, 302);
        assert.deepEqual(compare.actionParameters.fromValue, {
            statusCode: 302,
            preserveQueryString: false,
            targetUrl: {
                expression: 'wildcard_replace(http.request.uri.path, "/*/*/compare/*", "https://github.com/${1}/${2}/compare/${3}")',
            },
        });
    });

    it("sends compare links, and only compare links, to GitHub's compare view", () => {
        const { expression, target } = redirectRule("go.acme-saas.example", "compare");
        const go = (p: string) =>
            ruleMatches(expression, { host: "go.acme-saas.example", path: p }) ? redirectTarget(target, p) : undefined;
        const range = `${"a".repeat(40)}...${"b".repeat(40)}`;
        assert.equal(go(`/acme-saas/billing-service/compare/${range}`), `https://github.com/acme-saas/billing-service/compare/${range}`);
        assert.equal(go(`/acme-saas/billing-service/compare/${range}/files`), undefined);
        assert.equal(go(`/acme-saas/team/billing-service/compare/${range}`), undefined, "one segment too many");
        assert.equal(go("/acme-saas/billing-service/issues/7"), undefined, "the issue rule's path, not this one's");
        assert.equal(
            redirectRule("go.acme-saas.example", "compare", "https://github.acme.example").target,
            'wildcard_replace(http.request.uri.path, "/*/*/compare/*", "https://github.acme.example/${1}/${2}/compare/${3}")',
        );
    });

    it("sends issue links, and only issue links, to the issue (by the documented matching rules)", () => {
        const { expression, target } = issueRedirectRule("go.acme-saas.example");
        const go = (host: string, p: string) => (ruleMatches(expression, { host, path: p }) ? redirectTarget(target, p) : undefined);
        assert.equal(go("go.acme-saas.example", "/acme-saas/ops/issues/42"), "https://github.com/acme-saas/ops/issues/42");
        assert.equal(
            go("go.acme-saas.example", "/acme-saas/billing-service/issues/7"),
            "https://github.com/acme-saas/billing-service/issues/7",
        );
        assert.equal(
            go("go.acme-saas.example", "/Acme-SaaS/Ops/Issues/42"),
            "https://github.com/Acme-SaaS/Ops/issues/42",
            "GitHub names are case-insensitive",
        );
        assert.equal(go("go.acme-saas.example", "/acme-saas/ops/pull/42"), undefined);
        assert.equal(go("go.acme-saas.example", "/acme-saas/team/ops/issues/42"), undefined, "one segment too many");
        assert.equal(go("go.acme-saas.example", "/acme-saas/ops/issues/42/timeline"), undefined);
        assert.equal(go("app.acme-saas.example", "/acme-saas/ops/issues/42"), undefined, "other hosts of the zone are untouched");
    });

    it("points at a GitHub Enterprise host when told, and refuses a domain that could break the expression", () => {
        assert.match(
            issueRedirectRule("go.acme-saas.example", "https://github.acme.example").target,
            /"https:\/\/github\.acme\.example\/\$\{1\}\/\$\{2\}\/issues\/\$\{3\}"/,
        );
        assert.throws(() => issueRedirectRule('go.example" or true or "'), /expected a lower-case DNS name/);
        assert.throws(() => issueRedirectRule("go.acme-saas.example", "https://github.com/evil"), /expected https:\/\/<host> with no path/);
    });
});
