// The GitHub REST client of conveyor's dynamic providers.
import type { Octokit } from "octokit";
import { createGitHub } from "../../clients/github";

export interface RestSettings {
    readonly token?: string;
    /** GitHub Enterprise API root; api.github.com when unset. */
    readonly baseUrl?: string;
    /** `github:writeDelayMs`: the gap between two writes, in ms (createGitHub's writeDelayMs); octokit's 1000 when unset. */
    readonly writeDelayMs?: number;
    /** Pulumi's closure serialiser writes `undefined` for an object carrying this flag. */
    readonly doNotCapture?: true;
}

/**
 * What the engine gives `configure`: the github provider's own settings, so the program needs no second copy
 * of them. `doNotCapture`: a provider configured in this process (tests) must never be serialised with its token.
 */
export function restSettingsFrom(config: { get(key: string): string | undefined }): RestSettings {
    const delay = config.get("github:writeDelayMs");
    if (delay !== undefined && !/^\d+$/.test(delay.trim()))
        throw new Error(`github:writeDelayMs: "${delay}" is not a whole number of milliseconds (the gap between two writes to GitHub)`);
    return {
        token: config.get("github:token"),
        baseUrl: config.get("github:baseUrl"),
        ...(delay === undefined ? {} : { writeDelayMs: Number(delay) }),
        doNotCapture: true,
    };
}

/**
 * Built per operation from the engine-provided config: a dynamic provider must capture no client. The same
 * factory as the release controller's, so the providers keep its rules (a POST is never retried blindly).
 */
export function githubRestFromConfig(settings: RestSettings | undefined): Octokit {
    const token = settings?.token ?? process.env.GITHUB_TOKEN;
    if (!token) throw new Error("github:token is not set: run `pulumi config set --secret github:token <token>`");
    return createGitHub({
        token,
        baseUrl: settings?.baseUrl ?? process.env.GITHUB_API_URL ?? "https://api.github.com",
        ...(settings?.writeDelayMs === undefined ? {} : { writeDelayMs: settings.writeDelayMs }),
    });
}
