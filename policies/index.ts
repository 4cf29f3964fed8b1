// The pack's entry module: registration only, so tests can import each domain without starting the
// policy server that `new PolicyPack` launches.
import { PolicyPack } from "@pulumi/policy";
import { awsPolicies } from "./aws";
import { cloudflarePolicies } from "./cloudflare";
import { configPolicies } from "./config";
import { githubPolicies } from "./github";
import { secretPolicies } from "./secrets";

new PolicyPack("conveyor", {
    policies: [...githubPolicies, ...secretPolicies, ...awsPolicies, ...cloudflarePolicies, ...configPolicies],
});
