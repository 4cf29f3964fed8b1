// Renders .github/dependabot.yml from typed config. Pure.
import { stringify } from "yaml";
import type { DependabotRegistry, ManagedRepositoryConfig } from "../../config";
import { managedHeader, YAML_FOR_GITHUB } from "./managed-file";

export const DEPENDABOT_PATH = ".github/dependabot.yml";

const CREDENTIAL_FIELDS = ["username", "password", "token", "key"] as const;

/** The registries a repository's updates use, in declaration order. */
export function registriesUsed(repo: ManagedRepositoryConfig, all: readonly DependabotRegistry[]): DependabotRegistry[] {
    const used = new Set(repo.ecosystems.flatMap((e) => e.registries));
    return all.filter((r) => used.has(r.name));
}

/** The Dependabot secret names a registry's credentials refer to. */
export function registrySecretNames(r: DependabotRegistry): string[] {
    return CREDENTIAL_FIELDS.map((f) => r[f]).filter((s): s is string => s !== undefined);
}

export interface DependabotFileInput {
    readonly repo: ManagedRepositoryConfig;
    readonly registries: readonly DependabotRegistry[];
    readonly opsRepo: string;
    readonly configFile: string;
}

export function renderDependabot({ repo, registries, opsRepo, configFile }: DependabotFileInput): string {
    const d = repo.settings.dependabot;
    const used = registriesUsed(repo, registries);
    const doc: Record<string, unknown> = { version: 2 };
    if (used.length > 0) {
        doc.registries = Object.fromEntries(
            used.map((r) => [
                r.name,
                {
                    type: r.type,
                    url: r.url,
                    ...Object.fromEntries(CREDENTIAL_FIELDS.filter((f) => r[f] !== undefined).map((f) => [f, `\${{secrets.${r[f]}}}`])),
                    ...(r.replacesBase ? { "replaces-base": true } : {}),
                },
            ]),
        );
    }
    const schedule = {
        interval: d.schedule.interval,
        ...(d.schedule.interval === "weekly" ? { day: d.schedule.day } : {}),
        time: d.schedule.time,
        timezone: d.schedule.timezone,
    };
    const groups = Object.entries(d.groups).map(
        ([name, g]) =>
            [
                name,
                { ...(g.patterns ? { patterns: g.patterns } : {}), ...(g.updateTypes ? { "update-types": g.updateTypes } : {}) },
            ] as const,
    );
    doc.updates = repo.ecosystems.map((e) => ({
        "package-ecosystem": e.ecosystem,
        directory: e.directory,
        ...(e.registries.length > 0 ? { registries: [...e.registries] } : {}),
        schedule,
        "open-pull-requests-limit": d.openPullRequestsLimit,
        ...(d.assignees.length > 0 ? { assignees: [...d.assignees] } : {}),
        // Always written: without the key Dependabot applies (and creates) its own default labels.
        labels: [...d.labels],
        ...(groups.length > 0 ? { groups: Object.fromEntries(groups) } : {}),
    }));
    const where = `conveyor:repositories.${repo.name}.dependabot (defaults: conveyor:repositoryDefaults.dependabot)`;
    return `${managedHeader(opsRepo, configFile, where)}\n${stringify(doc, YAML_FOR_GITHUB)}`;
}
