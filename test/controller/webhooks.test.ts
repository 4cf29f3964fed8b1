// The pure half of the webhooks: raw bodies, signatures, payloads and slash commands.
import * as assert from "node:assert/strict";
import {
    canWrite,
    deployResultOf,
    parseIssueComment,
    parseJson,
    parseSlashCommand,
    parseWorkflowCompleted,
    isBot,
    NOT_A_STACK_NAME,
    rawBodyOf,
    signCircleCi,
    signGitHub,
    verifyCircleCiSignature,
    verifyGitHubSignature,
} from "../../controller/webhooks";
import { configFileNames } from "../../controller/remote-workspace";

const SECRET = "s3cret";
const body = Buffer.from('{"id":"e1"}');

describe("webhook raw bodies", () => {
    it("keeps text bodies byte for byte and decodes base64 ones", () => {
        const text = rawBodyOf('{"a":"é"}', false);
        assert.ok(text.ok);
        assert.deepEqual(text.bytes, Buffer.from('{"a":"é"}', "utf8"));
        const b64 = rawBodyOf(Buffer.from("\x00\x01binary").toString("base64"), true);
        assert.ok(b64.ok);
        assert.deepEqual(b64.bytes, Buffer.from("\x00\x01binary"));
        const none = rawBodyOf(undefined, undefined);
        assert.ok(none.ok);
        assert.equal(none.bytes.length, 0);
    });

    it("refuses a body over 1 MiB, text or base64, and takes one of exactly 1 MiB", () => {
        const MiB = 1024 * 1024;
        assert.deepEqual(rawBodyOf("x".repeat(MiB + 1), false), { ok: false, reason: "too-large" });
        assert.deepEqual(rawBodyOf("é".repeat(MiB / 2 + 1), false), { ok: false, reason: "too-large" }, "counted in UTF-8 bytes");
        assert.deepEqual(rawBodyOf(Buffer.alloc(MiB + 1).toString("base64"), true), { ok: false, reason: "too-large" });
        assert.ok(rawBodyOf("x".repeat(MiB), false).ok);
        assert.ok(rawBodyOf(Buffer.alloc(MiB).toString("base64"), true).ok);
    });

    it("refuses base64 text longer than 1 MiB could encode to, unread, even when it would decode to almost nothing", () => {
        // Characters outside the base64 alphabet decode to no byte at all: only the text's own length can refuse it.
        const longest = Buffer.alloc(1024 * 1024).toString("base64").length;
        assert.deepEqual(rawBodyOf("!".repeat(longest + 1), true), { ok: false, reason: "too-large" });
    });
});

