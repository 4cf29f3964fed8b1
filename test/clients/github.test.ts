// The GitHub client's bounded waits, against the fake: a rate limit is sat out only when it resets within the
// budget; otherwise the call fails at once, saying when to try again.
import * as assert from "node:assert/strict";
import { createGitHub, gitHubFromEnv, RateLimitError, rateLimitResetOf, type GitHubOptions } from "../../clients/github";
import { InputError } from "../../config/input-error";
import { faults, startFakeGitHub, type FakeGitHub } from "../fakes/github";

const TOKEN = "ghs_client-test";

describe("GitHub client: bounded rate-limit waits", function () {
    this.timeout(30_000);
    let fake: FakeGitHub;
    beforeEach(async () => {
        fake = await startFakeGitHub();
        fake.state.token = TOKEN;
        fake.state.addRepo("acme/ops");
    });
    afterEach(() => fake.close());

    const client = (maxWaitMs?: number | (() => number)) =>
        createGitHub({
            token: TOKEN,
            baseUrl: fake.url,
            throttle: true,
            retryAfterBaseMs: 10,
            ...(maxWaitMs === undefined ? {} : { maxWaitMs }),
        });
    const REPO = /^\/repos\/acme\/ops$/;

    it("fails at once on a primary limit that resets in an hour, with the reset time in the message", async () => {
        const reset = Math.floor(Date.now() / 1000) + 3600;
        fake.fail({ method: "GET", path: REPO }, faults.rateLimited(reset), 1);
        const started = Date.now();
        const err = await client()
            .rest.repos.get({ owner: "acme", repo: "ops" })
            .then(
                () => assert.fail("the call succeeded"),
                (e: unknown) => e,
            );
        assert.ok(err instanceof RateLimitError, String(err));
        assert.equal(err.resetAt.getTime(), reset * 1000);
        assert.match(
            err.message,
            new RegExp(
                `resets at ${new Date(reset * 1000).toISOString().replace(/[.]/g, "\\.")} \\(in 3\\d{3} s\\), later than this run waits \\(60 s\\)`,
            ),
        );
        assert.equal(err.status, 403);
        assert.ok(Date.now() - started < 5_000, "no wait");
        assert.equal(fake.requests.length, 1, "not repeated");
    });

    it("fails at once on a secondary limit longer than the budget, and sits out one within it", async () => {
        fake.fail({ method: "GET", path: REPO }, faults.secondaryRateLimit(120), 1);
        const err = await client()
            .rest.repos.get({ owner: "acme", repo: "ops" })
            .catch((e: unknown) => e);
        assert.ok(err instanceof RateLimitError);
        assert.match(err.message, /\(in 1[12]\d s\)/);

        fake.clearRequests();
        fake.fail({ method: "GET", path: REPO }, faults.secondaryRateLimit(1), 1);
        const res = await client().rest.repos.get({ owner: "acme", repo: "ops" });
        assert.equal(res.status, 200);
        assert.equal(fake.requests.length, 2, "waited a second, then asked again");
    });

    it("takes its budget from a function, so a shrinking budget (a Lambda's remaining time) is honoured", async () => {
        fake.fail({ method: "GET", path: REPO }, faults.secondaryRateLimit(2), 1);
        const err = await client(() => 1_000)
            .rest.repos.get({ owner: "acme", repo: "ops" })
            .catch((e: unknown) => e);
        assert.ok(err instanceof RateLimitError, "2 s is more than the 1 s left");
    });

    it("reads reset times as octokit's throttling does, and nothing from other errors", () => {
        const now = Date.UTC(2026, 11, 4, 8);
        const headers = (h: Record<string, string>) => ({ response: { headers: h } });
        assert.equal(
            rateLimitResetOf(
                {
                    status: 403,
                    message: "API rate limit exceeded",
                    ...headers({ "x-ratelimit-remaining": "0", "x-ratelimit-reset": String(now / 1000 + 600) }),
                },
                now,
            )?.getTime(),
            now + 600_000,
        );
        assert.equal(
            rateLimitResetOf(
                { status: 403, message: "You have exceeded a secondary rate limit", ...headers({ "retry-after": "30" }) },
                now,
            )?.getTime(),
            now + 30_000,
        );
        assert.equal(
            rateLimitResetOf({ status: 403, message: "You have exceeded a secondary rate limit", ...headers({}) }, now)?.getTime(),
            now + 60_000,
        );
        assert.equal(
            rateLimitResetOf(
                { status: 403, message: "Resource not accessible by integration", ...headers({ "x-ratelimit-remaining": "4999" }) },
                now,
            ),
            undefined,
        );
        assert.equal(rateLimitResetOf({ status: 404 }, now), undefined);
        assert.equal(rateLimitResetOf(new Error("socket hang up"), now), undefined);
    });

    describe("write pacing (writeDelayMs)", () => {
        type Client = ReturnType<typeof createGitHub>;
        const labelWrite = (gh: Client, name: string) => gh.rest.issues.createLabel({ owner: "acme", repo: "ops", name });
        /** Three writes at once from three clients: when each one reached GitHub, in order. */
        const threeWrites = async (
            writeDelayMs?: number,
            write: (gh: Client, name: string) => Promise<unknown> = labelWrite,
            client: (o: GitHubOptions) => Client = createGitHub,
        ): Promise<number[]> => {
            // A read first, so that the first write's arrival does not carry the connection's setup.
            await createGitHub({ token: TOKEN, baseUrl: fake.url }).rest.repos.get({ owner: "acme", repo: "ops" });
            await Promise.all(
                ["a", "b", "c"].map((name) =>
                    write(client({ token: TOKEN, baseUrl: fake.url, ...(writeDelayMs === undefined ? {} : { writeDelayMs }) }), name),
                ),
            );
            return fake.requests
                .filter((r) => r.method === "POST")
                .map((r) => r.at)
                .sort((x, y) => x - y);
        };
        const gaps = (t: number[]) => t.slice(1).map((x, i) => x - t[i]);

        it("spaces writes from every client of the process writeDelayMs apart, one at a time", async () => {
            const at = await threeWrites(300);
            assert.ok(
                gaps(at).every((g) => g >= 250),
                `gaps ${gaps(at).join(", ")} ms`,
            );
            assert.equal(fake.writes(), 3);
        });

        it("0 sends them back to back, where octokit's default would take two seconds", async () => {
            const at = await threeWrites(0);
            assert.ok(at[2] - at[0] < 900, `took ${at[2] - at[0]} ms`);
            assert.deepEqual(
                fake.state
                    .repo("acme/ops")
                    .labels.map((l) => l.name)
                    .sort(),
                ["a", "b", "c"],
            );
        });

        it("still sits out a rate limit with no write delay", async () => {
            fake.fail({ method: "POST", path: /\/labels$/ }, faults.secondaryRateLimit(1), 1);
            const res = await createGitHub({ token: TOKEN, baseUrl: fake.url, writeDelayMs: 0 }).rest.issues.createLabel({
                owner: "acme",
                repo: "ops",
                name: "later",
            });
            assert.equal(res.status, 201);
            assert.deepEqual(
                fake.requests.map((r) => r.status),
                [403, 201],
            );
        });

        it("spaces writes that notify people (comments) three gaps apart, as octokit does", async () => {
            const issue = fake.state.repo("acme/ops").addIssue("Release train");
            const at = await threeWrites(150, (gh, body) =>
                gh.rest.issues.createComment({ owner: "acme", repo: "ops", issue_number: issue.number, body }),
            );
            assert.ok(
                // three times 150, not octokit's own 3000
                gaps(at).every((g) => g >= 400 && g < 2_500),
                `gaps ${gaps(at).join(", ")} ms`,
            );
            assert.deepEqual(
                fake.state
                    .repo("acme/ops")
                    .issueComments(issue.number)
                    .map((c) => c.body)
                    .sort(),
                ["a", "b", "c"],
            );
        });

        it("GITHUB_WRITE_DELAY_MS sets the gap of the commands' client; a value that is not whole milliseconds is refused by name", async () => {
            const fromEnv = (o: GitHubOptions) =>
                gitHubFromEnv({ GITHUB_TOKEN: TOKEN, GITHUB_API_URL: o.baseUrl, GITHUB_WRITE_DELAY_MS: String(o.writeDelayMs) });
            const at = await threeWrites(300, labelWrite, fromEnv);
            assert.ok(
                gaps(at).every((g) => g >= 250),
                `gaps ${gaps(at).join(", ")} ms`,
            );
            for (const bad of ["1s", "-5", "", "1e3"])
                assert.throws(
                    () => gitHubFromEnv({ GITHUB_TOKEN: TOKEN, GITHUB_WRITE_DELAY_MS: bad }),
                    // bad input (exit 2 in the CLI), not a failure
                    (e: Error) =>
                        e instanceof InputError &&
                        e.message.startsWith(`GITHUB_WRITE_DELAY_MS: "${bad}" is not a whole number of milliseconds`),
                );
        });

        it("refuses a gap that is not a whole number of milliseconds", () => {
            assert.throws(() => createGitHub({ token: TOKEN, baseUrl: fake.url, writeDelayMs: -1 }), /writeDelayMs: -1/);
        });
    });
});
