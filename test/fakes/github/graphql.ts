/**
 * Just enough GraphQL for the fake: a parser for query documents (operations
 * with variables, aliases, arguments, fragments, @include/@skip) and an
 * executor over resolver objects (see routes/graphql.ts for GitHub's types).
 * Errors come out the way GitHub words and shapes them: field errors (a PR
 * that does not exist) leave `null` in `data` beside an `errors` entry with a
 * `type`; validation errors (an unknown field, a missing argument) answer
 * `errors` alone, because GitHub validates the whole document before running it.
 */

export interface Location {
    line: number;
    column: number;
}

export type ValueNode =
    | { kind: "variable"; name: string }
    | { kind: "literal"; value: string | number | boolean | null }
    | { kind: "enum"; value: string }
    | { kind: "list"; items: ValueNode[] }
    | { kind: "object"; fields: Record<string, ValueNode> };

export interface Directive {
    name: string;
    args: Record<string, ValueNode>;
}

export type Selection =
    | {
          kind: "field";
          alias?: string;
          name: string;
          args: Record<string, ValueNode>;
          directives: Directive[];
          selections?: Selection[];
          loc: Location;
      }
    | { kind: "spread"; name: string; directives: Directive[]; loc: Location }
    | { kind: "inline"; typeCondition?: string; directives: Directive[]; selections: Selection[]; loc: Location };

export interface Operation {
    type: "query" | "mutation" | "subscription";
    name?: string;
    variables: Array<{ name: string; defaultValue?: ValueNode }>;
    selections: Selection[];
    loc: Location;
}

export interface Document {
    operations: Operation[];
    fragments: Map<string, { typeCondition: string; selections: Selection[] }>;
}

export class GraphQLSyntaxError extends Error {
    constructor(
        message: string,
        readonly loc: Location,
    ) {
        super(message);
    }
}

interface Token {
    kind: "punct" | "name" | "int" | "float" | "string" | "eof";
    value: string;
    loc: Location;
}

const TOKEN_NAMES: Record<string, string> = {
    "{": "LCURLY",
    "}": "RCURLY",
    "(": "LPAREN",
    ")": "RPAREN",
    "[": "LBRACKET",
    "]": "RBRACKET",
    ":": "COLON",
    "!": "BANG",
    $: "VAR_SIGN",
    "=": "EQUALS",
    "@": "DIR_SIGN",
    "...": "ELLIPSIS",
    "|": "PIPE",
    "&": "AMP",
};

