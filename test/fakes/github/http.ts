/**
 * The fake's routing vocabulary: a route is {method, path template, handler};
 * templates are the OpenAPI ones ("/repos/{owner}/{repo}/labels/{name}") so a
 * route and its shape check name the same thing.
 */
import type { GitHubState, RepoState } from "./state";

export interface Reply {
    status: number;
    body?: unknown;
    headers?: Record<string, string>;
}

export interface RouteContext {
    state: GitHubState;
    /** Template parameters, already percent-decoded. */
    params: Record<string, string>;
    query: URLSearchParams;
    /** Parsed JSON request body (undefined when the request had none). */
    body: unknown;
    /** The fake's own base URL; API urls in responses point back at it. */
    baseUrl: string;
    /** The request URL, resolved against baseUrl (pagination links reuse it). */
    url: URL;
}

export type Handler = (ctx: RouteContext) => Reply;

export interface Route {
    method: string;
    /** OpenAPI path template. */
    path: string;
    /** GitHub's documentation_url for this operation, echoed in its errors. */
    docs: string;
    handler: Handler;
    /**
     * The one parameter that may span "/" unencoded (a file path, `heads/a/b`),
     * as GitHub accepts it; octokit sends it encoded, other clients may not.
     */
    wildcard?: string;
    /**
     * The wildcard may be left out with the slash before it, as GitHub allows
     * for contents: octokit asks for the root with `path: ""` as `/contents`.
     */
    wildcardOptional?: boolean;
}

export interface CompiledRoute extends Route {
    regex: RegExp;
    names: string[];
}

export const DOCS_ROOT = "https://docs.github.com/rest";

/** Thrown by handlers to answer with a GitHub error body. */
export class HttpError extends Error {
    constructor(
        readonly status: number,
        message: string,
        readonly extra: Record<string, unknown> = {},
        readonly docs?: string,
    ) {
        super(message);
    }
}

/** GitHub's error body: message, documentation_url, and (since 2024) status as a string. */
export function errorBody(status: number, message: string, docs: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
    return { message, ...extra, documentation_url: docs, status: String(status) };
}

export function notFound(): HttpError {
    return new HttpError(404, "Not Found");
}

export interface FieldError {
    resource: string;
    code: "missing_field" | "already_exists" | "invalid" | "custom" | "missing" | "unprocessable";
    field?: string;
    message?: string;
    value?: unknown;
}

export function validationFailed(...errors: FieldError[]): HttpError {
    return new HttpError(422, "Validation Failed", { errors });
}

export function compileRoute(route: Route): CompiledRoute {
    const names: string[] = [];
    const source = route.path
        .split(/(\{[^}]+\})/)
        .map((part) => {
            const param = /^\{([^}]+)\}$/.exec(part);
            if (!param) return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
            names.push(param[1]);
            return param[1] === route.wildcard ? "(.+)" : "([^/]+)";
        })
        .join("");
    const optional = route.wildcardOptional && source.endsWith("/(.+)") ? `${source.slice(0, -"/(.+)".length)}(?:/(.*))?` : source;
    return { ...route, regex: new RegExp(`^${optional}$`), names };
}

export interface RouteMatch {
    route: CompiledRoute;
    params: Record<string, string>;
}

/**
 * Matches against the raw (still percent-encoded) path so an encoded "/"
 * inside a label name stays inside its parameter.
 */
export function matchRoute(routes: CompiledRoute[], method: string, rawPath: string): RouteMatch | undefined {
    for (const route of routes) {
        if (route.method !== method) continue;
        const match = route.regex.exec(rawPath);
        if (!match) continue;
        const params = decodeParams(route.names, match.slice(1));
        if (params) return { route, params };
    }
    return undefined;
}

/** Undefined for malformed percent-encoding, which then falls through to a 404. */
function decodeParams(names: string[], values: string[]): Record<string, string> | undefined {
    try {
        return Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(values[i] ?? "")]));
    } catch {
        return undefined;
    }
}

function intParam(query: URLSearchParams, name: string, fallback: number): number {
    const value = Number.parseInt(query.get(name) ?? "", 10);
    return Number.isFinite(value) && value > 0 ? value : fallback;
}

export interface PageWindow {
    page: number;
    /** Slice bounds into the full list. */
    start: number;
    end: number;
    /** GitHub's Link header for this page, or {} when everything fits on one. */
    headers: Record<string, string>;
}

/**
 * The page the request asks for out of `total` items: per_page (at most 100;
 * `defaultPerPage` when absent, 30 on most routes) and page from the query, and
 * GitHub's Link header: rel order prev, next, last, first, each link the request
 * URL with only `page` changed.
 */
export function pageWindow(ctx: RouteContext, total: number, defaultPerPage = 30): PageWindow {
    const asked = intParam(ctx.query, "per_page", 0);
    const perPage = asked > 0 ? Math.min(asked, 100) : defaultPerPage;
    const page = intParam(ctx.query, "page", 1);
    const lastPage = Math.max(1, Math.ceil(total / perPage));
    const link = linkHeader(ctx, page, lastPage);
    return { page, start: (page - 1) * perPage, end: page * perPage, headers: link ? { link } : {} };
}

/** One page of `items` with its Link header (see pageWindow). */
export function paginate(ctx: RouteContext, items: unknown[]): Reply {
    const window = pageWindow(ctx, items.length);
    return { status: 200, body: items.slice(window.start, window.end), headers: window.headers };
}

function linkHeader(ctx: RouteContext, page: number, lastPage: number): string | undefined {
    const rels: Array<[string, number]> = [];
    if (page > 1) rels.push(["prev", Math.min(page - 1, lastPage)]);
    if (page < lastPage) rels.push(["next", page + 1], ["last", lastPage]);
    if (page > 1) rels.push(["first", 1]);
    if (rels.length === 0) return undefined;
    return rels.map(([rel, n]) => `<${pageUrl(ctx, n)}>; rel="${rel}"`).join(", ");
}

function pageUrl(ctx: RouteContext, page: number): string {
    const url = new URL(ctx.url.pathname + ctx.url.search, ctx.baseUrl);
    url.searchParams.set("page", String(page));
    return url.toString();
}

/** The body as an object, or a 400 like GitHub's for non-object JSON. */
export function objectBody(ctx: RouteContext): Record<string, unknown> {
    const body = ctx.body ?? {};
    if (typeof body !== "object" || Array.isArray(body)) {
        throw new HttpError(400, "Problems parsing JSON");
    }
    return body as Record<string, unknown>;
}

export function optionalString(body: Record<string, unknown>, field: string, resource: string): string | undefined {
    const value = body[field];
    if (value === undefined) return undefined;
    if (typeof value !== "string") throw validationFailed({ resource, code: "invalid", field });
    return value;
}

export function requiredString(body: Record<string, unknown>, field: string, resource: string): string {
    const value = optionalString(body, field, resource);
    if (value === undefined || value.trim() === "") throw validationFailed({ resource, code: "missing_field", field });
    return value;
}

/** Path parameters that are numbers on GitHub (issue_number...); anything else is a 404 there. */
export function numberParam(ctx: RouteContext, name: string): number {
    const raw = ctx.params[name] ?? "";
    if (!/^\d+$/.test(raw)) throw notFound();
    return Number(raw);
}

/** The repository named by {owner}/{repo}; unknown repositories are GitHub's plain 404. */
export function repoOf(ctx: RouteContext): RepoState {
    const repo = ctx.state.findRepo(ctx.params.owner ?? "", ctx.params.repo ?? "");
    if (!repo) throw notFound();
    return repo;
}
