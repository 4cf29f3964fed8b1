// Stand-in for pulumi-cloudflare: DNS records and rulesets keep their inputs; getIpRanges answers with
// Cloudflare's published edge ranges (https://www.cloudflare.com/ips/), the data the load balancers allow.
import { serve, type ResourceRule } from "./stand-in";

const IPV4 = [
    "173.245.48.0/20",
    "103.21.244.0/22",
    "103.22.200.0/22",
    "103.31.4.0/22",
    "141.101.64.0/18",
    "108.162.192.0/18",
    "190.93.240.0/20",
    "188.114.96.0/20",
    "197.234.240.0/22",
    "198.41.128.0/17",
    "162.158.0.0/15",
    "104.16.0.0/13",
    "104.24.0.0/14",
    "172.64.0.0/13",
    "131.0.72.0/22",
];
const IPV6 = ["2400:cb00::/32", "2606:4700::/32", "2803:f800::/32", "2405:b500::/32", "2405:8100::/32", "2a06:98c0::/29", "2c0f:f248::/32"];

export const resources: Record<string, ResourceRule> = {
    "cloudflare:index/dnsRecord:DnsRecord": {
        id: (c) => c.seed.slice(0, 32),
        replaceOn: ["zoneId"],
        outputs: () => ({ createdOn: "2026-01-01T00:00:00Z", proxiable: true }),
    },
    "cloudflare:index/ruleset:Ruleset": { id: (c) => c.seed.slice(0, 32), replaceOn: ["zoneId", "accountId", "kind", "phase"] },
};

export const invokes = {
    "cloudflare:index/getIpRanges:getIpRanges": () => ({
        ipv4Cidrs: IPV4,
        ipv6Cidrs: IPV6,
        cidrs: [...IPV4, ...IPV6],
        jdcloudCidrs: [],
        etag: "stand-in",
    }),
};

if (require.main === module) serve({ pkg: "cloudflare", resources, invokes });