describe("webhook signatures", () => {
    it("CircleCI: accepts v1 among several versions, in any order", () => {
        const v1 = signCircleCi(SECRET, body);
        assert.ok(verifyCircleCiSignature(SECRET, body, v1));
        assert.ok(verifyCircleCiSignature(SECRET, body, `v2=abc, ${v1}`));
        assert.ok(verifyCircleCiSignature(SECRET, body, `v1=${"0".repeat(64)},${v1}`), "one right v1 is enough");
        assert.ok(verifyCircleCiSignature(SECRET, body, v1.toUpperCase().replace("V1=", "v1=")), "hex case does not matter");
    });

    it("CircleCI: refuses missing, malformed, wrong-secret and other-body signatures", () => {
        assert.equal(verifyCircleCiSignature(SECRET, body, undefined), false);
        assert.equal(verifyCircleCiSignature(SECRET, body, ""), false);
        assert.equal(verifyCircleCiSignature(SECRET, body, "v1="), false);
        assert.equal(verifyCircleCiSignature(SECRET, body, "v1=zz"), false);
        assert.equal(verifyCircleCiSignature(SECRET, body, signCircleCi(SECRET, body).slice(0, -2)), false, "truncated");
        assert.equal(verifyCircleCiSignature(SECRET, body, signCircleCi("other", body)), false);
        assert.equal(
            verifyCircleCiSignature(SECRET, body, signCircleCi(SECRET, '{"id":"e2"}')),
            false,
            "a signature replayed on another body",
        );
        assert.equal(verifyCircleCiSignature(SECRET, body, signCircleCi(SECRET, body).replace("v1=", "v2=")), false, "only v1 is known");
        assert.equal(verifyCircleCiSignature("", body, signCircleCi("", body)), false, "no secret configured verifies nothing");
    });

    it("CircleCI and GitHub: refuse a right digest with anything before or after it, without throwing on a digest of the wrong length", () => {
        const hex = signCircleCi(SECRET, body).slice("v1=".length);
        for (const v1 of [`${hex}zz`, `${hex}00`, `zz${hex}`, `00${hex}`]) {
            assert.equal(verifyCircleCiSignature(SECRET, body, `v1=${v1}`), false, `CircleCI v1=${v1}`);
            assert.equal(verifyGitHubSignature(SECRET, body, `sha256=${v1}`), false, `GitHub sha256=${v1}`);
        }
    });

    it("GitHub: sha256=<hex>, nothing else", () => {
        assert.ok(verifyGitHubSignature(SECRET, body, signGitHub(SECRET, body)));
        assert.equal(verifyGitHubSignature(SECRET, body, undefined), false);
        assert.equal(verifyGitHubSignature(SECRET, body, signGitHub(SECRET, body).replace("sha256=", "sha1=")), false);
        assert.equal(verifyGitHubSignature(SECRET, body, signGitHub(SECRET, body).slice("sha256=".length)), false, "no prefix");
        assert.equal(verifyGitHubSignature(SECRET, body, signGitHub("other", body)), false);
        const hex = signGitHub(SECRET, body).slice("sha256=".length);
        for (const other of ["sha512=", "SHA256=", "sha1=xx"]) {
            assert.equal(verifyGitHubSignature(SECRET, body, `${other}${hex}`), false, `the right digest under ${other}`);
        }
        assert.equal(verifyGitHubSignature(SECRET, Buffer.from('{"id":"e1" }'), signGitHub(SECRET, body)), false, "one byte more");
    });
});

