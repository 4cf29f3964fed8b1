// The program passes its own policy pack: every resource of the org and prod synths, through every policy. The
// policies one by one: github.test.ts, secrets.test.ts, aws.test.ts, cloudflare.test.ts, config.test.ts.
import * as assert from "node:assert/strict";
import { synthesize } from "../../cli/synth";
import { secretInputs } from "../../policies/secrets";
import { packProblems, policyResources, resourceArgs, specOf } from "../policy-harness";
import { WORKSPACE } from "../workspace-fixture";

const REPO_TYPE = "github:index/repository:Repository";

describe("policies: the program passes its own pack", () => {
    for (const stack of ["org", "prod"]) {
        it(`every resource of the ${stack} synth passes every policy`, async () => {
            const result = await synthesize({ dir: WORKSPACE, stack });
            assert.deepEqual(await packProblems(result, WORKSPACE), []);
            const custom = policyResources(result);
            // Proof the secret check sees real inputs: unwrapped (as if the program forgot pulumi.secret),
            // the stack's secret-looking inputs would be remediated.
            const plaintext = [];
            for (const r of custom)
                if (await secretInputs.remediateResource!(resourceArgs(specOf(stack, r, false)))) plaintext.push(r.name);
            assert.ok(plaintext.length > 0, "no secret-looking input in the synth");
            // The synth must actually contain what the policies judge, or this test proves nothing.
            const types = new Set(custom.map((r) => r.type));
            for (const t of stack === "org"
                ? [REPO_TYPE, "aws:lambda/function:Function", "aws:iam/rolePolicy:RolePolicy"]
                : ["aws:ecs/taskDefinition:TaskDefinition", "aws:lb/listener:Listener", "cloudflare:index/dnsRecord:DnsRecord"]) {
                assert.ok(types.has(t), t);
            }
        });
    }
});
