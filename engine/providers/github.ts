// Stand-in for pulumi-github (its provider module is not served by the Go module proxy here). Repositories
// get GitHub's computed fields (html_url, repo_id, node_id); the owner is GITHUB_OWNER, which the real
// provider also reads, because a Node.js plugin is not handed the provider configuration.
import { serve, type ResourceContext, type ResourceRule } from "./stand-in";

const owner = (): string => process.env.GITHUB_OWNER ?? "unknown-owner";
const repoId = (c: ResourceContext): number => 100000000 + (parseInt(c.seed.slice(0, 7), 16) % 900000000);

export const resources: Record<string, ResourceRule> = {
    "github:index/repository:Repository": {
        id: (c) => String(c.inputs.name),
        outputs: (c) => ({
            fullName: `${owner()}/${c.inputs.name}`,
            htmlUrl: `https://github.com/${owner()}/${c.inputs.name}`,
            gitCloneUrl: `git://github.com/${owner()}/${c.inputs.name}.git`,
            sshCloneUrl: `git@github.com:${owner()}/${c.inputs.name}.git`,
            httpCloneUrl: `https://github.com/${owner()}/${c.inputs.name}.git`,
            repoId: repoId(c),
            nodeId: `R_${c.seed.slice(0, 12)}`,
        }),
    },
    "github:index/repositoryRuleset:RepositoryRuleset": {
        outputs: (c) => ({ rulesetId: parseInt(c.seed.slice(0, 6), 16), nodeId: `RRS_${c.seed.slice(0, 12)}` }),
    },
    "github:index/repositoryFile:RepositoryFile": {
        id: (c) => `${c.inputs.repository}/${c.inputs.file}`,
        replaceOn: ["repository", "file"],
        outputs: (c) => ({ sha: c.seed.slice(0, 40) }),
    },
    "github:index/issueLabels:IssueLabels": { id: (c) => String(c.inputs.repository) },
    "github:index/repositoryDependabotSecurityUpdates:RepositoryDependabotSecurityUpdates": { id: (c) => String(c.inputs.repository) },
    "github:index/dependabotSecret:DependabotSecret": {
        id: (c) => `${c.inputs.repository}:${c.inputs.secretName}`,
        replaceOn: ["repository", "secretName"],
        outputs: () => ({ createdAt: "2026-01-01T00:00:00Z", updatedAt: "2026-01-01T00:00:00Z" }),
    },
    "github:index/dependabotOrganizationSecret:DependabotOrganizationSecret": {
        id: (c) => String(c.inputs.secretName),
        replaceOn: ["secretName"],
        outputs: () => ({ createdAt: "2026-01-01T00:00:00Z", updatedAt: "2026-01-01T00:00:00Z" }),
    },
};

if (require.main === module) serve({ pkg: "github", resources, invokes: {} });
