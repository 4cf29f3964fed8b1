// The secret-inputs policy (policies/secrets.ts): what looks secret, and the remediation that wraps it; called
// directly, as in github.test.ts.
import * as assert from "node:assert/strict";
import { Secret } from "@pulumi/policy";
import * as pulumi from "@pulumi/pulumi";
import { unknownValue } from "@pulumi/pulumi/runtime/rpc";
import { looksSecret, secretInputs } from "../../policies/secrets";
import { resourceArgs } from "../policy-harness";

async function remediate(props: Record<string, unknown>): Promise<Record<string, unknown> | undefined> {
    const result = await secretInputs.remediateResource!(
        resourceArgs({ type: "aws:secretsmanager/secretVersion:SecretVersion", name: "x", props }),
    );
    return result ?? undefined;
}

describe("policies: secret inputs", () => {
    it("names: secret nouns at the end look secret, references and identifiers do not", () => {
        for (const n of [
            "token",
            "githubToken",
            "password",
            "apiKey",
            "secret",
            "webhookSecret",
            "secretString",
            "secretBinary",
            "NPM_GITHUB_TOKEN",
            "privateKey",
            "credentials",
            "_secretString",
            // A qualifier clears a key only: a cache's password is a credential.
            "cachePassword",
            "objectStorageSecret",
            // A key named as a credential stays one whatever qualifies it.
            "primaryAccessKey",
            "secondaryAccessKey",
            "objectStorageSecretKey",
            "cachePrivateKey",
            "primarySigningKey",
            "hashEncryptionKey",
        ]) {
            assert.equal(looksSecret(n), true, n);
        }
        for (const n of [
            "keyId",
            "secretId",
            "kmsKeyId",
            "secretName",
            "privateSubnetIds",
            "GITHUB_TOKEN_SECRET_ARN",
            "publicKey",
            "hashKey",
            "sortKey",
            "keyName",
            "description",
            "tokenUrl",
            "sshPublicKey",
            "publicKeys",
            "secretArnValue",
            "primaryKey",
            "partitionKeys",
            "/",
        ]) {
            assert.equal(looksSecret(n), false, n);
        }
    });
    it("secret-inputs-are-secrets leaves secret values and non-secret names alone", async () => {
        assert.equal(await remediate({ secretId: "abc", secretString: new Secret("s3cr3t"), description: "a token for CI" }), undefined);
    });
    it("secret-inputs-are-secrets leaves an empty password and one not known yet (preview) alone", async () => {
        assert.equal(await remediate({ password: "", apiKey: unknownValue }), undefined);
    });
    it("secret-inputs-are-secrets makes each plaintext element of a secret-looking list secret", async () => {
        const out = await remediate({ tokens: ["t1", new Secret("t2"), "t3"], zones: ["eu-west-3a"] });
        assert.ok(out);
        const tokens = out.tokens as unknown[];
        assert.deepEqual(
            tokens.map((t) => (t instanceof Secret ? t.value : `plaintext ${String(t)}`)),
            ["t1", "t2", "t3"],
        );
        assert.deepEqual(out.zones, ["eu-west-3a"]);
    });
    it("secret-inputs-are-secrets copes with null and absent inputs beside a plaintext secret", async () => {
        const out = await remediate({ password: "p", kmsKeyId: null, description: undefined });
        assert.ok(out?.password instanceof Secret);
        assert.equal(out.kmsKeyId, null);
    });
    it("secret-inputs-are-secrets keeps a Lambda's code archive an archive when it makes its environment secret", async () => {
        const code = new pulumi.asset.FileArchive("./worker");
        const out = await remediate({ code, environment: { variables: { GITHUB_TOKEN: "ghs_x" } } });
        assert.ok(out);
        assert.ok(out.code instanceof pulumi.asset.FileArchive, "code is still a FileArchive");
        assert.ok((out.environment as { variables: Record<string, unknown> }).variables.GITHUB_TOKEN instanceof Secret);
    });
    it("secret-inputs-are-secrets finds values behind @pulumi/policy's secrets-preserving proxy", async () => {
        // The shape the policy server hands remediations: a proxy whose target still holds Secret instances.
        const target = { secretString: new Secret("s3cr3t") };
        const proxied = new Proxy(target, {
            get: (t, p) =>
                p === "__isSpecialProxy"
                    ? true
                    : p === "__getSpecialProxyTarget"
                      ? t
                      : (t as Record<string | symbol, unknown>)[p] instanceof Secret
                        ? ((t as Record<string | symbol, unknown>)[p] as Secret).value
                        : (t as Record<string | symbol, unknown>)[p],
        });
        assert.equal(await remediate(proxied as unknown as Record<string, unknown>), undefined);
    });
    it("secret-inputs-are-secrets makes a plaintext secret-looking input secret, nested ones too", async () => {
        const out = await remediate({
            secretString: "s3cr3t",
            environment: { variables: { API_KEY: "k", REGION: "eu" } },
            description: "d",
        });
        assert.ok(out);
        assert.ok(out.secretString instanceof Secret);
        assert.equal(out.secretString.value, "s3cr3t");
        const vars = (out.environment as { variables: Record<string, unknown> }).variables;
        assert.ok(vars.API_KEY instanceof Secret);
        assert.equal(vars.REGION, "eu");
        assert.equal(out.description, "d");
    });
});
