import * as pulumi from "@pulumi/pulumi";
import { ownersAlarms, ownersTopic } from "./alarms";
import { validate, type ReleaseControllerArgs } from "./args";
import { intakeFunction } from "./intake-function";
import { trainSchedule, workQueue } from "./queue";
import { storeSecrets } from "./secrets";
import { workerFunction } from "./worker-function";

/**
 * The release controller in AWS. Webhooks from GitHub and CircleCI reach a small intake function through a
 * function URL; it checks each one and puts it on a FIFO queue, answering at once. The schedule puts the
 * train on the same queue. One worker function (reserved concurrency 1) does the work from the queue in
 * order, reporting failed messages back for a delayed retry; after a bounded number of receives a message goes
 * to the dead-letter queue, and the release owners are alarmed. Tokens live in Secrets Manager, each role holds
 * only what its function uses, and logs are kept for a bounded time.
 */
export class ReleaseController extends pulumi.ComponentResource {
    /** The webhook intake, behind the function URL. */
    public readonly intakeFunctionName: pulumi.Output<string>;
    /** The worker, fed by the queue. */
    public readonly workerFunctionName: pulumi.Output<string>;
    /** Where GitHub and CircleCI send their webhooks. */
    public readonly functionUrl: pulumi.Output<string>;
    /** The work queue (FIFO). */
    public readonly queueUrl: pulumi.Output<string>;
    /** Where work that failed every attempt is kept, for the owners to look at and redrive. */
    public readonly deadLetterQueueUrl: pulumi.Output<string>;
    /** The release owners' topic. */
    public readonly topicArn: pulumi.Output<string>;

    constructor(name: string, args: ReleaseControllerArgs, opts?: pulumi.ComponentResourceOptions) {
        super("conveyor:release-controller:ReleaseController", name, {}, opts);
        const problems = validate(name, args);
        if (problems.length > 0) throw new Error(problems.join("\n"));
        const workerTimeout = args.timeoutSeconds ?? 900;

        const secrets = storeSecrets(this, name, args);
        const { deadLetters, queue } = workQueue(this, name, args, workerTimeout);
        const topic = ownersTopic(this, name, args.owners);
        const { intake, url } = intakeFunction(this, name, args, secrets, queue);
        const worker = workerFunction(this, name, args, secrets, queue, topic, workerTimeout);
        trainSchedule(this, name, args, queue);
        ownersAlarms(this, name, { topic, intake, worker, queue, deadLetters });

        this.intakeFunctionName = intake.name;
        this.workerFunctionName = worker.name;
        this.functionUrl = url.functionUrl;
        this.queueUrl = queue.url;
        this.deadLetterQueueUrl = deadLetters.url;
        this.topicArn = topic.arn;
        this.registerOutputs({
            intakeFunctionName: this.intakeFunctionName,
            workerFunctionName: this.workerFunctionName,
            functionUrl: this.functionUrl,
            queueUrl: this.queueUrl,
            deadLetterQueueUrl: this.deadLetterQueueUrl,
            topicArn: this.topicArn,
        });
    }
}
