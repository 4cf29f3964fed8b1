// The dynamic providers read `github:baseUrl` as the github provider does, so one value in a stack file
// serves both: github.com, GitHub Enterprise Cloud (<name>.ghe.com) and Enterprise Server (<host>/api/v3).
import * as assert from "node:assert/strict";
import { apiRootOf } from "../../../components/github/rest";

describe("github:baseUrl", () => {
    for (const [given, root] of [
        ["https://github.com", "https://api.github.com"],
        ["https://api.github.com/", "https://api.github.com"],
        ["https://acme.ghe.com", "https://api.acme.ghe.com"],
        ["https://api.acme.ghe.com/", "https://api.acme.ghe.com"],
        ["https://github.acme.example", "https://github.acme.example/api/v3"],
        ["https://github.acme.example/", "https://github.acme.example/api/v3"],
        ["https://github.acme.example/api/v3/", "https://github.acme.example/api/v3"],
        ["https://git.acme.example/github/api/v3", "https://git.acme.example/github/api/v3"],
        ["http://127.0.0.1:8080", "http://127.0.0.1:8080/api/v3"],
    ] as const) {
        it(`${given} means the REST API at ${root}`, () => assert.equal(apiRootOf(given), root));
    }

    it("refuses what the github provider refuses, naming the key", () => {
        assert.throws(() => apiRootOf("github.acme.example"), /github:baseUrl: "github.acme.example" is not an absolute URL/);
        assert.throws(() => apiRootOf("http://github.com"), /github:baseUrl: "http:\/\/github.com" must use https/);
        assert.throws(() => apiRootOf("https://api.github.com/api/v3"), /must have no path/);
    });
});
