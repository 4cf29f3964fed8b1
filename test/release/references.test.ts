import * as assert from "node:assert/strict";
import { inert, issueRefs, prNumberFromMessage, redirectLink } from "../../release/references";

const home = { owner: "acme", repo: "billing" };
const keys = (text: string) => issueRefs(text, home).map((r) => `${r.owner}/${r.repo}#${r.number}`);

describe("references", () => {
    it("finds the PR of a merge commit and of a squash merge", () => {
        assert.equal(prNumberFromMessage("Merge pull request #42 from acme/feature-x\n\nAdd invoices"), 42);
        assert.equal(prNumberFromMessage("Add invoices export (#57)"), 57);
        assert.equal(prNumberFromMessage("Add invoices export (#57)\n\n* wip (#3)"), 57, "only the first line counts");
        assert.equal(prNumberFromMessage("Fix #12 in the parser"), undefined);
        assert.equal(prNumberFromMessage("Bump lodash (#12) and more"), undefined);
        assert.equal(prNumberFromMessage("Direct commit"), undefined);
        assert.equal(
            prNumberFromMessage('Revert "Merge pull request #42 from acme/feature-x"'),
            undefined,
            "a revert pushed by hand is no PR",
        );
        assert.equal(prNumberFromMessage("Add invoices export (#57) \r\n\r\nmade on Windows"), 57, "trailing blanks and CRLF");
    });

    it("finds closing keywords, mentions, cross-repository references and URLs", () => {
        assert.deepEqual(keys("Fixes #12, closes #13 and resolves acme/web#7"), ["acme/billing#12", "acme/billing#13", "acme/web#7"]);
        assert.deepEqual(keys("See https://github.com/acme/erp/issues/99 and https://github.com/acme/erp/pull/100"), [
            "acme/erp#99",
            "acme/erp#100",
        ]);
        assert.deepEqual(keys("Related to #5"), ["acme/billing#5"]);
    });

    it("lists the references in the order they appear, whatever their form", () => {
        assert.deepEqual(
            keys("Fixes #5 and https://github.com/acme/erp/issues/1, https://github.com/acme/erp/issues/2 and acme/web#7, then #6 `#8`"),
            ["acme/billing#5", "acme/erp#1", "acme/erp#2", "acme/web#7", "acme/billing#6"],
        );
    });

    it("ignores code, anchors, HTML entities and duplicates", () => {
        assert.deepEqual(keys("`#1` and ```\nfixes #2\n``` and page.html#3 and &#35;4 and C#5"), []);
        assert.deepEqual(keys("fixes #8\nfixes #8\nACME/billing#8"), ["acme/billing#8"]);
        assert.deepEqual(keys("```sh\necho #1\n```\nfixes #9\n```\necho #2\n```"), ["acme/billing#9"], "between two code blocks");
        assert.deepEqual(keys("fixes #0"), [], "there is no issue 0");
    });

    it("makes text inert: no autolinks, no mentions", () => {
        assert.equal(inert("Fix #12 for @alice (see acme/web#3)"), "Fix &#35;12 for @\u200balice (see acme/web&#35;3)");
        assert.equal(inert("see https://github.com/acme/web/issues/1"), "see github\u200b.com/acme/web/issues/1");
        assert.equal(inert("see http://github.com/acme/web/pull/2"), "see github\u200b.com/acme/web/pull/2");
        assert.equal(inert("mail me @ noon, #x and C# @"), "mail me @ noon, #x and C# @", "only a # before a digit, an @ before a name");
        assert.deepEqual(keys(inert("fixes #12 and acme/web#3")), [], "what inert() leaves references nothing");
    });

    it("links through the redirector", () => {
        assert.equal(
            redirectLink("go.acme.example", { owner: "acme", repo: "web", number: 4 }),
            "https://go.acme.example/acme/web/issues/4",
        );
    });
});
