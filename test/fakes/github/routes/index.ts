/**
 * The fake's route table. To add an area: write a module exporting a Route[]
 * next to these and list it here. A parameter that may hold unencoded slashes
 * (a file path, heads/a/b) names itself in the route's `wildcard`.
 */
import type { Route } from "../http";
import { collaboratorRoutes } from "./collaborators";
import { commentRoutes } from "./comments";
import { commitRoutes } from "./commits";
import { contentRoutes } from "./contents";
import { dependabotRoutes } from "./dependabot";
import { gitRefRoutes } from "./git-refs";
import { graphqlRoutes } from "./graphql";
import { issueLabelRoutes } from "./issue-labels";
import { issueRoutes } from "./issues";
import { labelRoutes } from "./labels";
import { milestoneRoutes } from "./milestones";
import { pullRoutes } from "./pulls";
import { repoAdminRoutes } from "./repo-admin";
import { repoRoutes } from "./repos";
import { rulesetRoutes } from "./rulesets";

export const routes: Route[] = [
    ...repoRoutes,
    ...labelRoutes,
    ...milestoneRoutes,
    ...issueRoutes,
    ...issueLabelRoutes,
    ...commentRoutes,
    ...gitRefRoutes,
    ...contentRoutes,
    ...commitRoutes,
    ...pullRoutes,
    ...collaboratorRoutes,
    ...repoAdminRoutes,
    ...rulesetRoutes,
    ...dependabotRoutes,
    ...graphqlRoutes,
];

/** What the real github provider needs beyond the rest (github-admin.test.ts checks their shapes). */
export const adminRoutes: Route[] = [...repoAdminRoutes, ...rulesetRoutes, ...dependabotRoutes];

/** Routes GitHub's OpenAPI description documents (all but GraphQL's single endpoint). */
export const restRoutes: Route[] = routes.filter((route) => route.path !== "/graphql");
