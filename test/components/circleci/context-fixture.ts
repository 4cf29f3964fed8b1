// What the CircleCI context tests share: the organisation and projects, the variables' values (which must never
// show anywhere), and the Context's inputs built from them.
import * as assert from "node:assert/strict";
import type { ContextInputs } from "../../../components/circleci/context-plan";

export const ORG = "6f1c1d2e-0000-4000-8000-00000000cafe";
export const OTHER_ORG = "6f1c1d2e-0000-4000-8000-00000000beef";
export const PROJECT_A = "0b9e3c1a-0000-4000-8000-0000000000a1";
export const PROJECT_B = "0b9e3c1a-0000-4000-8000-0000000000b2";
export const VALUES = {
    AWS_ACCESS_KEY_ID: "AKIA-not-a-real-key-0001",
    AWS_SECRET_ACCESS_KEY: "s3cr3t-value-that-must-not-leak-0002",
    NPM_TOKEN: "npm_value_never_logged_0003",
};

export const inputs = (over: Partial<ContextInputs> = {}): ContextInputs => ({
    name: "deploy-prod",
    organizationId: ORG,
    variables: { ...VALUES },
    projectRestrictions: [PROJECT_A],
    ...over,
});

/** No plaintext value, anywhere in `text`. */
export function assertNoValue(text: string, what: string): void {
    for (const value of Object.values(VALUES)) assert.ok(!text.includes(value), `${what} holds a variable value`);
}
