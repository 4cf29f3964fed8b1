// The GitHub REST client of conveyor's dynamic providers.
import type { Octokit } from "octokit";
import { createGitHub, writeDelayMsOf } from "../../clients/github";

export interface RestSettings {
    readonly token?: string;
    /** `github:baseUrl` as the github provider reads it (apiRootOf); api.github.com when unset. */
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
    const delay = writeDelayMsOf("github:writeDelayMs", config.get("github:writeDelayMs"));
    return {
        token: config.get("github:token"),
        baseUrl: config.get("github:baseUrl"),
        ...(delay === undefined ? {} : { writeDelayMs: delay }),
        doNotCapture: true,
    };
}

/**
 * The REST API root for a `github:baseUrl`, read the way the github provider reads the same key, so one value
 * serves both: github.com and <name>.ghe.com mean their api. hosts; any other host is GitHub Enterprise Server,
 * whose API lives under /api/v3 (given or not).
 */
export function apiRootOf(baseUrl: string): string {
    let u: URL;
    try {
        u = new URL(baseUrl);
    } catch {
        throw new Error(`github:baseUrl: "${baseUrl}" is not an absolute URL`);
    }
    const path = u.pathname.replace(/\/+$/, "");
    const cloud = u.host === "github.com" || u.host === "api.github.com" || /^(api\.)?[a-z0-9-]+\.ghe\.com$/i.test(u.host);
    if (!cloud) return `${u.origin}${path.replace(/\/api\/v3$/, "")}/api/v3`;
    if (u.protocol !== "https:") throw new Error(`github:baseUrl: "${baseUrl}" must use https for ${u.host}`);
    if (path !== "") throw new Error(`github:baseUrl: "${baseUrl}" must have no path for ${u.host}`);
    return `https://${u.host.startsWith("api.") ? u.host : `api.${u.host}`}`;
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
        // GITHUB_API_URL is an API root already (as GitHub Actions sets it).
        baseUrl: settings?.baseUrl !== undefined ? apiRootOf(settings.baseUrl) : (process.env.GITHUB_API_URL ?? "https://api.github.com"),
        ...(settings?.writeDelayMs === undefined ? {} : { writeDelayMs: settings.writeDelayMs }),
    });
}
