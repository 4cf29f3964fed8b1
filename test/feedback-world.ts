// The frozen workspace with the optional feedback loops switched on: Slack announcements routed per
// environment and component, and Sentry releases for two components.
import { parseDocument } from "yaml";
import { parseWorkspace, type SourceFile, type Workspace } from "../config";
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
