// An in-memory SQS FIFO queue with one message group, and the Lambda event source mapping that feeds it to a
// function, with the documented semantics the release controller relies on:
// - deduplication: a message whose deduplication id (or, with content-based deduplication, the SHA-256 of its
//   body) was sent in the last five minutes is accepted and dropped;
// - order: messages come out in the order they were sent, and nothing of the group is delivered while an
//   earlier message of it is in flight (received, not deleted, still invisible);
// - visibility: a received message reappears when its visibility timeout ends, or when ChangeMessageVisibility
//   says; a function error fails the whole batch, ReportBatchItemFailures keeps only the listed messages;
// - redrive: a message received maxReceiveCount times moves to the dead-letter queue instead of a new receive.
// Time is the test's own clock, so hours of backoff take no time.
import { createHash, randomUUID } from "node:crypto";
import type { BatchResponse, SqsEvent, SqsRecord, WorkerContext } from "../../controller/worker";

export const DEDUPLICATION_WINDOW_MS = 5 * 60_000;

export interface FakeFifoQueueOptions {
    /** The test's clock, in ms. */
    readonly now: () => number;
    readonly visibilityTimeoutSeconds: number;
    readonly maxReceiveCount: number;
    /** Messages sent without a deduplication id are deduplicated on their body's SHA-256. */
    readonly contentBasedDeduplication?: boolean;
}

export interface FakeMessage {
    readonly messageId: string;
    readonly body: string;
    readonly deduplicationId: string;
    receiveCount: number;
    /** When it can be received again; 0 until first received. */
    visibleAt: number;
    receiptHandle?: string;
    inFlight: boolean;
}

export class FakeFifoQueue {
    readonly messages: FakeMessage[] = [];
    readonly deadLetters: FakeMessage[] = [];
    /** Every SendMessage accepted, duplicates included. */
    sends = 0;
    duplicatesDropped = 0;
    private readonly seen = new Map<string, { at: number; messageId: string }>();

    constructor(private readonly options: FakeFifoQueueOptions) {}

    /** SendMessage: SQS answers a duplicate as it does the original, and keeps one. */
    send(body: string, deduplicationId?: string): { messageId: string } {
        const id =
            deduplicationId ?? (this.options.contentBasedDeduplication ? createHash("sha256").update(body).digest("hex") : undefined);
        if (id === undefined) throw new Error("fake SQS: a FIFO queue without content-based deduplication needs a MessageDeduplicationId");
        if (id.length > 128) throw new Error("fake SQS: MessageDeduplicationId is longer than 128 characters");
        this.sends++;
        const now = this.options.now();
        const earlier = this.seen.get(id);
        if (earlier && now - earlier.at < DEDUPLICATION_WINDOW_MS) {
            this.duplicatesDropped++;
            return { messageId: earlier.messageId };
        }
        const message: FakeMessage = { messageId: randomUUID(), body, deduplicationId: id, receiveCount: 0, visibleAt: 0, inFlight: false };
        this.seen.set(id, { at: now, messageId: message.messageId });
        this.messages.push(message);
        return { messageId: message.messageId };
    }

    /** Messages waiting or in flight. */
    get depth(): number {
        return this.messages.length;
    }

    /** The next batch of the group, or none while one of it is in flight or the head is not visible yet. */
    receive(max: number): SqsRecord[] {
        const now = this.options.now();
        for (const m of this.messages) if (m.inFlight && m.visibleAt <= now) m.inFlight = false;
        if (this.messages.some((m) => m.inFlight)) return [];
        const batch: FakeMessage[] = [];
        while (batch.length < max) {
            const head = this.messages.find((m) => !m.inFlight && !batch.includes(m));
            if (!head || head.visibleAt > now) break;
            if (head.receiveCount >= this.options.maxReceiveCount) {
                this.messages.splice(this.messages.indexOf(head), 1);
                this.deadLetters.push(head);
                continue;
            }
            head.receiveCount++;
            head.inFlight = true;
            head.visibleAt = now + this.options.visibilityTimeoutSeconds * 1000;
            head.receiptHandle = randomUUID();
            batch.push(head);
        }
        return batch.map((m) => ({
            messageId: m.messageId,
            receiptHandle: m.receiptHandle!,
            body: m.body,
            attributes: { ApproximateReceiveCount: String(m.receiveCount) },
        }));
    }

    delete(receiptHandle: string): void {
        const i = this.messages.findIndex((m) => m.receiptHandle === receiptHandle);
        if (i >= 0) this.messages.splice(i, 1);
    }

    /** ChangeMessageVisibility, from now; 0 makes it visible at once (and lets the group move). */
    changeVisibility(receiptHandle: string, seconds: number): void {
        const m = this.messages.find((x) => x.receiptHandle === receiptHandle);
        if (!m) throw new Error("fake SQS: ReceiptHandleIsInvalid");
        if (!Number.isInteger(seconds) || seconds < 0 || seconds > 43_200)
            throw new Error(`fake SQS: VisibilityTimeout ${seconds} is out of range`);
        m.visibleAt = this.options.now() + seconds * 1000;
        if (seconds === 0) m.inFlight = false;
    }

    /** When the next message can be received: the head of the group's, which holds back every other. */
    nextVisibleAt(): number | undefined {
        return this.messages[0]?.visibleAt;
    }

    /**
     * One poll of the event source mapping: a batch to the function, then the batch's successes deleted. A
     * function that throws fails the whole batch (the messages reappear when their visibility ends). Returns
     * the number of messages handed over.
     */
    async poll(
        fn: (event: SqsEvent, context: WorkerContext) => Promise<BatchResponse>,
        batchSize: number,
        context: WorkerContext,
    ): Promise<number> {
        const records = this.receive(batchSize);
        if (records.length === 0) return 0;
        let response: BatchResponse;
        try {
            response = await fn({ Records: records }, context);
        } catch {
            return records.length;
        }
        const failed = new Set(response.batchItemFailures.map((f) => f.itemIdentifier));
        for (const r of records) if (!failed.has(r.messageId)) this.delete(r.receiptHandle);
        return records.length;
    }
}
