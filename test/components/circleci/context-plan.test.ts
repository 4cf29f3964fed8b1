// The CircleCI Context's pure plans (components/circleci/context-plan.ts): the checks of its inputs, the diff,
// and what to create, update and delete of its variables and restrictions.
import * as assert from "node:assert/strict";
import {
    checkInputs,
    diffContext,
    planRestrictions,
    planVariables,
    UNKNOWN_VALUE,
    variableDigest,
    type ContextInputs,
    type ContextOutputs,
} from "../../../components/circleci/context-plan";
import { assertNoValue, inputs, ORG, OTHER_ORG, PROJECT_A, PROJECT_B, VALUES } from "./context-fixture";

describe("CircleCI context: plans", () => {
    const olds: ContextOutputs = {
        contextId: "ctx-1",
        name: "deploy-prod",
        organizationId: ORG,
        projectRestrictions: [PROJECT_A],
        variableNames: Object.keys(VALUES).sort(),
        variableDigests: Object.fromEntries(Object.entries(VALUES).map(([n, v]) => [n, variableDigest("ctx-1", n, v)])),
    };

    it("sees no change when names, values and restrictions match", () => {
        assert.deepEqual(diffContext(olds, inputs()), { changes: false, replaces: [], deleteBeforeReplace: false });
        assert.equal(diffContext(olds, inputs({ organizationId: ORG.toUpperCase() })).changes, false, "UUIDs compare without case");
        assert.equal(diffContext({ ...olds, organizationId: "" }, inputs()).changes, false, "an organisation a read could not learn");
    });

    it("replaces on a new name or organisation, deleting first", () => {
        assert.deepEqual(diffContext(olds, inputs({ name: "deploy-production" })), {
            changes: true,
            replaces: ["name"],
            deleteBeforeReplace: true,
        });
        assert.deepEqual(diffContext(olds, inputs({ organizationId: OTHER_ORG })).replaces, ["organizationId"]);
    });

    it("updates in place for a changed, added or removed variable, or changed restrictions", () => {
        const cases: Array<Partial<ContextInputs>> = [
            { variables: { ...VALUES, NPM_TOKEN: "npm_rotated" } },
            { variables: { ...VALUES, EXTRA: "x" } },
            { variables: { AWS_ACCESS_KEY_ID: VALUES.AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: VALUES.AWS_SECRET_ACCESS_KEY } },
            { projectRestrictions: [PROJECT_A, PROJECT_B] },
            { projectRestrictions: undefined },
            { variables: { ...VALUES, NPM_TOKEN: UNKNOWN_VALUE } },
        ];
        for (const c of cases)
            assert.deepEqual(
                diffContext(olds, inputs(c)),
                { changes: true, replaces: [], deleteBeforeReplace: false },
                JSON.stringify(Object.keys(c)),
            );
        assert.equal(
            diffContext(
                { ...olds, projectRestrictions: [PROJECT_B, PROJECT_A] },
                inputs({ projectRestrictions: [PROJECT_A, PROJECT_B.toUpperCase()] }),
            ).changes,
            false,
        );
    });

    it("salts digests with the context id and the name", () => {
        assert.notEqual(variableDigest("ctx-1", "A", "v"), variableDigest("ctx-2", "A", "v"));
        assert.notEqual(variableDigest("ctx-1", "A", "v"), variableDigest("ctx-1", "B", "v"));
        assert.match(variableDigest("ctx-1", "A", "v"), /^[0-9a-f]{64}$/);
    });

    it("writes what is new, changed or missing on CircleCI, removes what is undeclared, leaves the rest", () => {
        const digestOf = (n: string, v: string) => `${n}=${v}`;
        const plan = planVariables({ A: "1", B: "2", C: "3" }, ["A", "B", "Z"], { A: "A=1", B: "B=old", C: "C=3" }, digestOf);
        assert.deepEqual(plan, { put: ["B", "C"], remove: ["Z"] });
    });

    it("owns only project restrictions, and each project once", () => {
        const live = [
            { id: "r1", type: "project", value: PROJECT_A },
            { id: "r2", type: "project", value: PROJECT_A.toUpperCase() },
            { id: "r3", type: "expression", value: 'pipeline.git.branch == "main"' },
            { id: "r4", type: "project", value: PROJECT_B },
        ];
        assert.deepEqual(planRestrictions(live, [PROJECT_A, "0b9e3c1a-0000-4000-8000-0000000000c3"]), {
            create: ["0b9e3c1a-0000-4000-8000-0000000000c3"],
            remove: ["r2", "r4"],
        });
    });

    it("checks names and ids in preview, never echoing a value, and lets unknowns through", () => {
        const failures = checkInputs(
            inputs({ organizationId: "acme", variables: { "1BAD": VALUES.NPM_TOKEN, OK: UNKNOWN_VALUE }, projectRestrictions: ["nope"] }),
        );
        assert.deepEqual(
            failures.map((f) => f.property),
            ["organizationId", "variables", "projectRestrictions"],
        );
        assertNoValue(JSON.stringify(failures), "a check failure");
        assert.deepEqual(checkInputs(inputs()), []);
        assert.deepEqual(
            checkInputs(inputs({ name: UNKNOWN_VALUE, organizationId: UNKNOWN_VALUE, variables: UNKNOWN_VALUE as never })),
            [],
        );
    });
});
