// The CircleCI Context as a program registers it, on Pulumi's mocks: its inputs as the engine receives them,
// values secret.
import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { Context } from "../../../components/circleci/context";
import { registrationsSettled, watchRegistrations } from "../../../cli/synth";
import { assertNoValue, ORG, PROJECT_A, VALUES } from "./context-fixture";

describe("CircleCI context: the resource on Pulumi mocks", () => {
    // Pulumi's wire markers (sdk/nodejs/runtime/rpc.ts).
    const SIG_KEY = "4dabf18193072939515e22adb298388d";
    const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

    interface Registration {
        type: string;
        inputs: Record<string, unknown>;
        additionalSecretOutputs: string[];
        deleteBeforeReplace: boolean;
    }

    it("registers pulumi-nodejs:dynamic/circleci:Context with its variables secret and digests as secret outputs", async () => {
        await pulumi.runtime.setMocks(
            {
                newResource: (a) => ({ id: `${a.name}-id`, state: { ...a.inputs, contextId: "ctx-id", variableNames: ["NPM_TOKEN"] } }),
                call: (a) => a.inputs,
            },
            "conveyor",
            "org",
            false,
        );
        const seen = recordRegistrations();
        let context: Context | undefined;
        await pulumi.runtime.runInPulumiStack(async () => {
            context = new Context("releases", {
                name: "releases",
                organizationId: ORG,
                variables: { NPM_TOKEN: VALUES.NPM_TOKEN, GITHUB_TOKEN: pulumi.output("ghp_mock_value_0008") },
                projectRestrictions: [PROJECT_A],
            });
            return {};
        });
        await registrationsSettled();
        const registered = seen.find((r) => r.type === "pulumi-nodejs:dynamic/circleci:Context");
        assert.ok(registered, `registered: ${seen.map((r) => r.type).join(", ")}`);
        const variables = registered.inputs.variables as Record<string, unknown>;
        assert.equal(variables[SIG_KEY], SECRET_SIG, "variables travel as a secret");
        assert.equal(registered.inputs.name, "releases");
        assert.deepEqual(registered.additionalSecretOutputs, ["variableDigests"]);
        assert.equal(registered.deleteBeforeReplace, true);
        assert.ok(
            typeof registered.inputs.__provider === "string" && registered.inputs.__provider.length > 0,
            "the provider was serialised",
        );
        assertNoValue(String(registered.inputs.__provider), "the serialised provider");
        assert.equal(await new Promise((resolve) => context!.contextId.apply(resolve)), "ctx-id");
    });

    /** Every registration as the engine receives it, recorded the way cli/synth.ts records a synth. */
    function recordRegistrations(): Registration[] {
        const into: Registration[] = [];
        watchRegistrations((req) =>
            into.push({
                type: req.getType(),
                inputs: req.getObject()?.toJavaScript() ?? {},
                additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
                deleteBeforeReplace: req.getDeletebeforereplace(),
            }),
        );
        return into;
    }
});