function tokenize(source: string): Token[] {
    const tokens: Token[] = [];
    let i = 0;
    let line = 1;
    let lineStart = 0;
    const loc = (): Location => ({ line, column: i - lineStart + 1 });
    while (i < source.length) {
        const ch = source[i];
        if (ch === "\n") {
            i += 1;
            line += 1;
            lineStart = i;
            continue;
        }
        if (ch === " " || ch === "\t" || ch === "\r" || ch === "," || ch === "\ufeff") {
            i += 1;
            continue;
        }
        if (ch === "#") {
            while (i < source.length && source[i] !== "\n") i += 1;
            continue;
        }
        const start = loc();
        if (source.startsWith("...", i)) {
            tokens.push({ kind: "punct", value: "...", loc: start });
            i += 3;
            continue;
        }
        if ("{}()[]:!$=@|&".includes(ch)) {
            tokens.push({ kind: "punct", value: ch, loc: start });
            i += 1;
            continue;
        }
        const name = /^[_A-Za-z][_0-9A-Za-z]*/.exec(source.slice(i));
        if (name) {
            tokens.push({ kind: "name", value: name[0], loc: start });
            i += name[0].length;
            continue;
        }
        const number = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(source.slice(i));
        if (number) {
            tokens.push({ kind: number[2] || number[3] ? "float" : "int", value: number[0], loc: start });
            i += number[0].length;
            continue;
        }
        if (source.startsWith('"""', i)) {
            const end = source.indexOf('"""', i + 3);
            if (end < 0) throw new GraphQLSyntaxError("Unterminated string", start);
            const raw = source.slice(i + 3, end);
            tokens.push({ kind: "string", value: blockString(raw), loc: start });
            for (const c of source.slice(i, end + 3)) {
                i += 1;
                if (c === "\n") {
                    line += 1;
                    lineStart = i;
                }
            }
            continue;
        }
        if (ch === '"') {
            let value = "";
            i += 1;
            for (;;) {
                const c = source[i];
                if (c === undefined || c === "\n") throw new GraphQLSyntaxError("Unterminated string", start);
                if (c === '"') break;
                if (c === "\\") {
                    const next = source[i + 1] ?? "";
                    const simple: Record<string, string> = { '"': '"', "\\": "\\", "/": "/", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t" };
                    if (next in simple) {
                        value += simple[next];
                        i += 2;
                    } else if (next === "u" && /^[0-9a-fA-F]{4}$/.test(source.slice(i + 2, i + 6))) {
                        value += String.fromCharCode(Number.parseInt(source.slice(i + 2, i + 6), 16));
                        i += 6;
                    } else {
                        throw new GraphQLSyntaxError(`Bad escape \\${next}`, loc());
                    }
                    continue;
                }
                value += c;
                i += 1;
            }
            i += 1;
            tokens.push({ kind: "string", value, loc: start });
            continue;
        }
        throw new GraphQLSyntaxError(`Parse error on "${ch}" (error) at [${start.line}, ${start.column}]`, start);
    }
    tokens.push({ kind: "eof", value: "", loc: loc() });
    return tokens;
}

/** Block strings lose their common indentation and blank first and last lines. */
function blockString(raw: string): string {
    const lines = raw.replace(/\\"""/g, '"""').split(/\r\n|\n|\r/);
    const indents = lines
        .slice(1)
        .filter((l) => l.trim() !== "")
        .map((l) => l.length - l.trimStart().length);
    const common = indents.length === 0 ? 0 : Math.min(...indents);
    const out = lines.map((l, n) => (n === 0 ? l : l.slice(common)));
    while (out.length > 0 && out[0].trim() === "") out.shift();
    while (out.length > 0 && out[out.length - 1].trim() === "") out.pop();
    return out.join("\n");
}

class Parser {
    private pos = 0;
    constructor(private readonly tokens: Token[]) {}

    private peek(): Token {
        return this.tokens[this.pos];
    }

    private next(): Token {
        const token = this.tokens[this.pos];
        if (token.kind !== "eof") this.pos += 1;
        return token;
    }

    private fail(token: Token): never {
        const shown = token.kind === "eof" ? "end of file" : token.value;
        const kind = token.kind === "punct" ? TOKEN_NAMES[token.value] : token.kind === "eof" ? "EOF" : token.kind.toUpperCase();
        throw new GraphQLSyntaxError(`Parse error on "${shown}" (${kind}) at [${token.loc.line}, ${token.loc.column}]`, token.loc);
    }

    private isPunct(value: string): boolean {
        const token = this.peek();
        return token.kind === "punct" && token.value === value;
    }

    private expectPunct(value: string): Token {
        const token = this.next();
        if (token.kind !== "punct" || token.value !== value) this.fail(token);
        return token;
    }

    private expectName(): Token {
        const token = this.next();
        if (token.kind !== "name") this.fail(token);
        return token;
    }

    document(): Document {
        const doc: Document = { operations: [], fragments: new Map() };
        do {
            const token = this.peek();
            if (token.kind === "punct" && token.value === "{") {
                doc.operations.push({ type: "query", variables: [], selections: this.selectionSet(), loc: token.loc });
            } else if (token.kind === "name" && token.value === "fragment") {
                this.next();
                const name = this.expectName().value;
                if (this.expectName().value !== "on") this.fail(this.tokens[this.pos - 1]);
                const typeCondition = this.expectName().value;
                this.directives();
                doc.fragments.set(name, { typeCondition, selections: this.selectionSet() });
            } else if (token.kind === "name" && ["query", "mutation", "subscription"].includes(token.value)) {
                this.next();
                const name = this.peek().kind === "name" ? this.next().value : undefined;
                const variables = this.isPunct("(") ? this.variableDefinitions() : [];
                this.directives();
                doc.operations.push({
                    type: token.value as Operation["type"],
                    ...(name ? { name } : {}),
                    variables,
                    selections: this.selectionSet(),
                    loc: token.loc,
                });
            } else {
                this.fail(token);
            }
        } while (this.peek().kind !== "eof");
        return doc;
    }

    private variableDefinitions(): Operation["variables"] {
        const defs: Operation["variables"] = [];
        this.expectPunct("(");
        while (!this.isPunct(")")) {
            this.expectPunct("$");
            const name = this.expectName().value;
            this.expectPunct(":");
            this.type();
            const defaultValue = this.isPunct("=") ? (this.next(), this.value(true)) : undefined;
            this.directives();
            defs.push({ name, ...(defaultValue ? { defaultValue } : {}) });
        }
        this.expectPunct(")");
        return defs;
    }

    private type(): void {
        if (this.isPunct("[")) {
            this.next();
            this.type();
            this.expectPunct("]");
        } else {
            this.expectName();
        }
        if (this.isPunct("!")) this.next();
    }

    private selectionSet(): Selection[] {
        this.expectPunct("{");
        const selections: Selection[] = [];
        while (!this.isPunct("}")) selections.push(this.selection());
        this.expectPunct("}");
        if (selections.length === 0) this.fail(this.tokens[this.pos - 1]);
        return selections;
    }

    private selection(): Selection {
        const start = this.peek();
        if (this.isPunct("...")) {
            this.next();
            const token = this.peek();
            if (token.kind === "name" && token.value !== "on") {
                this.next();
                return { kind: "spread", name: token.value, directives: this.directives(), loc: start.loc };
            }
            let typeCondition: string | undefined;
            if (token.kind === "name") {
                this.next();
                typeCondition = this.expectName().value;
            }
            const directives = this.directives();
            return {
                kind: "inline",
                ...(typeCondition ? { typeCondition } : {}),
                directives,
                selections: this.selectionSet(),
                loc: start.loc,
            };
        }
        let name = this.expectName().value;
        let alias: string | undefined;
        if (this.isPunct(":")) {
            this.next();
            alias = name;
            name = this.expectName().value;
        }
        const args = this.isPunct("(") ? this.args(false) : {};
        const directives = this.directives();
        const selections = this.isPunct("{") ? this.selectionSet() : undefined;
        return {
            kind: "field",
            ...(alias ? { alias } : {}),
            name,
            args,
            directives,
            ...(selections ? { selections } : {}),
            loc: start.loc,
        };
    }

    private args(constant: boolean): Record<string, ValueNode> {
        const args: Record<string, ValueNode> = {};
        this.expectPunct("(");
        while (!this.isPunct(")")) {
            const name = this.expectName().value;
            this.expectPunct(":");
            args[name] = this.value(constant);
        }
        this.expectPunct(")");
        return args;
    }

    private directives(): Directive[] {
        const directives: Directive[] = [];
        while (this.isPunct("@")) {
            this.next();
            const name = this.expectName().value;
            directives.push({ name, args: this.isPunct("(") ? this.args(false) : {} });
        }
        return directives;
    }

    private value(constant: boolean): ValueNode {
        const token = this.next();
        if (token.kind === "punct" && token.value === "$" && !constant) return { kind: "variable", name: this.expectName().value };
        if (token.kind === "int" || token.kind === "float") return { kind: "literal", value: Number(token.value) };
        if (token.kind === "string") return { kind: "literal", value: token.value };
        if (token.kind === "name") {
            if (token.value === "true" || token.value === "false") return { kind: "literal", value: token.value === "true" };
            if (token.value === "null") return { kind: "literal", value: null };
            return { kind: "enum", value: token.value };
        }
        if (token.kind === "punct" && token.value === "[") {
            const items: ValueNode[] = [];
            while (!this.isPunct("]")) items.push(this.value(constant));
            this.next();
            return { kind: "list", items };
        }
        if (token.kind === "punct" && token.value === "{") {
            const fields: Record<string, ValueNode> = {};
            while (!this.isPunct("}")) {
                const name = this.expectName().value;
                this.expectPunct(":");
                fields[name] = this.value(constant);
            }
            this.next();
            return { kind: "object", fields };
        }
        this.fail(token);
    }
}

export function parseDocument(source: string): Document {
    return new Parser(tokenize(source)).document();
}

/** What a resolver answers: scalars, nodes (objects with fields of their own), lists of either, or null. */
export type Resolved = string | number | boolean | null | GraphNode | Resolved[];

export type FieldResolver = (args: Record<string, unknown>, selections: Selection[] | undefined) => Resolved;

export class GraphNode {
    constructor(
        readonly typename: string,
        readonly fields: Record<string, FieldResolver>,
        /** Interfaces and unions it belongs to, for `... on Actor` fragments. */
        readonly implementsTypes: string[] = [],
    ) {}
}

/** A field that resolves to null with an error entry (GitHub's NOT_FOUND, FORBIDDEN...). */
export class FieldError extends Error {
    constructor(
        readonly type: string,
        message: string,
    ) {
        super(message);
    }
}

/** A query GitHub would refuse before running it: the answer carries errors and no data. */
export class ValidationError extends Error {
    constructor(
        message: string,
        readonly extensions: Record<string, unknown> = {},
    ) {
        super(message);
    }
}

export interface GraphQLError {
    message: string;
    type?: string;
    path?: Array<string | number>;
    locations?: Location[];
    extensions?: Record<string, unknown>;
}

export interface GraphQLResponse {
    data?: Record<string, unknown> | null;
    errors?: GraphQLError[];
}

class Execution {
    readonly errors: GraphQLError[] = [];
    readonly invalid: GraphQLError[] = [];

    constructor(
        private readonly doc: Document,
        private readonly variables: Record<string, unknown>,
        private readonly rootPath: string,
    ) {}

    value(node: ValueNode): unknown {
        switch (node.kind) {
            case "variable":
                return this.variables[node.name] ?? null;
            case "literal":
                return node.value;
            case "enum":
                return node.value;
            case "list":
                return node.items.map((item) => this.value(item));
            case "object":
                return Object.fromEntries(Object.entries(node.fields).map(([k, v]) => [k, this.value(v)]));
        }
    }

    private included(directives: Directive[]): boolean {
        for (const directive of directives) {
            const condition = directive.args.if === undefined ? undefined : this.value(directive.args.if);
            if (directive.name === "skip" && condition === true) return false;
            if (directive.name === "include" && condition === false) return false;
        }
        return true;
    }

    selectionSet(
        node: GraphNode,
        selections: Selection[],
        path: Array<string | number>,
        out: Record<string, unknown> = {},
    ): Record<string, unknown> {
        for (const selection of selections) {
            if (!this.included(selection.directives)) continue;
            if (selection.kind === "spread") {
                const fragment = this.doc.fragments.get(selection.name);
                if (!fragment) {
                    this.invalid.push({
                        message: `Fragment ${selection.name} was used, but not defined`,
                        locations: [selection.loc],
                        path: [this.rootPath, ...path],
                    });
                    continue;
                }
                if (this.matches(node, fragment.typeCondition)) this.selectionSet(node, fragment.selections, path, out);
                continue;
            }
            if (selection.kind === "inline") {
                if (!selection.typeCondition || this.matches(node, selection.typeCondition))
                    this.selectionSet(node, selection.selections, path, out);
                continue;
            }
            const key = selection.alias ?? selection.name;
            out[key] = this.field(node, selection, [...path, key]);
        }
        return out;
    }

    private matches(node: GraphNode, type: string): boolean {
        return node.typename === type || node.implementsTypes.includes(type);
    }

    private field(node: GraphNode, field: Extract<Selection, { kind: "field" }>, path: Array<string | number>): unknown {
        if (field.name === "__typename") return node.typename;
        const resolver = node.fields[field.name];
        if (!resolver) {
            this.invalid.push({
                path: [this.rootPath, ...path],
                extensions: { code: "undefinedField", typeName: node.typename, fieldName: field.name },
                locations: [field.loc],
                message: `Field '${field.name}' doesn't exist on type '${node.typename}'`,
            });
            return null;
        }
        const args = Object.fromEntries(Object.entries(field.args).map(([k, v]) => [k, this.value(v)]));
        let value: Resolved;
        try {
            value = resolver(args, field.selections);
        } catch (err) {
            if (err instanceof FieldError) {
                this.errors.push({ type: err.type, path, locations: [field.loc], message: err.message });
                return null;
            }
            if (err instanceof ValidationError) {
                this.invalid.push({
                    path: [this.rootPath, ...path],
                    extensions: err.extensions,
                    locations: [field.loc],
                    message: err.message,
                });
                return null;
            }
            throw err;
        }
        return this.complete(value, field, path);
    }

    private complete(value: Resolved, field: Extract<Selection, { kind: "field" }>, path: Array<string | number>): unknown {
        if (Array.isArray(value)) return value.map((item, i) => this.complete(item, field, [...path, i]));
        if (value instanceof GraphNode) {
            if (!field.selections) {
                this.invalid.push({
                    path: [this.rootPath, ...path],
                    locations: [field.loc],
                    message: `Field must have selections (field '${field.name}' returns ${value.typename} but has no selections. Did you mean '${field.name} { ... }'?)`,
                });
                return null;
            }
            return this.selectionSet(value, field.selections, path);
        }
        if (field.selections && value !== null) {
            this.invalid.push({
                path: [this.rootPath, ...path],
                locations: [field.loc],
                message: `Selections can't be made on scalars (field '${field.name}' returns ${typeof value} but has selections)`,
            });
            return null;
        }
        return value;
    }
}

/**
 * Runs the document's operation (the one named `operationName`, or the only
 * one) against `root`. Only queries run; mutations are refused.
 */
export function execute(
    source: string,
    variables: Record<string, unknown>,
    operationName: string | undefined,
    root: GraphNode,
): GraphQLResponse {
    let doc: Document;
    try {
        doc = parseDocument(source);
    } catch (err) {
        if (err instanceof GraphQLSyntaxError) return { errors: [{ message: err.message, locations: [err.loc] }] };
        throw err;
    }
    const operation = operationName ? doc.operations.find((op) => op.name === operationName) : doc.operations[0];
    if (!operation)
        return { errors: [{ message: operationName ? `No operation named "${operationName}"` : "No operations in query document" }] };
    if (!operationName && doc.operations.length > 1) return { errors: [{ message: "An operation name is required" }] };
    if (operation.type !== "query") return { errors: [{ message: `fake GitHub: ${operation.type} operations are not implemented` }] };
    const values: Record<string, unknown> = {};
    for (const def of operation.variables) {
        values[def.name] = variables[def.name] ?? (def.defaultValue ? new Execution(doc, {}, "").value(def.defaultValue) : null);
    }
    const run = new Execution(doc, values, operation.name ? `query ${operation.name}` : "query");
    const data = run.selectionSet(root, operation.selections, []);
    if (run.invalid.length > 0) return { errors: run.invalid };
    return run.errors.length > 0 ? { data, errors: run.errors } : { data };
}
