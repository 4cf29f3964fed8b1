// Renders .github/workflows/stale.yml running actions/stale. Pure.
import { stringify } from "yaml";
import type { RepositorySettings } from "../../config";
import { STALE_LABEL } from "../../config/labels";
import { managedHeader, YAML_FOR_GITHUB } from "./managed-file";

export const STALE_PATH = ".github/workflows/stale.yml";
/** Pinned major of actions/stale; bump it here and every repository follows. */
export const STALE_ACTION = "actions/stale@v9";

export interface StaleFileInput {
    readonly repoName: string;
    readonly stale: RepositorySettings["stale"];
    readonly opsRepo: string;
    readonly configFile: string;
}

function fill(template: string, stale: RepositorySettings["stale"]): string {
    return template.replaceAll("{days}", String(stale.daysBeforeStale)).replaceAll("{close}", String(stale.daysBeforeClose));
}

export function renderStaleWorkflow({ repoName, stale, opsRepo, configFile }: StaleFileInput): string {
    const exempt = stale.exemptLabels.join(",");
    const workflow = {
        name: "Stale issues and pull requests",
        on: { schedule: [{ cron: stale.cron }], workflow_dispatch: {} },
        permissions: { issues: "write", "pull-requests": "write" },
        jobs: {
            stale: {
                "runs-on": "ubuntu-latest",
                steps: [
                    {
                        uses: STALE_ACTION,
                        with: {
                            "days-before-stale": stale.daysBeforeStale,
                            "days-before-close": stale.daysBeforeClose,
                            "stale-issue-label": STALE_LABEL,
                            "stale-pr-label": STALE_LABEL,
                            "stale-issue-message": fill(stale.staleIssueMessage, stale),
                            "stale-pr-message": fill(stale.stalePrMessage, stale),
                            "close-issue-message": fill(stale.closeIssueMessage, stale),
                            "close-pr-message": fill(stale.closePrMessage, stale),
                            "exempt-issue-labels": exempt,
                            "exempt-pr-labels": exempt,
                            "operations-per-run": stale.operationsPerRun,
                        },
                    },
                ],
            },
        },
    };
    const where = `conveyor:repositories.${repoName}.stale (defaults: conveyor:repositoryDefaults.stale)`;
    return `${managedHeader(opsRepo, configFile, where)}\n${stringify(workflow, YAML_FOR_GITHUB)}`;
}
