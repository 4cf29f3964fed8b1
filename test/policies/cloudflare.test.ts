// The Cloudflare policy (policies/cloudflare.ts): serving records are proxied; called directly, as in github.test.ts.
import * as assert from "node:assert/strict";
import { servingRecordsProxied } from "../../policies/cloudflare";
import { violationsOf, type ResourceSpec } from "../policy-harness";

const dns = (props: Record<string, unknown>): ResourceSpec => ({
    type: "cloudflare:index/dnsRecord:DnsRecord",
    name: "prod-web",
    props: { type: "CNAME", name: "web.app.acme-saas.example", content: "prod-1.elb.amazonaws.com", proxied: true, ...props },
});

/** A record as the policy server presents it in preview when its target comes from a resource not created yet. */
function inPreview(record: Record<string, unknown>): ResourceSpec {
    const props = new Proxy(record, {
        get: (t, p) => {
            if (p === "content") throw new Error("unknown during preview");
            return t[p as string];
        },
    });
    return { type: "cloudflare:index/dnsRecord:DnsRecord", name: "x", props };
}

describe("policies: cloudflare", () => {
    it("cloudflare-serving-records-proxied passes proxied records and unproxied validation records", async () => {
        assert.deepEqual(await violationsOf(servingRecordsProxied, dns({})), []);
        assert.deepEqual(await violationsOf(servingRecordsProxied, dns({ type: "AAAA", content: "100::" })), []);
        assert.deepEqual(
            await violationsOf(
                servingRecordsProxied,
                dns({ name: "_8afc828.app.acme-saas.example.", content: "_8afc828.acm-validations.aws.", proxied: false }),
            ),
            [],
        );
        assert.deepEqual(await violationsOf(servingRecordsProxied, dns({ type: "TXT", content: "v=spf1 -all", proxied: false })), []);
    });
    it("cloudflare-serving-records-proxied fails on an unproxied CNAME to a load balancer", async () => {
        assert.match((await violationsOf(servingRecordsProxied, dns({ proxied: false }))).join(), /web\.app\.acme-saas\.example .*proxied/);
    });
    it("cloudflare-serving-records-proxied fails on an unproxied A or AAAA record", async () => {
        assert.match(
            (await violationsOf(servingRecordsProxied, dns({ type: "A", content: "192.0.2.1", proxied: false }))).join(),
            /must be proxied/,
        );
        assert.match(
            (await violationsOf(servingRecordsProxied, dns({ type: "AAAA", content: "2001:db8::1", proxied: false }))).join(),
            /web\.app\.acme-saas\.example \(AAAA\) .*must be proxied/,
        );
    });
    it("cloudflare-serving-records-proxied takes only a leading underscore for a lookup: web_1 is served", async () => {
        assert.match(
            (
                await violationsOf(
                    servingRecordsProxied,
                    dns({ type: "A", name: "web_1.app.acme-saas.example", content: "192.0.2.1", proxied: false }),
                )
            ).join(),
            /web_1\.app\.acme-saas\.example \(A\) .*must be proxied/,
        );
    });
    it("cloudflare-serving-records-proxied treats an unknown CNAME target (preview) as serving", async () => {
        assert.equal(
            (await violationsOf(servingRecordsProxied, inPreview({ type: "CNAME", name: "web.x.example", proxied: false }))).length,
            1,
        );
    });
    it("cloudflare-serving-records-proxied passes an unproxied ACM validation CNAME whose target is not known yet (preview)", async () => {
        assert.deepEqual(
            await violationsOf(
                servingRecordsProxied,
                inPreview({ type: "CNAME", name: "_8afc828.app.acme-saas.example.", proxied: false }),
            ),
            [],
        );
    });
    it("cloudflare-serving-records-proxied passes an unproxied CNAME to a host that is not a load balancer", async () => {
        assert.deepEqual(
            await violationsOf(servingRecordsProxied, dns({ name: "docs.acme-saas.example", content: "acme.github.io", proxied: false })),
            [],
        );
    });
    it("cloudflare-serving-records-proxied passes an unproxied CAA record, which has data and no content", async () => {
        const caa = dns({
            type: "CAA",
            name: "acme-saas.example",
            content: undefined,
            data: { flags: 0, tag: "issue", value: "amazon.com" },
            proxied: false,
        });
        assert.deepEqual(await violationsOf(servingRecordsProxied, caa), []);
    });
    it("cloudflare-serving-records-proxied judges Cloudflare records only: a Route 53 A record has no proxy to ask for", async () => {
        const route53 = {
            type: "aws:route53/record:Record",
            name: "web",
            props: { type: "A", name: "web.app.acme-saas.example", zoneId: "Z123", records: ["192.0.2.1"] },
        };
        assert.deepEqual(await violationsOf(servingRecordsProxied, route53), []);
    });
});
