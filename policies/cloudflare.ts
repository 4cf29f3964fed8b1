// Cloudflare guard rails: traffic to a component goes through Cloudflare's proxy (WAF, TLS, and the load
// balancer only admits Cloudflare's ranges), never straight to the origin.
import type { ResourceValidationPolicy } from "@pulumi/policy";

const DNS_RECORD = "cloudflare:index/dnsRecord:DnsRecord";

/** An AWS load balancer's DNS name (the mocks use `.example` in place of `.com`). */
const LOAD_BALANCER_HOST = /\.elb\.amazonaws\.[a-z.]+\.?$/i;

/**
 * Whether a record serves traffic and must therefore be proxied:
 * - records whose name has an underscore label (`_acme.…`, ACM validation, DKIM) are lookups, never served,
 *   and proxying would break them;
 * - A/AAAA records serve by definition;
 * - a CNAME serves when it points at a load balancer, or when its target is not known yet (a load
 *   balancer created in the same update), because that is the only way this program leaves it unknown.
 */
export function recordServes(type: unknown, name: unknown, readContent: () => unknown): boolean {
    if (typeof name === "string" && name.split(".").some((label) => label.startsWith("_"))) return false;
    if (type === "A" || type === "AAAA") return true;
    if (type !== "CNAME") return false;
    let content: unknown;
    try {
        content = readContent();
    } catch {
        // @pulumi/policy throws on reading an unknown value during preview.
        return true;
    }
    return typeof content !== "string" || LOAD_BALANCER_HOST.test(content);
}

export const servingRecordsProxied: ResourceValidationPolicy = {
    name: "cloudflare-serving-records-proxied",
    description: "Cloudflare A/AAAA records and CNAMEs to a load balancer are proxied.",
    enforcementLevel: "mandatory",
    validateResource: (args, reportViolation) => {
        if (args.type !== DNS_RECORD) return;
        const p = args.props;
        if (recordServes(p.type, p.name, () => p.content) && p.proxied !== true) {
            reportViolation(`DNS record ${String(p.name)} (${String(p.type)}) serves a component and must be proxied`);
        }
    },
};

export const cloudflarePolicies = [servingRecordsProxied];
