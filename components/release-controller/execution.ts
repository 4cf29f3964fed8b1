// What each of the release controller's two functions is made of: its bundled code, its environment, its log
// group and its execution role with the role's one policy.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { ReleaseControllerArgs } from "./args";
import { bundleHandler, LAMBDA_RUNTIME, type HandlerBundle } from "./bundle";
import { HANDLER_EXPORT, RELEASE_CONTROLLER_ENV } from "./env";
import { trustPolicy } from "./policy";

/** A function's log group, its execution role and the role's one policy, which `policyOf` writes from the log group's ARN. */
export function execution(
    component: pulumi.ComponentResource,
    fn: string,
    what: string,
    args: ReleaseControllerArgs,
    policyOf: (logGroupArn: pulumi.Output<string>) => pulumi.Input<string>,
) {
    const parent = { parent: component };
    const logs = new aws.cloudwatch.LogGroup(fn, { name: `/aws/lambda/${fn}`, retentionInDays: args.logRetentionDays ?? 30 }, parent);
    const role = new aws.iam.Role(
        fn,
        {
            description: `conveyor release controller: ${what} (Lambda execution)`,
            assumeRolePolicy: JSON.stringify(trustPolicy("lambda.amazonaws.com")),
        },
        parent,
    );
    const rolePolicy = new aws.iam.RolePolicy(fn, { role: role.name, policy: policyOf(logs.arn) }, parent);
    return { logs, role, rolePolicy };
}

/** The function's code: `entry` bundled by esbuild, as `index.js`, on the runtime it targets. */
export function code(
    component: pulumi.ComponentResource,
    entry: string,
): Pick<aws.lambda.FunctionArgs, "runtime" | "architectures" | "handler" | "code"> {
    const bundle: HandlerBundle = bundleHandler(entry);
    // Fire and forget: a constructor cannot wait, and the engine prints the warning whenever it arrives.
    for (const warning of bundle.warnings) void pulumi.log.warn(`${entry}: ${warning}`, component);
    return {
        runtime: LAMBDA_RUNTIME,
        // Plain JavaScript with no native modules: Graviton costs less for the same work.
        architectures: ["arm64"],
        handler: `index.${HANDLER_EXPORT}`,
        code: new pulumi.asset.AssetArchive({ "index.js": new pulumi.asset.StringAsset(bundle.code) }),
    };
}

/** Both functions' plain variables: the caller's, the ops repository, the queue; then the function's `own`. */
export function environment(args: ReleaseControllerArgs, queue: aws.sqs.Queue, own: Record<string, pulumi.Input<string>>) {
    return {
        variables: {
            ...args.environment,
            [RELEASE_CONTROLLER_ENV.opsOwner]: args.opsRepository.owner,
            [RELEASE_CONTROLLER_ENV.opsRepo]: args.opsRepository.repo,
            [RELEASE_CONTROLLER_ENV.queueUrl]: queue.url,
            ...own,
        },
    };
}
