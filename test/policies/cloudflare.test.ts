// The Cloudflare policy (policies/cloudflare.ts): serving records are proxied; called directly, as in github.test.ts.
import * as assert from "node:assert/strict";
import { servingRecordsProxied } from "../../policies/cloudflare";
import { violationsOf, type ResourceSpec } from "../policy-harness";

const dns = (props: Record<string, unknown>): ResourceSpec => ({
    type: "cloudflare:index/dnsRecord:DnsRecord",
    name: "prod-web",
    props: { type: "CNAME", name: "web.app.acme-saas.example", content: "prod-1.elb.amazonaws.com", proxied: true, ...props },
});

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
    it("cloudflare-serving-records-proxied fails on an unproxied A record", async () => {
        assert.match(
            (await violationsOf(servingRecordsProxied, dns({ type: "A", content: "192.0.2.1", proxied: false }))).join(),
            /must be proxied/,
        );
    });
    it("cloudflare-serving-records-proxied treats an unknown CNAME target (preview) as serving", async () => {
        const record: Record<string, unknown> = { type: "CNAME", name: "web.x.example", proxied: false };
        const props = new Proxy(record, {
            get: (t, p) => {
                if (p === "content") throw new Error("unknown during preview");
                return t[p as string];
            },
        });
        assert.equal(
            (await violationsOf(servingRecordsProxied, { type: "cloudflare:index/dnsRecord:DnsRecord", name: "x", props })).length,
            1,
        );
    });
});
