import * as assert from "node:assert/strict";
import { ConfigError, parseWorkspace, type SourceFile } from "../../config";
import { sentryEnvironmentOf, slackRoutes } from "../../config/notifications";
import { withFeedback } from "../feedback-world";
import { fixtureFiles, withValue } from "../workspace-fixture";

const ORG = "Pulumi.org.yaml";
const hook = (n: string) => ({ secure: `v1:placeholder:slack-${n}` });

function problems(files: readonly SourceFile[]): string[] {
    try {
        parseWorkspace(files);
    } catch (e) {
        assert.ok(e instanceof ConfigError, String(e));
        return [...e.problems];
    }
    assert.fail("accepted");
}

function refused(files: readonly SourceFile[], expected: string | RegExp): string[] {
    const lines = problems(files);
    assert.ok(
        lines.some((l) => (typeof expected === "string" ? l === expected : expected.test(l))),
        `expected ${String(expected)}, got:\n${lines.join("\n")}`,
    );
    return lines;
}

describe("config: conveyor:notifications and conveyor:sentry", () => {
    it("are optional: the frozen workspace has neither", () => {
        const ws = parseWorkspace(fixtureFiles());
        assert.equal(ws.org?.notifications, undefined);
        assert.equal(ws.org?.sentry, undefined);
    });

    it("read routes, projects and environments, with secrets kept as references", () => {
        const org = parseWorkspace(withFeedback()).org!;
        const slack = org.notifications!.slack;
        assert.deepEqual([...slack.webhooks.keys()], ["releases", "prod-releases", "billing"]);
        assert.deepEqual(slack.webhooks.get("billing"), {
            file: ORG,
            key: "conveyor:notifications",
            path: ["slack", "webhooks", "billing"],
        });
        assert.deepEqual(org.sentry, {
            organization: "acme-saas",
            url: "https://sentry.io",
            authToken: { file: ORG, key: "conveyor:sentry", path: ["authToken"] },
            projects: { billing: ["billing-api"], web: ["web-frontend", "web-ssr"] },
            environments: { staging: "staging", prod: "production" },
        });
        assert.ok(!JSON.stringify(org.sentry).includes("v1:placeholder"));
    });

    it("route an event to its environment's webhook (else the default) and to each changed component's", () => {
        const slack = parseWorkspace(withFeedback()).org!.notifications!.slack;
        assert.deepEqual(slackRoutes(slack, "prod", ["billing", "web"]), ["prod-releases", "billing"]);
        assert.deepEqual(slackRoutes(slack, "staging", ["web"]), ["releases"]);
        assert.deepEqual(slackRoutes({ ...slack, default: undefined }, "demo", ["web"]), []);
        assert.deepEqual(slackRoutes(undefined, "prod", ["billing"]), []);
        const sentry = parseWorkspace(withFeedback()).org!.sentry!;
        assert.equal(sentryEnvironmentOf(sentry, "prod"), "production");
        assert.equal(sentryEnvironmentOf(sentry, "demo"), undefined, "only the listed environments record deploys");
        assert.equal(sentryEnvironmentOf({ ...sentry, environments: undefined }, "demo"), "demo");
    });

    it("announce on a default alone, on environments alone, or on components alone", () => {
        const only = (slack: object) => parseWorkspace(withFeedback((set) => set(["conveyor:notifications", "slack"], slack))).org!;
        const webhooks = { releases: hook("r") };
        assert.equal(only({ webhooks, default: "releases" }).notifications!.slack.default, "releases");
        assert.deepEqual(only({ webhooks, environments: { prod: "releases" } }).notifications!.slack.environments, { prod: "releases" });
        assert.deepEqual(only({ webhooks, components: { billing: "releases" } }).notifications!.slack.components, { billing: "releases" });
    });

    it("announce an event once on a webhook that is both the environment's and a component's", () => {
        const slack = parseWorkspace(withFeedback()).org!.notifications!.slack;
        assert.deepEqual(slackRoutes({ ...slack, components: { billing: "releases", web: "releases" } }, "staging", ["billing", "web"]), [
            "releases",
        ]);
    });

    it("record each Sentry project of a component once, at an address without a trailing slash", () => {
        const sentry = parseWorkspace(
            withFeedback((set) => {
                set(["conveyor:sentry", "url"], "https://sentry.acme-saas.example//");
                set(["conveyor:sentry", "projects", "web"], ["web-frontend", "web-ssr", "web-frontend"]);
            }),
        ).org!.sentry!;
        assert.equal(sentry.url, "https://sentry.acme-saas.example");
        assert.deepEqual(sentry.projects.web, ["web-frontend", "web-ssr"]);
    });

    it("refuse a webhook URL written in plain text, without repeating it", () => {
        const url = "https://hooks.slack.com/services/T000/B000/XXXXsecretXXXX";
        for (const [where, value] of [
            [["conveyor:notifications", "slack", "webhooks", "releases"], url],
            [["conveyor:notifications", "slack", "webhooks"], url],
            [["conveyor:notifications", "slack"], url],
            [["conveyor:notifications"], url],
            [["conveyor:sentry", "authToken"], "sntrys_plaintextTokenXXXXsecretXXXX"],
        ] as const) {
            const lines = problems(withFeedback((set) => set([...where], value)));
            assert.ok(
                lines.some((l) => l.startsWith(`${ORG}: ${where.join(".")}: `)),
                lines.join("\n"),
            );
            for (const l of lines) assert.ok(!l.includes("secretXXXX"), `echoed a secret: ${l}`);
        }
        // A block above a secret, given a string: most likely the secret itself, pasted one level too high.
        refused(
            withFeedback((set) => set(["conveyor:notifications", "slack"], url)),
            "Pulumi.org.yaml: conveyor:notifications.slack: expected object; the value is not shown (it may hold a secret)",
        );
        refused(
            withFeedback((set) => set(["conveyor:sentry", "authToken"], "sntrys_x")),
            /^Pulumi\.org\.yaml: conveyor:sentry\.authToken: expected a secret \(\{secure: \.\.\.\}.*got a plain string$/,
        );
    });

    it("refuse a route to a webhook that is not declared, and a webhook nothing uses", () => {
        refused(
            withFeedback((set) => set(["conveyor:notifications", "slack", "environments", "prod"], "prod-alerts")),
            'Pulumi.org.yaml: conveyor:notifications.slack.environments.prod: webhook "prod-alerts" is not declared in conveyor:notifications.slack.webhooks (releases, prod-releases, billing)',
        );
        refused(
            withFeedback((set) => set(["conveyor:notifications", "slack", "components", "billing"], "billing-alerts")),
            /^Pulumi\.org\.yaml: conveyor:notifications\.slack\.components\.billing: webhook "billing-alerts" is not declared/,
        );
        refused(
            withFeedback((set) => set(["conveyor:notifications", "slack", "default"], "everything")),
            /^Pulumi\.org\.yaml: conveyor:notifications\.slack\.default: webhook "everything" is not declared/,
        );
        refused(
            withFeedback((set) => set(["conveyor:notifications", "slack", "components", "billing"], undefined)),
            "Pulumi.org.yaml: conveyor:notifications.slack.webhooks.billing: no environment or component uses this webhook",
        );
        refused(
            withFeedback((set) => set(["conveyor:notifications", "slack"], { webhooks: {} })),
            "Pulumi.org.yaml: conveyor:notifications.slack.webhooks: expected at least one webhook",
        );
        refused(
            withFeedback((set) => set(["conveyor:notifications", "slack"], { webhooks: { releases: hook("r") } })),
            "Pulumi.org.yaml: conveyor:notifications.slack: announces nothing: set default, environments or components",
        );
    });

    it("refuse components the catalog lacks, and environments without a stack file", () => {
        refused(
            withFeedback((set) => set(["conveyor:notifications", "slack", "components", "biling"], "billing")),
            'Pulumi.org.yaml: conveyor:notifications.slack.components.biling: component "biling" is not in the catalog (Pulumi.yaml)',
        );
        refused(
            withFeedback((set) => set(["conveyor:sentry", "projects", "payments"], "payments")),
            'Pulumi.org.yaml: conveyor:sentry.projects.payments: component "payments" is not in the catalog (Pulumi.yaml)',
        );
        refused(
            withFeedback((set) => set(["conveyor:sentry", "projects", "ops"], "ops")),
            'Pulumi.org.yaml: conveyor:sentry.projects.ops: component "ops" is never deployed (it has no port: a repository only)',
        );
        refused(
            withFeedback((set) => set(["conveyor:notifications", "slack", "environments", "qa"], "releases")),
            'Pulumi.org.yaml: conveyor:notifications.slack.environments.qa: environment "qa" has no stack file (environments: demo, prod, staging)',
        );
        refused(
            withFeedback((set) => set(["conveyor:sentry", "environments", "globex-prod"], "globex")),
            /^Pulumi\.org\.yaml: conveyor:sentry\.environments\.globex-prod: environment "globex-prod" has no stack file/,
        );
    });

    it("refuse a Sentry block with no project", () => {
        refused(
            withFeedback((set) => set(["conveyor:sentry", "projects"], {})),
            "Pulumi.org.yaml: conveyor:sentry.projects: expected at least one component",
        );
    });

    it("refuse malformed slugs, names, addresses and unknown keys", () => {
        refused(
            withFeedback((set) => set(["conveyor:sentry", "organization"], "Acme SaaS")),
            'Pulumi.org.yaml: conveyor:sentry.organization: expected a Sentry organisation slug (lower-case, digits, - or _), got "Acme SaaS"',
        );
        refused(
            withFeedback((set) => set(["conveyor:sentry", "projects", "billing"], "1234")),
            /conveyor:sentry\.projects\.billing: .*project slug/,
        );
        refused(
            withFeedback((set) => set(["conveyor:sentry", "projects", "web"], [])),
            /^Pulumi\.org\.yaml: conveyor:sentry\.projects\.web: /,
        );
        refused(
            withFeedback((set) => set(["conveyor:sentry", "url"], "http://sentry.internal")),
            'Pulumi.org.yaml: conveyor:sentry.url: expected an https:// URL, got "http://sentry.internal"',
        );
        refused(
            withFeedback((set) => set(["conveyor:sentry", "environments", "prod"], "prod/eu")),
            /^Pulumi\.org\.yaml: conveyor:sentry\.environments\.prod: expected a Sentry environment name/,
        );
        refused(
            withFeedback((set) => set(["conveyor:sentry", "org"], "acme")),
            'Pulumi.org.yaml: conveyor:sentry: unknown key "org"',
        );
        refused(
            withFeedback((set) => set(["conveyor:sentry", "organization"], undefined)),
            "Pulumi.org.yaml: conveyor:sentry.organization: expected string (required)",
        );
        refused(
            withValue(ORG, ["config", "conveyor:notifications", "email"], { to: "x" }),
            /^Pulumi\.org\.yaml: conveyor:notifications: unknown key "email"$/,
        );
    });
});

describe("config: Sentry slugs and Slack webhook names at their edges", () => {
    const withSlug = (slug: string) => withFeedback((set) => set(["conveyor:sentry", "projects", "billing"], slug));

    it("a Sentry slug: lower-case letters, digits, - and _, a letter or digit first, not all digits, whole", () => {
        for (const slug of ["billing-api", "1password", "b", "billing_api2"]) {
            assert.deepEqual(parseWorkspace(withSlug(slug)).org!.sentry!.projects.billing, [slug]);
        }
        for (const slug of ["-billing", "billing!", "Billing", "1234"]) {
            assert.deepEqual(problems(withSlug(slug)), [
                `Pulumi.org.yaml: conveyor:sentry.projects.billing: expected a Sentry project slug (lower-case, digits, - or _), got ${JSON.stringify(slug)}`,
            ]);
        }
    });

    it("a component's list of Sentry projects is judged slug by slug", () => {
        assert.deepEqual(problems(withFeedback((set) => set(["conveyor:sentry", "projects", "web"], ["web-frontend", "Web SSR"]))), [
            'Pulumi.org.yaml: conveyor:sentry.projects.web.1: expected a Sentry project slug (lower-case, digits, - or _), got "Web SSR"',
        ]);
    });

    it("a Slack webhook's name in kebab-case", () => {
        assert.deepEqual(
            problems(
                withFeedback((set) => set(["conveyor:notifications", "slack", "webhooks", "Team_Alerts"], { secure: "v1:placeholder:x" })),
            ),
            [
                'Pulumi.org.yaml: conveyor:notifications.slack.webhooks.Team_Alerts: expected a webhook name in kebab-case, got "Team_Alerts"',
            ],
        );
    });
});
