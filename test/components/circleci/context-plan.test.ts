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
        const { AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, NPM_TOKEN } = VALUES;
        const reordered = { NPM_TOKEN, AWS_SECRET_ACCESS_KEY, AWS_ACCESS_KEY_ID };
        assert.equal(diffContext(olds, inputs({ variables: reordered })).changes, false, "variables declared in another order");
        const padded = inputs({ organizationId: ` ${ORG}\n`, projectRestrictions: [` ${PROJECT_A} `] });
        assert.deepEqual(diffContext(olds, padded), { changes: false, replaces: [], deleteBeforeReplace: false }, "ids pasted with spaces");
    });

    it("leaves an unrestricted context without variables as it is, restrictions declared empty or left out", () => {
        const bare: ContextOutputs = { ...olds, projectRestrictions: [], variableNames: [], variableDigests: {} };
        for (const projectRestrictions of [[], undefined])
            assert.equal(diffContext(bare, inputs({ variables: {}, projectRestrictions })).changes, false, String(projectRestrictions));
    });

    it("replaces on a new name or organisation, deleting first", () => {
        assert.deepEqual(diffContext(olds, inputs({ name: "deploy-production" })), {
            changes: true,
            replaces: ["name"],
            deleteBeforeReplace: true,
        });
        assert.deepEqual(diffContext(olds, inputs({ organizationId: OTHER_ORG })).replaces, ["organizationId"]);
    });

    it("updates in place for a changed, added or removed variable, changed restrictions, or either not known yet in preview", () => {
        const cases: Array<Partial<ContextInputs>> = [
            { variables: { ...VALUES, NPM_TOKEN: "npm_rotated" } },
            { variables: { ...VALUES, EXTRA: "x" } },
            { variables: { AWS_ACCESS_KEY_ID: VALUES.AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: VALUES.AWS_SECRET_ACCESS_KEY } },
            { projectRestrictions: [PROJECT_A, PROJECT_B] },
            { projectRestrictions: [PROJECT_B] },
            { projectRestrictions: undefined },
            { variables: { ...VALUES, NPM_TOKEN: UNKNOWN_VALUE } },
            { variables: UNKNOWN_VALUE as never },
            { projectRestrictions: UNKNOWN_VALUE as never },
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

    it("checks names and ids in preview, never echoing a value; lets unknowns, absent restrictions and ids pasted with spaces through", () => {
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
            checkInputs(
                inputs({
                    name: UNKNOWN_VALUE,
                    organizationId: UNKNOWN_VALUE,
                    variables: UNKNOWN_VALUE as never,
                    projectRestrictions: UNKNOWN_VALUE as never,
                }),
            ),
            [],
        );
        assert.deepEqual(checkInputs(inputs({ projectRestrictions: undefined })), [], "no restrictions: open to every project");
        const padded = inputs({ organizationId: ` ${ORG}\n`, projectRestrictions: [` ${PROJECT_A} `] });
        assert.deepEqual(checkInputs(padded), [], "ids pasted with spaces");
    });

    it("refuses in preview what CircleCI would reject, naming the property and why", () => {
        const cases: Array<[Record<string, unknown>, string, RegExp]> = [
            [{ name: "" }, "name", /non-empty/],
            [{ name: "   " }, "name", /non-empty/],
            [{ name: 42 }, "name", /non-empty/],
            [{ organizationId: "acme" }, "organizationId", /organisation id \(a UUID\)/],
            [{ variables: "AWS_ACCESS_KEY_ID=x" }, "variables", /must be a map of name to value/],
            [{ variables: null }, "variables", /must be a map of name to value/],
            [{ variables: ["AWS_ACCESS_KEY_ID"] }, "variables", /must be a map of name to value/],
            [{ variables: { "1BAD": "x" } }, "variables", /^"1BAD" is not a valid environment variable name/],
            [{ variables: { PORT: 8080 } }, "variables", /^the value of "PORT" must be a string/],
            [{ projectRestrictions: PROJECT_A }, "projectRestrictions", /must be a list of project ids/],
            [{ projectRestrictions: ["nope"] }, "projectRestrictions", /^"nope" is not a project id/],
        ];
        for (const [over, property, reason] of cases) {
            const failures = checkInputs(inputs(over));
            assert.deepEqual(
                failures.map((f) => f.property),
                [property],
                JSON.stringify(over),
            );
            assert.match(failures[0].reason, reason);
        }
    });
});
