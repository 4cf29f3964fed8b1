// `conveyor new-env <client>`: the two stack files of a new client environment and its customer label,
// planned as pure text edits so that nothing is written unless every check passed.
import { parseDocument, Scalar, stringify, type YAMLMap, type YAMLSeq } from "yaml";
import { stackFileName, stackRole, WEEKDAYS, type EnvironmentConfig, type Weekday, type Workspace } from "../config";
import { InputError } from "../config/input-error";
import { CI_CONFIG, withStackJobs } from "./ci-config";
import { readVersions } from "../config/stackfile";

export class NewEnvError extends InputError {}

export interface NewEnvRequest {
    readonly client: string;
    readonly stagingDay?: string;
    readonly prodDay?: string;
    /** The client's production domain; staging is `staging.<domain>`. */
    readonly domain?: string;
}

export interface FileEdit {
    readonly name: string;
    /** The file's text now, undefined when it does not exist. */
    readonly before?: string;
    readonly after: string;
}

const WORKDAYS: readonly Weekday[] = ["monday", "tuesday", "wednesday", "thursday", "friday"];
const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
const YAML_OUT = { flowCollectionPadding: false, lineWidth: 0 } as const;

function day(value: string | undefined, flag: string): Weekday | undefined {
    if (value === undefined) return undefined;
    const d = value.toLowerCase();
    if (!(WEEKDAYS as readonly string[]).includes(d))
        throw new NewEnvError(`${flag}: expected a weekday (${WEEKDAYS.join(", ")}), got "${value}"`);
    return d as Weekday;
}

/** Weekdays of the client trains that exist, so a new client gets days of its own. */
function usedClientDays(envs: readonly EnvironmentConfig[], client: string): Set<Weekday> {
    return new Set(envs.filter((e) => e.role.tier === "client" && e.role.client !== client).flatMap((e) => e.release.days));
}

function pickDays(ws: Workspace, req: NewEnvRequest): { staging: Weekday; prod: Weekday } {
    const staging = day(req.stagingDay, "--staging-day");
    const prod = day(req.prodDay, "--prod-day");
    const free = WORKDAYS.filter((d) => !usedClientDays(ws.environments, req.client).has(d));
    const stagingDay = staging ?? free.find((d) => d !== prod);
    // Prod a day or more after staging when possible, so a client's build is tested before it ships.
    const prodDay =
        prod ??
        free.find((d) => d !== stagingDay && WORKDAYS.indexOf(d) > WORKDAYS.indexOf(stagingDay!)) ??
        free.find((d) => d !== stagingDay);
    if (!stagingDay || !prodDay)
        throw new NewEnvError("every weekday already has a client train: choose days with --staging-day and --prod-day");
    return { staging: stagingDay, prod: prodDay };
}

/** Two /16 blocks no other environment uses (the client's own stacks do not count, so a rerun agrees). */
function freeCidrs(ws: Workspace, client: string): [string, string] {
    const others = ws.environments.filter((e) => !(e.role.tier === "client" && e.role.client === client));
    const used = new Set(others.map((e) => e.network.cidr?.split(".")[1]).filter((x): x is string => x !== undefined));
    const free = [];
    for (let n = 100; n < 250 && free.length < 2; n += 10) if (!used.has(String(n))) free.push(`10.${n}.0.0/16`);
    if (free.length < 2) throw new NewEnvError("no free 10.x.0.0/16 blocks left for the client's VPCs");
    return [free[0], free[1]];
}

/**
 * A date written quoted. `pulumi stack init` and `pulumi config set` rewrite the stack file with a YAML 1.1
 * parser that reads a bare 2026-12-20 as a timestamp and writes it back as "2026-12-20 00:00:00 +0000 UTC".
 */
function quoted(value: string): Scalar<string> {
    const node = new Scalar(value);
    node.type = Scalar.QUOTE_DOUBLE;
    return node;
}

function stackText(header: string, config: Record<string, unknown>): string {
    return `${header}\n${stringify({ config }, YAML_OUT)}`;
}

