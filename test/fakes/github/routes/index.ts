/**
 * The fake's route table. To add an area (git refs, contents, pulls, compare,
 * graphql): write a module exporting a Route[] next to these and list it here.
 */
import type { Route } from "../http";
import { commentRoutes } from "./comments";
import { issueLabelRoutes } from "./issue-labels";
import { issueRoutes } from "./issues";
import { labelRoutes } from "./labels";
import { milestoneRoutes } from "./milestones";
import { repoRoutes } from "./repos";

export const routes: Route[] = [
  ...repoRoutes,
  ...labelRoutes,
  ...milestoneRoutes,
  ...issueRoutes,
  ...issueLabelRoutes,
  ...commentRoutes,
];
