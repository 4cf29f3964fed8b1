import * as assert from "node:assert/strict";
import { Sentry, SentryError } from "../../clients/sentry";
import { FAKE_SENTRY_TOKEN, startFakeSentry, type FakeSentry } from "../fakes/sentry";

describe("sentry client against the fake", function () {
    this.timeout(20_000);
    let fake: FakeSentry;
    let sentry: Sentry;
    beforeEach(async () => {
        fake = await startFakeSentry({ projects: ["billing-api", "web-frontend"], repositories: ["acme-saas/billing-service"] });
        sentry = new Sentry({ url: fake.origin, organization: "acme-saas", token: FAKE_SENTRY_TOKEN, baseMs: 1 });
    });
    afterEach(async () => {
        assert.deepEqual(fake.unknownRoutes, [], "the client called only the documented endpoints");
        await fake.close();
    });

    it("creates a release with its commits once; the next time it is found, not created", async () => {
        const refs = [{ repository: "acme-saas/billing-service", commit: "b".repeat(40), previousCommit: "a".repeat(40) }];
        assert.equal(await sentry.ensureRelease("billing@42", ["billing-api"], refs), "created");
        assert.equal(await sentry.ensureRelease("billing@42", ["billing-api"], refs), "existed");
        assert.equal(fake.releases.size, 1);
        assert.deepEqual(fake.releases.get("billing@42")!.refs, refs);
        assert.equal(fake.writes(), 1);
        assert.ok(
            fake.requests.some((r) => r.path === "/api/0/organizations/acme-saas/releases/billing%4042/"),
            "the version is escaped in the path",
        );
    });

    it("keeps the release when Sentry does not know the repository: made again without commits", async () => {
        const refs = [{ repository: "acme-saas/unknown", commit: "c".repeat(40) }];
        assert.equal(await sentry.ensureRelease("web@7", ["web-frontend"], refs), "created");
        assert.equal(fake.releases.get("web@7")!.commitCount, 0);
    });

    it("takes 208 for a release made by someone else between the look and the create", async () => {
        await sentry.ensureRelease("billing@43", ["billing-api"]);
        fake.fail({ method: "GET", path: /billing%4043\/$/ }, { status: 404, body: { detail: "The requested resource does not exist" } });
        assert.equal(await sentry.ensureRelease("billing@43", ["billing-api"]), "existed");
        assert.equal(fake.releases.size, 1);
    });

    it("retries a failed create by looking again, a bounded number of times", async () => {
        fake.fail({ method: "POST" }, { status: 502, body: "bad gateway" });
        assert.equal(await sentry.ensureRelease("billing@44", ["billing-api"]), "created");
        assert.equal(fake.writes(), 2);
        fake.clearRequests();
        fake.fail({ method: "POST" }, { status: 503, body: { detail: "down" } }, 50);
        await assert.rejects(sentry.ensureRelease("billing@45", ["billing-api"]), /Sentry answered 503/);
        assert.equal(fake.writes(), 3, "three attempts, each one create");
    });

    it("does not retry a refusal, and never puts the token in an error", async () => {
        const bad = new Sentry({ url: fake.origin, organization: "acme-saas", token: "sntrys_wrongTOKENvalue", baseMs: 1 });
        await assert.rejects(bad.ensureRelease("billing@46", ["billing-api"]), (e: Error) => {
            assert.ok(e instanceof SentryError && e.status === 401, String(e));
            assert.ok(!e.message.includes("wrongTOKEN"));
            return true;
        });
        assert.equal(fake.writes(), 1);
        await assert.rejects(sentry.ensureRelease("billing@47", ["no-such-project"]), /400/);
    });

    it("records one deploy per environment and deploy name", async () => {
        await sentry.ensureRelease("billing@42", ["billing-api"]);
        const deploy = { environment: "staging", name: "staging abc1234", url: "https://circleci.example/w/1" };
        assert.equal(await sentry.ensureDeploy("billing@42", deploy), "created");
        assert.equal(await sentry.ensureDeploy("billing@42", deploy), "existed");
        assert.equal(await sentry.ensureDeploy("billing@42", { ...deploy, environment: "production", name: "prod def5678" }), "created");
        assert.deepEqual(fake.deployLines(), ["billing@42 -> staging (staging abc1234)", "billing@42 -> production (prod def5678)"]);
    });
});
