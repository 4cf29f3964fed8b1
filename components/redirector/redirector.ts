import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

export interface IssueLinkRedirectorArgs {
    /** The Cloudflare zone the redirector's hostname belongs to. */
    readonly zoneId: pulumi.Input<string>;
    /** The redirector's hostname, e.g. go.acme-saas.example. */
    readonly domain: string;
    /** Where issues live: https://github.com, or a GitHub Enterprise Server's web address. */
    readonly webUrl?: string;
}

/** The IPv6 discard prefix (RFC 6666): an origin address that is never connected to. */
const DISCARD_ADDRESS = "100::";

/**
 * 302, not 301: browsers cache a 301 with no expiry, so every link already clicked would keep going to
 * GitHub even after the redirector is pointed elsewhere (an issue tracker move, a GitHub Enterprise
 * migration), which is the reason to link through a redirector at all. The extra round trip is nothing for
 * a link clicked from a release note.
 */
export const REDIRECT_STATUS = 302;

/** What the redirector answers: `/<owner>/<repo>/<kind>/<one segment>`, sent to the same path on GitHub. */
export type LinkKind = "issues" | "compare";

/**
 * The rule that sends `/<owner>/<repo>/<kind>/<x>` to the same page on GitHub: an issue (`issues/<n>`) or a
 * compare view (`compare/<sha>...<sha>`). Wildcard matching (every plan) rather than regular expressions
 * (`matches` needs a Business plan). A `*` also matches `/`, so the two `not` clauses keep the rule to
 * exactly four path segments: deeper paths get no redirect.
 */
export function redirectRule(domain: string, kind: LinkKind, webUrl = "https://github.com"): { expression: string; target: string } {
    if (!/^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(domain)) {
        throw new Error(`redirector domain: expected a lower-case DNS name like go.example.com, got ${JSON.stringify(domain)}`);
    }
    if (!/^https:\/\/[a-z0-9.-]+(:\d+)?$/.test(webUrl))
        throw new Error(`redirector webUrl: expected https://<host> with no path, got ${JSON.stringify(webUrl)}`);
    const pattern = `/*/*/${kind}/*`;
    const expression = [
        `http.host eq "${domain}"`,
        `http.request.uri.path wildcard "${pattern}"`,
        `not http.request.uri.path wildcard "/*/*/*/${kind}/*"`,
        `not http.request.uri.path wildcard "/*/*/${kind}/*/*"`,
    ].join(" and ");
    // `${1}` is Cloudflare's capture reference, not a template literal: hence plain string concatenation.
    const target = 'wildcard_replace(http.request.uri.path, "' + pattern + '", "' + webUrl + "/${1}/${2}/" + kind + '/${3}")';
    return { expression: `(${expression})`, target };
}

/** The issue-link rule: `/<owner>/<repo>/issues/<n>` to the issue. */
export const issueRedirectRule = (domain: string, webUrl?: string) => redirectRule(domain, "issues", webUrl);

/**
 * Short issue links: `https://<domain>/<owner>/<repo>/issues/<n>` answers with a redirect to the GitHub issue,
 * and `https://<domain>/<owner>/<repo>/compare/<range>` with one to the compare view (the status page's
 * "behind" links), from Cloudflare's edge, with no server behind it.
 */
export class IssueLinkRedirector extends pulumi.ComponentResource {
    /** `https://<domain>`: prefix of every issue link. */
    public readonly baseUrl: string;

    constructor(name: string, args: IssueLinkRedirectorArgs, opts?: pulumi.ComponentResourceOptions) {
        super("conveyor:redirector:IssueLinkRedirector", name, {}, opts);
        const parent = { parent: this };

        // Cloudflare's way to serve a hostname that only redirects: a proxied record to the IPv6 discard
        // prefix. Proxied, requests reach the redirect rule at the edge; the address is never connected to.
        new cloudflare.DnsRecord(
            name,
            {
                zoneId: args.zoneId,
                name: args.domain,
                type: "AAAA",
                content: DISCARD_ADDRESS,
                proxied: true,
                ttl: 1, // "automatic", the only TTL a proxied record takes
                comment: "conveyor issue-link redirector: redirect rule only, no origin",
            },
            parent,
        );

        // A zone has one ruleset per phase: this one owns every dynamic redirect rule of the zone.
        new cloudflare.Ruleset(
            name,
            {
                zoneId: args.zoneId,
                kind: "zone",
                phase: "http_request_dynamic_redirect",
                name: "conveyor redirects",
                description: "Managed by conveyor (Pulumi): issue and compare links",
                rules: (["issues", "compare"] as const).map((kind) => {
                    const rule = redirectRule(args.domain, kind, args.webUrl);
                    return {
                        ref: kind === "issues" ? "conveyor_issue_links" : "conveyor_compare_links",
                        description: `${args.domain}/<owner>/<repo>/${kind}/<${kind === "issues" ? "n" : "range"}> to GitHub`,
                        expression: rule.expression,
                        action: "redirect",
                        actionParameters: {
                            fromValue: {
                                statusCode: REDIRECT_STATUS,
                                // A page has one address; a query string would only carry tracking noise.
                                preserveQueryString: false,
                                targetUrl: { expression: rule.target },
                            },
                        },
                        enabled: true,
                    };
                }),
            },
            parent,
        );

        this.baseUrl = `https://${args.domain}`;
        this.registerOutputs({ baseUrl: this.baseUrl });
    }
}
