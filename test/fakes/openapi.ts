/**
 * Shape checks against GitHub's published OpenAPI description
 * (`@octokit/openapi`, dereferenced variant), so the fakes cannot drift from
 * what the real API answers.
 *
 * The document is ~70 MB: it is parsed on first use only and kept for the life
 * of the process; compiled validators are cached per (method, path, status).
 */
import { readFileSync } from "node:fs";
import Ajv, { type ValidateFunction } from "ajv";

export type JsonSchema = Record<string, unknown>;

interface MediaType {
    schema?: JsonSchema;
}
interface ResponseObject {
    content?: Record<string, MediaType>;
}
export interface Operation {
    operationId?: string;
    externalDocs?: { url?: string };
    responses?: Record<string, ResponseObject>;
}
interface OpenApiDocument {
    openapi: string;
    paths: Record<string, Record<string, Operation>>;
}

let documentCache: OpenApiDocument | undefined;

/** The parsed deref document; first call costs a few seconds. */
export function openApiDocument(): OpenApiDocument {
    if (!documentCache) {
        const file = require.resolve("@octokit/openapi/generated/api.github.com.deref.json");
        documentCache = JSON.parse(readFileSync(file, "utf8")) as OpenApiDocument;
    }
    return documentCache;
}

/** The operation for `method` + OpenAPI path template, or a descriptive throw. */
export function operation(method: string, template: string): Operation {
    const item = openApiDocument().paths[template];
    if (!item) throw new Error(`OpenAPI: no path ${template}`);
    const op = item[method.toLowerCase()];
    if (!op) throw new Error(`OpenAPI: no ${method.toUpperCase()} ${template}`);
    return op;
}

/**
 * The JSON schema of the response body GitHub documents for this status, or
 * `undefined` when the status is documented without a body (e.g. 204).
 * Throws when the status is not documented at all: a fake answering an
 * undocumented status is itself a bug worth hearing about.
 */
export function responseSchema(method: string, template: string, status: number): JsonSchema | undefined {
    const op = operation(method, template);
    const response = op.responses?.[String(status)];
    if (!response) {
        const documented = Object.keys(op.responses ?? {}).join(", ");
        throw new Error(`OpenAPI: ${method.toUpperCase()} ${template} documents no ${status} (only ${documented})`);
    }
    const content = response.content ?? {};
    const media = content["application/json"] ?? Object.values(content)[0];
    return media?.schema;
}

/** Whether GitHub documents `status` for this operation at all. */
export function documentsStatus(method: string, template: string, status: number): boolean {
    return String(status) in (operation(method, template).responses ?? {});
}

const titledCache = new Map<string, JsonSchema>();

/**
 * A schema by its `title` (e.g. "Basic Error", "Validation Error"). The deref
 * document has no `components`, so the first inlined copy found is used; this
 * is how errors on undocumented statuses (a 401 anywhere) still get checked.
 */
export function schemaByTitle(title: string): JsonSchema {
    const cached = titledCache.get(title);
    if (cached) return cached;
    const found = findTitled(openApiDocument().paths, title, new Set());
    if (!found) throw new Error(`OpenAPI: no schema titled ${JSON.stringify(title)}`);
    titledCache.set(title, found);
    return found;
}

function findTitled(node: unknown, title: string, seen: Set<object>): JsonSchema | undefined {
    if (!node || typeof node !== "object" || seen.has(node)) return undefined;
    seen.add(node);
    const record = node as JsonSchema;
    if (record.title === title && (record.type === "object" || record.properties)) return record;
    for (const value of Object.values(record)) {
        const hit = findTitled(value, title, seen);
        if (hit) return hit;
    }
    return undefined;
}

/**
 * Ajv speaks JSON Schema, the document speaks OpenAPI 3.0. The one dialect
 * difference that matters for responses is `nullable`, which Ajv only honours
 * together with `type` and never adds `null` to an `enum`; rewrite it into
 * plain JSON Schema on a copy so the cached document stays untouched.
 *
 * `oneOf` becomes `anyOf`: GitHub's alternatives are not disjoint (the 409 of
 * PUT contents is "Basic Error" or a rule violation whose fields are all
 * optional, so every body matches both), and "exactly one" would reject every
 * answer GitHub really sends there.
 */
