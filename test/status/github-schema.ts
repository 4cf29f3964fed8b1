// GitHub's published GraphQL schema (@octokit/graphql-schema), for checking the queries conveyor sends.
import * as fs from "fs";
import * as path from "path";
import { buildSchema, parse, validate, type GraphQLSchema } from "graphql";
import { REPO_ROOT } from "../workspace-fixture";

let schema: GraphQLSchema | undefined;

/** What GitHub's schema says is wrong with `query` (none when it would accept it); the schema is built once. */
export function schemaErrors(query: string): string[] {
    // The published SDL defines two enterprise fields twice; nothing our queries touch.
    schema ??= buildSchema(fs.readFileSync(path.join(REPO_ROOT, "node_modules/@octokit/graphql-schema/schema.graphql"), "utf8"), {
        assumeValidSDL: true,
    });
    return validate(schema, parse(query)).map((e) => e.message);
}
