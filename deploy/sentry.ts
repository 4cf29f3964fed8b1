// Sentry, after a deploy: each component build the release PR brought becomes the Sentry release
// `<component>@<build>` (with its commits, when the release knew them), with a deploy record for the
// environment, so Sentry ties new errors to the release that brought them and flags regressions. Idempotent
// (clients/sentry.ts looks before it creates) and never fatal: a failure is logged and the deploy stands.
import { sentryEnvironmentOf, type SentryConfig } from "../config/notifications";
import type { Component } from "../config";
import type { Sentry, SentryRef } from "../clients/sentry";
import type { MarkerData } from "../release/changelog";

/** Sentry's release version of a component build. */
export const sentryVersion = (component: string, build: number): string => `${component}@${build}`;

export interface SentryOutcome {
    /** Release versions made or found. */
    readonly releases: string[];
    /** Deploy records made or found, `<version> -> <environment>`. */
    readonly deploys: string[];
    /** Versions that failed, with why. */
    readonly failed: string[];
}

export async function recordSentryDeploy(
    sentry: Sentry,
    cfg: SentryConfig,
    catalog: readonly Component[],
    owner: string,
    d: { readonly env: string; readonly sha: string; readonly buildUrl: string; readonly marker: MarkerData },
    warn: (line: string) => void,
): Promise<SentryOutcome> {
    const out: SentryOutcome = { releases: [], deploys: [], failed: [] };
    const environment = sentryEnvironmentOf(cfg, d.env);
    for (const [component, build] of Object.entries(d.marker.versions)) {
        const projects = cfg.projects[component];
        if (!projects) continue;
        const version = sentryVersion(component, build);
        const repo = catalog.find((c) => c.name === component)?.repo;
        const rev = d.marker.revisions?.[component];
        const refs: SentryRef[] =
            rev && repo ? [{ repository: `${owner}/${repo}`, commit: rev.to, ...(rev.from ? { previousCommit: rev.from } : {}) }] : [];
        try {
            await sentry.ensureRelease(version, projects, refs);
            out.releases.push(version);
            if (environment !== undefined) {
                await sentry.ensureDeploy(version, { environment, name: `${d.env} ${d.sha.slice(0, 7)}`, url: d.buildUrl });
                out.deploys.push(`${version} -> ${environment}`);
            }
        } catch (e) {
            warn(`sentry: ${version}: ${(e as Error).message}`);
            out.failed.push(`${version}: ${(e as Error).message}`);
        }
    }
    return out;
}
