import { notFound, repoOf, type RouteContext, type Route } from "../http";
import { permissionShape } from "../shapes";

export const collaboratorRoutes: Route[] = [
    {
        method: "GET",
        path: "/repos/{owner}/{repo}/collaborators/{username}/permission",
        docs: "https://docs.github.com/rest/collaborators/collaborators#get-repository-permissions-for-a-user",
        handler: getPermission,
    },
];

/** Any account the fake knows answers (with "none" when it has no role); an unknown login is a 404. */
function getPermission(ctx: RouteContext) {
    const repo = repoOf(ctx);
    const login = ctx.params.username ?? "";
    const user = ctx.state.findAccount(login);
    if (!user) throw notFound();
    return { status: 200, body: permissionShape(ctx.baseUrl, user, repo.permissionOf(login)) };
}