/** Plans the files; throws NewEnvError (and writes nothing) on any bad input. */
export function planNewEnv(ws: Workspace, files: ReadonlyMap<string, string>, req: NewEnvRequest): FileEdit[] {
    const { client } = req;
    const role = stackRole(`${client}-prod`);
    if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(client) || !role || role === "org" || role.tier !== "client" || client.length > 40) {
        throw new NewEnvError(
            `"${client}" is not a client name: lower-case letters, digits and hyphens, starting with a letter (and not staging, demo or prod)`,
        );
    }
    const prod = ws.environments.find((e) => e.stack === "prod");
    const prodText = files.get(stackFileName("prod"));
    if (!prod || !prodText) throw new NewEnvError("Pulumi.prod.yaml: not found: a client's versions are copied from main prod");
    const org = ws.org;
    const orgText = files.get(stackFileName("org"));
    if (!org || !orgText) throw new NewEnvError("Pulumi.org.yaml: not found: the client's customer label is registered there");
    const apex = prod.domain.split(".").slice(1).join(".");
    const domain = req.domain ?? `${client}.${apex}`;
    if (!DOMAIN.test(domain))
        throw new NewEnvError(`--domain: expected a lower-case DNS domain like ${client}.example.com, got "${domain}"`);
    const days = pickDays(ws, req);
    const existingDays = ws.environments.find((e) => e.stack === `${client}-staging`)?.release.days;
    const cidrs = freeCidrs(ws, client);
    const environment = (tier: "staging" | "prod") => ({
        tier: "client",
        domain: tier === "prod" ? domain : `staging.${domain}`,
        dns: { zoneId: prod.dns.zoneId },
        network: { cidr: tier === "prod" ? cidrs[1] : cidrs[0] },
        release: {
            source: tier === "prod" ? `${client}-staging` : "prod",
            days: [tier === "prod" ? days.prod : days.staging],
            owners: [...prod.release.owners],
            ...(prod.release.freeze.length > 0
                ? { freeze: prod.release.freeze.map((f) => ({ ...f, from: quoted(f.from), to: quoted(f.to) })) }
                : {}),
        },
    });
    const versions = Object.fromEntries(readVersions(stackFileName("prod"), prodText));
    const stagingEnv = environment("staging");
    const prodEnv = environment("prod");
    const edits: FileEdit[] = [
        {
            name: stackFileName(`${client}-staging`),
            after: stackText(`# ${client}: staging, refreshed from prod every ${days.staging}. Created by conveyor new-env.`, {
                "aws:region": prod.region,
                "conveyor:environment": stagingEnv,
                "conveyor:versions": versions,
            }),
        },
        {
            name: stackFileName(`${client}-prod`),
            after: stackText(`# ${client}: production, promoted from ${client}-staging every ${days.prod}. Created by conveyor new-env.`, {
                "aws:region": prod.region,
                "conveyor:environment": prodEnv,
                "conveyor:versions": versions,
            }),
        },
        { name: stackFileName("org"), after: withCustomer(orgText, client) },
        // CircleCI binds contexts to jobs: the new stacks need their own preview, deploy and drift jobs.
        ...(files.has(CI_CONFIG)
            ? [{ name: CI_CONFIG, after: withStackJobs(files.get(CI_CONFIG)!, [`${client}-staging`, `${client}-prod`]) }]
            : []),
    ].map((e) => ({ ...e, before: files.get(e.name) }));
    for (const e of edits.filter((x) => x.name !== stackFileName("org") && x.name !== CI_CONFIG)) {
        // A client that exists already: the same command again is a no-op, anything else is refused.
        if (e.before !== undefined && e.before !== e.after) {
            throw new NewEnvError(
                `${e.name}: client "${client}" exists already${existingDays ? ` (staging on ${existingDays.join(", ")})` : ""}; edit its stack files instead`,
            );
        }
    }
    return edits.filter((e) => e.before !== e.after);
}

/** Pulumi.org.yaml with customer/<client> added to the label taxonomy, every other byte kept. */
export function withCustomer(text: string, client: string): string {
    const doc = parseDocument(text);
    const labels = doc.getIn(["config", "conveyor:labels"], true) as YAMLMap | undefined;
    if (!labels) throw new NewEnvError("Pulumi.org.yaml: conveyor:labels: missing; add it with a customers list first");
    const customers = labels.get("customers", true) as YAMLSeq | undefined;
    const names = (customers?.toJSON() as { name: string }[] | undefined)?.map((c) => c.name) ?? [];
    if (names.includes(client)) return text;
    const entry = { name: client, description: `Customer ${client}` };
    if (customers) customers.add(doc.createNode(entry));
    else labels.set("customers", doc.createNode([entry]));
    const out = doc.toString(YAML_OUT);
    // The edit must only add lines; a reformatted file would hide the change in a noisy diff.
    const before = text.split("\n");
    let i = 0;
    for (const line of out.split("\n")) if (line === before[i]) i++;
    if (i !== before.length)
        throw new NewEnvError(
            "Pulumi.org.yaml: cannot add the customer label without reformatting the file; add it under conveyor:labels.customers by hand",
        );
    return out;
}
