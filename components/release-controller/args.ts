// The release controller's arguments and their check, made before the component declares any child: a bad
// value names the argument and the reason.
import type * as pulumi from "@pulumi/pulumi";
import type { Weekday } from "../../config";
import { RELEASE_CONTROLLER_ENV } from "./env";

export interface ReleaseControllerArgs {
    /** The TypeScript module exporting the webhook intake's `handler` (controller/intake.ts); bundled by esbuild while the program runs. */
    readonly intakeEntry: string;
    /** The module exporting the worker's `handler` (controller/worker.ts). */
    readonly workerEntry: string;
    /** When the release train runs: at `hour`:00 local time in `timezone` (IANA), on `days` (default Monday to Friday). */
    readonly schedule: { readonly timezone: string; readonly hour: number; readonly days?: readonly Weekday[] };
    /** Release owners' e-mail addresses: each is subscribed to the alarms and failed-deploy notices. */
    readonly owners: readonly string[];
    /** The GitHub token the worker opens release PRs with. Stored in Secrets Manager, never in a function. */
    readonly githubToken: pulumi.Input<string>;
    /** The CircleCI token the worker reads pipelines with. */
    readonly circleciToken: pulumi.Input<string>;
    /** The secret GitHub signs `issue_comment` webhooks with (X-Hub-Signature-256); the intake checks it. */
    readonly githubWebhookSecret: pulumi.Input<string>;
    /** The secret CircleCI signs `workflow-completed` webhooks with (circleci-signature). */
    readonly circleciWebhookSecret: pulumi.Input<string>;
    /** Slack incoming webhooks the worker announces on, as one JSON object of name -> URL; none: no Slack. */
    readonly slackWebhooks?: pulumi.Input<string>;
    /** The Sentry auth token the worker makes releases and deploys with; none: no Sentry. */
    readonly sentryAuthToken?: pulumi.Input<string>;
    /** The ops repository (this repository): where release PRs are opened and stack files are read. */
    readonly opsRepository: { readonly owner: string; readonly repo: string };
    /**
     * Other plain environment variables of both functions: GITHUB_API_URL, CIRCLECI_API_URL, DEPLOY_WORKFLOWS,
     * COMMAND_BOTS. Visible in the functions' configuration, so anything named like a secret is refused here.
     */
    readonly environment?: Readonly<Record<string, string>>;
    /** The worker's timeout. Default 900 s, Lambda's maximum: `deployed` for 50 issues spaces its writes by design and takes minutes. */
    readonly timeoutSeconds?: number;
    /** The worker's memory. Default 512 MB; Lambda gives CPU in proportion, and parsing changelogs and YAML is CPU-bound. */
    readonly memoryMb?: number;
    /** Receives of a message before it goes to the dead-letter queue. Default 5. */
    readonly maxReceiveCount?: number;
    /** Default 30 days. */
    readonly logRetentionDays?: number;
}

const RETENTION_DAYS = [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];

// Lambda rejects these names, or sets them itself.
const RESERVED_VARIABLE = /^(AWS_|_|LAMBDA_TASK_ROOT$|LAMBDA_RUNTIME_DIR$)/;
// A value under such a name is a credential: it belongs in a secret input, not in the function's configuration.
const SECRET_LIKE_VARIABLE = /(^|_)(TOKEN|SECRET|PASSWORD|PASSWD|PRIVATE_KEY)$/;

export function validate(name: string, args: ReleaseControllerArgs): string[] {
    const problems: string[] = [];
    const { hour, timezone, days } = args.schedule;
    if (!Number.isInteger(hour) || hour < 0 || hour > 23) problems.push(`schedule.hour: expected an hour 0-23, got ${hour}`);
    try {
        new Intl.DateTimeFormat("en", { timeZone: timezone });
    } catch {
        problems.push(`schedule.timezone: expected an IANA time zone like Europe/Paris, got ${JSON.stringify(timezone)}`);
    }
    if (days !== undefined && days.length === 0) problems.push("schedule.days: expected at least one weekday");
    if (args.owners.length === 0) problems.push("owners: expected at least one e-mail address");
    const seen = new Set<string>();
    for (const owner of args.owners) {
        if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(owner)) problems.push(`owners: expected an e-mail address, got ${JSON.stringify(owner)}`);
        if (seen.has(owner.toLowerCase())) problems.push(`owners: ${owner} is listed twice`);
        seen.add(owner.toLowerCase());
    }
    if (!/^[A-Za-z0-9-]{1,39}$/.test(args.opsRepository.owner))
        problems.push(`opsRepository.owner: expected a GitHub login, got ${JSON.stringify(args.opsRepository.owner)}`);
    if (!/^[A-Za-z0-9._-]{1,100}$/.test(args.opsRepository.repo))
        problems.push(`opsRepository.repo: expected a repository name, got ${JSON.stringify(args.opsRepository.repo)}`);
    const ours = new Set<string>(Object.values(RELEASE_CONTROLLER_ENV));
    for (const key of Object.keys(args.environment ?? {})) {
        if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(key)) problems.push(`environment.${key}: not a valid environment variable name`);
        else if (ours.has(key)) problems.push(`environment.${key}: set by the component itself`);
        else if (RESERVED_VARIABLE.test(key)) problems.push(`environment.${key}: reserved by Lambda`);
        else if (SECRET_LIKE_VARIABLE.test(key))
            problems.push(`environment.${key}: looks like a secret; pass it as a secret input (the environment is plain text)`);
    }
    const timeout = args.timeoutSeconds ?? 900;
    if (!Number.isInteger(timeout) || timeout < 1 || timeout > 900) problems.push(`timeoutSeconds: expected 1-900, got ${timeout}`);
    const memory = args.memoryMb ?? 512;
    if (!Number.isInteger(memory) || memory < 128 || memory > 10240) problems.push(`memoryMb: expected 128-10240, got ${memory}`);
    const receives = args.maxReceiveCount ?? 5;
    if (!Number.isInteger(receives) || receives < 2 || receives > 20) problems.push(`maxReceiveCount: expected 2-20, got ${receives}`);
    const retention = args.logRetentionDays ?? 30;
    if (!RETENTION_DAYS.includes(retention))
        problems.push(`logRetentionDays: expected one of ${RETENTION_DAYS.join(", ")}, got ${retention}`);
    return problems.map((p) => `${name}: ${p}`);
}