describe("webhook payloads", () => {
    const workflow = {
        id: "3888f21b-eaa7-38e3-8f3d-75a63bba8895",
        type: "workflow-completed",
        happened_at: "2026-12-04T08:12:01.000Z",
        webhook: { id: "cf8c4fdd-0587-4da1-b4ca-4846e9640af9", name: "conveyor" },
        project: { id: "84996744-a854-4f5e-aea3-04e2851dc1d2", name: "ops", slug: "gh/acme-saas/ops" },
        organization: { id: "f22b6566-597d-46d5-ba74-99ef5bb3d85c", name: "acme-saas" },
        workflow: {
            id: "fda08377-fe7e-46b1-8992-3a7aaecac9c3",
            name: "deploy",
            created_at: "x",
            stopped_at: "y",
            url: "https://app.circleci.com/pipelines/github/acme-saas/ops/130/workflows/fda08377",
            status: "success",
        },
        pipeline: {
            id: "1285fe1d-d3a6-44fc-8886-8979558254c4",
            number: 130,
            created_at: "x",
            trigger: { type: "webhook" },
            vcs: { provider_name: "github", revision: "1dc6aa69429bff4806ad6afe58d3d8f57e25973e", branch: "main" },
        },
    };

    it("reads a workflow-completed payload and keeps only what it acts on", () => {
        const parsed = parseWorkflowCompleted(workflow);
        assert.ok(parsed.ok);
        assert.equal(parsed.value.pipeline.vcs?.revision, "1dc6aa69429bff4806ad6afe58d3d8f57e25973e");
        assert.equal(parsed.value.workflow.status, "success");
        const broken = parseWorkflowCompleted({ ...workflow, workflow: { ...workflow.workflow, status: 7 } });
        assert.ok(!broken.ok);
        assert.match(broken.reason, /^workflow-completed payload: workflow\.status: /, "the sender's delivery log says which field");
        const notAnObject = parseWorkflowCompleted([]);
        assert.ok(!notAnObject.ok);
        assert.match(notAnObject.reason, /^workflow-completed payload: \(root\): \S/);
        assert.ok(
            !parseWorkflowCompleted({ ...workflow, workflow: { ...workflow.workflow, url: "javascript:alert(1)" } }).ok,
            "the build link must be a web URL",
        );
    });

    it("takes a workflow's time with Z or an offset, an http(s) link alone, and a full 40-hex commit only", () => {
        const withWorkflow = (fields: Record<string, unknown>) =>
            parseWorkflowCompleted({ ...workflow, workflow: { ...workflow.workflow, ...fields } });
        const withRevision = (revision: string) =>
            parseWorkflowCompleted({ ...workflow, pipeline: { ...workflow.pipeline, vcs: { ...workflow.pipeline.vcs, revision } } });
        assert.ok(parseWorkflowCompleted({ ...workflow, happened_at: "2026-12-04T09:12:01.000+01:00" }).ok, "an offset");
        assert.equal(parseWorkflowCompleted({ ...workflow, happened_at: "2026-12-04T08:12:01" }).ok, false, "no time zone");
        assert.ok(withWorkflow({ url: "http://circleci.acme.internal/pipelines/github/acme-saas/ops/130/workflows/fda08377" }).ok);
        for (const url of [
            "see https://app.circleci.com/pipelines/github/acme-saas/ops/130",
            "https://app.circleci.com/pipelines/github/acme-saas/ops/130 [more](https://evil.example)",
            "https://app.circleci.com/pipelines)",
        ]) {
            assert.equal(withWorkflow({ url }).ok, false, url);
        }
        const sha = workflow.pipeline.vcs.revision;
        for (const revision of [`${sha}0`, `0${sha}`, `${sha}\n`, sha.slice(0, 7), sha.toUpperCase()]) {
            assert.equal(withRevision(revision).ok, false, JSON.stringify(revision));
        }
    });

    it("says which terminal statuses mean a deploy failed", () => {
        assert.equal(deployResultOf("success"), "succeeded");
        for (const s of ["failed", "error", "canceled", "unauthorized"]) assert.equal(deployResultOf(s), "failed", s);
        for (const s of ["running", "on_hold", "not_run"]) assert.equal(deployResultOf(s), undefined, s);
    });

    it("reads an issue_comment payload: the comment's id, time and author are what replay protection and answers rest on", () => {
        const payload = {
            action: "created",
            issue: { number: 4, title: "x" },
            comment: {
                id: 99,
                body: "/conveyor release staging",
                created_at: "2026-12-04T08:00:00Z",
                user: { login: "alice", type: "User" },
            },
            repository: { name: "ops", full_name: "acme-saas/ops", owner: { login: "acme-saas" } },
            sender: { login: "alice" },
        };
        const parsed = parseIssueComment(payload);
        assert.ok(parsed.ok);
        assert.equal(parsed.value.comment.user.login, "alice");
        assert.equal(parsed.value.comment.created_at, "2026-12-04T08:00:00Z");
        assert.equal(parsed.value.issue.number, 4, "the answer goes to the issue the command was typed on");
        assert.deepEqual(parsed.value.repository, { name: "ops", owner: { login: "acme-saas" } }, "and to its repository");
        assert.ok(!parseIssueComment({ action: "created" }).ok);
        const withComment = (comment: Record<string, unknown>) =>
            parseIssueComment({ ...payload, comment: { ...payload.comment, ...comment } });
        assert.ok(withComment({ user: { login: "renovate[bot]", type: "Bot" } }).ok);
        assert.ok(withComment({ created_at: "2026-12-04T09:00:00+01:00" }).ok, "a time with an offset");
        const undated = withComment({ created_at: "yesterday" });
        assert.ok(!undated.ok);
        assert.match(undated.reason, /^issue_comment payload: comment\.created_at: /, "the sender's delivery log says which field");
        for (const bad of [
            { created_at: undefined },
            { created_at: "yesterday" },
            { id: -1 },
            { id: 1.5 },
            { user: { login: "@acme/owners", type: "User" } },
            { user: { login: "a".repeat(40), type: "User" } },
        ]) {
            assert.equal(withComment(bad).ok, false, JSON.stringify(bad));
        }
    });

    it("parses JSON or says why not", () => {
        assert.deepEqual(parseJson(Buffer.from('{"a":1}')), { ok: true, value: { a: 1 } });
        const nope = parseJson(Buffer.from("{nope"));
        assert.ok(!nope.ok);
        assert.match(nope.reason, /^body is not JSON: \S/);
        assert.equal(parseJson(Buffer.alloc(0)).ok, false);
    });
});

