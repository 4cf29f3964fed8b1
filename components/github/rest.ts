// The GitHub REST client of conveyor's dynamic providers: octokit with its retry and throttling plugins.
import type { Octokit } from "octokit";

export interface RestSettings {
    readonly token?: string;
    /** GitHub Enterprise API root; api.github.com when unset. */
    readonly baseUrl?: string;
    /** Pulumi's closure serialiser writes `undefined` for an object carrying this flag. */
    readonly doNotCapture?: true;
}

/** Built per operation from the engine-provided config: a dynamic provider must capture no client. */
export function githubRestFromConfig(settings: RestSettings | undefined): Octokit {
    const token = settings?.token ?? process.env.GITHUB_TOKEN;
    if (!token) throw new Error("github:token is not set: run `pulumi config set --secret github:token <token>`");
    // Loaded on first use: `pulumi preview` and `conveyor synth` never talk to GitHub through it.
    const { Octokit: Client } = require("octokit") as typeof import("octokit");
    return new Client({
        auth: token,
        baseUrl: (settings?.baseUrl ?? process.env.GITHUB_API_URL ?? "https://api.github.com").replace(/\/+$/, ""),
        userAgent: "conveyor",
        throttle: {
            // Wait out GitHub's limits a couple of times, then fail the operation rather than hang `pulumi up`.
            onRateLimit: (_retryAfter: number, _options: object, _octokit: unknown, retryCount: number) => retryCount < 2,
            onSecondaryRateLimit: (_retryAfter: number, _options: object, _octokit: unknown, retryCount: number) => retryCount < 2,
        },
    });
}
