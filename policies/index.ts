// policies/: the CrossGuard policy pack. pulumi runs it in a process of its own beside the program, so it
// imports nothing of conveyor: each policy reads what the engine hands it.
//
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