describe("slash commands", () => {
    it("takes /conveyor release|rollback <env> alone on its line, trimmed", () => {
        assert.deepEqual(parseSlashCommand("/conveyor release staging"), { mode: "release", env: "staging" });
        assert.deepEqual(parseSlashCommand("  /conveyor   rollback prod \n"), { mode: "rollback", env: "prod" });
        assert.deepEqual(
            parseSlashCommand("/conveyor release \t staging"),
            { mode: "release", env: "staging" },
            "any blanks before the env",
        );
        assert.deepEqual(
            parseSlashCommand("/conveyor release globex-prod"),
            { mode: "release", env: "globex-prod" },
            "unknown environments are judged later",
        );
    });

    it("refuses an environment argument that is not a stack name, without repeating it", () => {
        for (const env of [
            "`@acme-saas/owners`",
            "@acme-saas/owners",
            "qa",
            "org",
            "Staging",
            "staging`",
            "[x](https://evil.example)",
            "<img>",
            `${"a".repeat(70)}-prod`,
            "../prod",
        ]) {
            const parsed = parseSlashCommand(`/conveyor release ${env}`);
            assert.deepEqual(parsed, { refused: NOT_A_STACK_NAME }, env);
        }
        assert.ok(!NOT_A_STACK_NAME.includes("@"));
        assert.match(
            NOT_A_STACK_NAME,
            /not an environment stack name \(staging, demo, prod, <client>-staging, <client>-prod\)/,
            "says what it takes",
        );
    });

    it("knows a bot by its type or its [bot] login", () => {
        assert.ok(isBot({ login: "renovate[bot]", type: "Bot" }));
        assert.ok(isBot({ login: "ci-helper[bot]", type: "User" }));
        assert.ok(isBot({ login: "Copilot", type: "Bot" }), "a bot whose login has no [bot]");
        assert.equal(isBot({ login: "alice", type: "User" }), false);
    });

    it("ignores everything else", () => {
        for (const text of [
            null,
            "",
            "/conveyor release",
            "/conveyor deploy staging",
            "/conveyor release staging now",
            "please /conveyor release staging",
            "/conveyor release staging\nand more",
            "/Conveyor release staging",
            "`/conveyor release staging`",
        ]) {
            assert.equal(parseSlashCommand(text), undefined, JSON.stringify(text));
        }
    });

    it("lets admin, maintain and write push; read, triage and none not", () => {
        assert.ok(canWrite({ permission: "admin", role_name: "admin" }));
        assert.ok(canWrite({ permission: "write", role_name: "maintain" }));
        assert.ok(canWrite({ permission: "write", role_name: "write" }));
        assert.ok(canWrite({ permission: "write", role_name: "release-manager" }), "a custom role based on write");
        assert.equal(canWrite({ permission: "read", role_name: "triage" }), false);
        assert.equal(canWrite({ permission: "read", role_name: "read" }), false);
        assert.equal(canWrite({ permission: "none", role_name: "none" }), false);
        assert.equal(canWrite({}), false);
    });
});

describe("remote workspace file selection", () => {
    it("keeps Pulumi.yaml first, then the stack files, files only", () => {
        const entries = [
            { name: "README.md", type: "file" },
            { name: "Pulumi.prod.yaml", type: "file" },
            { name: "Pulumi.yaml", type: "file" },
            { name: "Pulumi.demo.yaml", type: "file" },
            { name: "Pulumi.old.yaml", type: "dir" },
            { name: "Pulumi.yml", type: "file" },
            { name: "components", type: "dir" },
        ];
        assert.deepEqual(configFileNames(entries), ["Pulumi.yaml", "Pulumi.demo.yaml", "Pulumi.prod.yaml"]);
    });
});
