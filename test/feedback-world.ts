// The frozen workspace with the optional feedback loops switched on: Slack announcements routed per
// environment and component, and Sentry releases for two components.
import { parseDocument } from "yaml";
import { parseWorkspace, type SourceFile, type Workspace } from "../config";
import type { EnvFailure, FailedDeploy } from "../deploy/notices";
import { fixtureFiles } from "./workspace-fixture";

const hook = (n: string) => ({ secure: `v1:placeholder:slack-${n}` });
export const SLACK = {
    slack: {
        webhooks: { releases: hook("releases"), "prod-releases": hook("prod"), billing: hook("billing") },
        default: "releases",
        environments: { prod: "prod-releases" },
        components: { billing: "billing" },
    },
};
export const SENTRY = {
    organization: "acme-saas",
    authToken: { secure: "v1:placeholder:sentry" },
    projects: { billing: "billing-api", web: ["web-frontend", "web-ssr"] },
    environments: { staging: "staging", prod: "production" },
};

/** The frozen files with both blocks set, then `edit` applied to Pulumi.org.yaml's config. */
export function withFeedback(edit: (set: (path: unknown[], value: unknown) => void) => void = () => undefined): SourceFile[] {
    return fixtureFiles().map((f) => {
        if (f.name !== "Pulumi.org.yaml") return f;
        const doc = parseDocument(f.text);
        const set = (p: unknown[], v: unknown) =>
            v === undefined ? doc.deleteIn(["config", ...p]) : doc.setIn(["config", ...p], doc.createNode(v));
        set(["conveyor:notifications"], SLACK);
        set(["conveyor:sentry"], SENTRY);
        edit(set);
        return { name: f.name, text: doc.toString() };
    });
}

export const feedbackWorkspace = (): Workspace => parseWorkspace(withFeedback());

/** Slack set up for prod alone: no default webhook, no component's. */
export const prodOnly = (): Workspace =>
    parseWorkspace(
        withFeedback((set) => {
            set(["conveyor:notifications", "slack", "default"], undefined);
            set(["conveyor:notifications", "slack", "components"], undefined);
            set(["conveyor:notifications", "slack", "webhooks"], { "prod-releases": { secure: "v1:placeholder:slack-prod" } });
        }),
    );

export const FAILED_WORKFLOW_URL = "https://circleci.example/workflow/9";

/** An environment whose own deploy job failed (job `deploy-<env>`), and one that never ran. */
export const failedEnv = (env: string, job = 12): EnvFailure => ({
    env,
    result: "failed",
    job: { name: `deploy-${env}`, status: "failed", url: `${FAILED_WORKFLOW_URL}/jobs/${job}` },
});
export const notRunEnv = (env: string): EnvFailure => ({ env, result: "not-run" });

/** A failed deploy workflow of acme/ops at fedcba9: the failed environments' jobs are its failed jobs, no PR asked. */
export function failedDeploy(envs: readonly EnvFailure[], more: Partial<FailedDeploy> = {}): FailedDeploy {
    return {
        repo: "acme/ops",
        sha: "fedcba9876543210fedcba9876543210fedcba98",
        workflow: { name: "deploy", status: "failed", url: FAILED_WORKFLOW_URL },
        envs,
        failedJobs: envs.flatMap((e) => (e.result === "failed" ? [e.job] : [])),
        pulls: [],
        ...more,
    };
}
