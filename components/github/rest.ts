// The GitHub REST client of conveyor's dynamic providers.
import type { Octokit } from "octokit";
import { createGitHub } from "../../clients/github";

export interface RestSettings {
    readonly token?: string;
    /** GitHub Enterprise API root; api.github.com when unset. */
    readonly baseUrl?: string;
    /** Pulumi's closure serialiser writes `undefined` for an object carrying this flag. */
    readonly doNotCapture?: true;
}

/**
 * Built per operation from the engine-provided config: a dynamic provider must capture no client. The same
 * factory as the release controller's, so the providers keep its rules (a POST is never retried blindly).
 */
export function githubRestFromConfig(settings: RestSettings | undefined): Octokit {
    const token = settings?.token ?? process.env.GITHUB_TOKEN;
    if (!token) throw new Error("github:token is not set: run `pulumi config set --secret github:token <token>`");
    return createGitHub({ token, baseUrl: settings?.baseUrl ?? process.env.GITHUB_API_URL ?? "https://api.github.com" });
}