export function toJsonSchema(schema: unknown, formats: Set<string> = new Set()): unknown {
    if (Array.isArray(schema)) return schema.map((item) => toJsonSchema(item, formats));
    if (!schema || typeof schema !== "object") return schema;
    const out: JsonSchema = {};
    for (const [key, value] of Object.entries(schema as JsonSchema)) {
        // Examples are data, not schema; skipping them also keeps compiles fast.
        if (key === "example" || key === "examples") continue;
        out[key === "oneOf" ? "anyOf" : key] = toJsonSchema(value, formats);
    }
    if (typeof out.format === "string") formats.add(out.format);
    if (out.nullable !== true) return out;
    delete out.nullable;
    if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    if (typeof out.type === "string") {
        out.type = [out.type, "null"];
        return out;
    }
    return { anyOf: [{ type: "null" }, out] };
}

// Formats whose values the fakes produce get real checks; the rest of the
// document's vocabulary (int64, repo.nwo, ...) is accepted as annotation.
const checkedFormats: Record<string, RegExp | ((value: string) => boolean)> = {
    "date-time": /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i,
    date: /^\d{4}-\d{2}-\d{2}$/,
    email: /^[^\s@]+@[^\s@]+$/,
    uri: isAbsoluteUrl,
};

function isAbsoluteUrl(value: string): boolean {
    try {
        new URL(value);
        return true;
    } catch {
        return false;
    }
}

let ajvInstance: Ajv | undefined;

function ajv(): Ajv {
    if (!ajvInstance) {
        // strict: false because the document carries vendor keywords
        // (x-github-*, discriminator, readOnly...) that Ajv would otherwise reject.
        ajvInstance = new Ajv({ strict: false, allErrors: true });
        for (const [name, check] of Object.entries(checkedFormats)) ajvInstance.addFormat(name, check);
    }
    return ajvInstance;
}

const validatorCache = new Map<string, ValidateFunction>();

function compile(key: string, schema: JsonSchema): ValidateFunction {
    const cached = validatorCache.get(key);
    if (cached) return cached;
    const formats = new Set<string>();
    const converted = toJsonSchema(schema, formats) as JsonSchema;
    const instance = ajv();
    for (const format of formats) {
        if (!instance.formats[format]) instance.addFormat(format, true);
    }
    const validate = instance.compile(converted);
    validatorCache.set(key, validate);
    return validate;
}

function check(validate: ValidateFunction, label: string, body: unknown): void {
    if (validate(body)) return;
    const problems = (validate.errors ?? [])
        .slice(0, 20)
        .map((e) => `  ${e.instancePath || "(root)"} ${e.message ?? ""} ${JSON.stringify(e.params)}`)
        .join("\n");
    const sample = JSON.stringify(body)?.slice(0, 600);
    throw new Error(`${label}: body does not match GitHub's OpenAPI schema\n${problems}\nbody: ${sample}`);
}

/**
 * Throws unless `body` matches what GitHub documents for `method` `template`
 * answering `status`. Bodiless statuses (204) require an empty body.
 */
export function assertMatchesOpenApi(method: string, template: string, status: number, body: unknown): void {
    const label = `${method.toUpperCase()} ${template} ${status}`;
    const schema = responseSchema(method, template, status);
    if (!schema) {
        if (body !== undefined && body !== null && body !== "") {
            throw new Error(`${label}: documented without a body, got ${JSON.stringify(body).slice(0, 200)}`);
        }
        return;
    }
    check(compile(label, schema), label, body);
}

/** Throws unless `body` matches the schema titled `title` (see schemaByTitle). */
export function assertMatchesSchemaTitled(title: string, body: unknown): void {
    check(compile(`title:${title}`, schemaByTitle(title)), title, body);
}
