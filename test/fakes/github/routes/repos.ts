import { repoOf, type Route } from "../http";
import { repoShape } from "../shapes";

export const repoRoutes: Route[] = [
    {
        method: "GET",
        path: "/repos/{owner}/{repo}",
        docs: "https://docs.github.com/rest/repos/repos#get-a-repository",
        handler: (ctx) => ({ status: 200, body: repoShape(ctx.baseUrl, repoOf(ctx)) }),
    },
];
