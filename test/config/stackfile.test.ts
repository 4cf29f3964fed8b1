import * as assert from "node:assert/strict";
import * as fs from "fs";
import * as path from "path";
import { parseWorkspace, ConfigError, type SourceFile } from "../../config";
import { readVersions, setVersions, StackFileError } from "../../config/stackfile";
import { WORKSPACE } from "../workspace-fixture";

const FILE = "Pulumi.prod.yaml";
// Everything a hand-edited stack file has: comments everywhere, blank lines, quoting styles, a secure
// value, other namespaces before and after the versions block.
const TEXT = `# Production
config:
  aws:region: "eu-west-3"   # Paris
  app:dbPassword:
    secure: AAABAJ+u3lB5uGhk2d2JfwT1dQ==

  conveyor:versions:
    # services
    marketplace: 1380  # pinned while #412 is investigated
    'billing': 860

    web: 2255
    erp-connector: 447
  conveyor:environment:
    tier: main
`;

/** Lines of b that differ from a, by index; both must have the same number of lines. */
function changedLines(a: string, b: string): string[] {
    const x = a.split("\n");
    const y = b.split("\n");
    assert.equal(y.length, x.length, "no line was added or removed");
    return y.filter((line, i) => line !== x[i]);
}

describe("stack file edits", () => {
    it("reads the build numbers as written", () => {
        assert.deepEqual(
            [...readVersions(FILE, TEXT)],
            [
                ["marketplace", 1380],
                ["billing", 860],
                ["web", 2255],
                ["erp-connector", 447],
            ],
        );
    });

    it("changes only the bumped lines, keeping comments, blank lines, quoting and secure values", () => {
        const out = setVersions(
            FILE,
            TEXT,
            new Map([
                ["marketplace", 1398],
                ["billing", 866],
            ]),
        );
        assert.deepEqual(changedLines(TEXT, out), ["    marketplace: 1398  # pinned while #412 is investigated", "    'billing': 866"]);
        assert.deepEqual(
            [...readVersions(FILE, out)],
            [
                ["marketplace", 1398],
                ["billing", 866],
                ["web", 2255],
                ["erp-connector", 447],
            ],
        );
    });

    it("returns the very same text when nothing changes", () => {
        assert.equal(setVersions(FILE, TEXT, new Map([["web", 2255]])), TEXT);
        assert.equal(setVersions(FILE, TEXT, new Map()), TEXT);
    });

    it("appends a component the environment does not run yet, with the block's indentation", () => {
        const out = setVersions(FILE, TEXT, new Map([["gateway", 316]]));
        const added = out.split("\n").filter((l) => !TEXT.split("\n").includes(l));
        assert.deepEqual(added, ["    gateway: 316"]);
        assert.equal(readVersions(FILE, out).get("gateway"), 316);
        assert.match(out, /erp-connector: 447\n {4}gateway: 316\n {2}conveyor:environment:/);
    });

    it("appends after a last line without a newline", () => {
        const text = "config:\n  conveyor:versions:\n    web: 1";
        assert.equal(setVersions(FILE, text, new Map([["api", 2]])), "config:\n  conveyor:versions:\n    web: 1\n    api: 2\n");
    });

    it("edits every stack file of the (frozen) workspace by one line per component", () => {
        for (const name of ["Pulumi.staging.yaml", "Pulumi.demo.yaml", "Pulumi.prod.yaml"]) {
            const text = fs.readFileSync(path.join(WORKSPACE, name), "utf8");
            const versions = readVersions(name, text);
            const bumped = new Map([...versions].slice(0, 2).map(([c, v]) => [c, v + 10] as const));
            assert.equal(changedLines(text, setVersions(name, text, bumped)).length, 2, name);
        }
    });

    it("appends after a last line that ends in a comment without a newline", () => {
        const text = "config:\n  conveyor:versions:\n    web: 1  # pinned";
        assert.equal(setVersions(FILE, text, new Map([["api", 2]])), "config:\n  conveyor:versions:\n    web: 1  # pinned\n    api: 2\n");
    });

    it("leaves a number written another way alone when the build asked is the one it says", () => {
        const text = "config:\n  conveyor:versions:\n    web: 0012\n    api: +7\n";
        assert.equal(
            setVersions(
                FILE,
                text,
                new Map([
                    ["web", 12],
                    ["api", 7],
                ]),
            ),
            text,
        );
        assert.equal(
            setVersions(
                FILE,
                text,
                new Map([
                    ["web", 13],
                    ["api", 7],
                ]),
            ),
            "config:\n  conveyor:versions:\n    web: 13\n    api: +7\n",
        );
    });

    it("refuses what is not a build number, on read and on write", () => {
        assert.throws(
            () => readVersions(FILE, TEXT.replace("web: 2255", "web: latest")),
            (e: Error) => {
                assert.ok(e instanceof StackFileError);
                assert.equal(
                    e.message,
                    'Pulumi.prod.yaml: conveyor:versions.web: expected a build number (positive integer), got "latest"',
                );
                return true;
            },
        );
        assert.throws(() => setVersions(FILE, TEXT, new Map([["web", 0]])), /conveyor:versions\.web: refusing to write 0/);
    });

    it("refuses a file without a versions map, or broken YAML", () => {
        assert.throws(() => readVersions(FILE, "config:\n  aws:region: x\n"), /Pulumi\.prod\.yaml: conveyor:versions: expected a map/);
        assert.throws(() => readVersions(FILE, "config: [\n"), /Pulumi\.prod\.yaml: invalid YAML/);
    });

    it("edits a flow map in place but will not add to one", () => {
        const flow = "config:\n  conveyor:versions: {web: 1, api: 2}\n";
        assert.equal(setVersions(FILE, flow, new Map([["api", 3]])), "config:\n  conveyor:versions: {web: 1, api: 3}\n");
        assert.throws(() => setVersions(FILE, flow, new Map([["db", 1]])), /write it as a block map/);
    });

    describe("hostile files, refused with the same words as the config parser", () => {
        /** The config parser's problem for `text` as the prod stack file, beside the repository's other files. */
        const configSays = (text: string): string[] => {
            const files: SourceFile[] = ["Pulumi.yaml", "Pulumi.org.yaml", "Pulumi.staging.yaml", "Pulumi.demo.yaml"]
                .map((name) => ({ name, text: fs.readFileSync(path.join(WORKSPACE, name), "utf8") }))
                .concat({ name: FILE, text });
            try {
                parseWorkspace(files);
            } catch (e) {
                assert.ok(e instanceof ConfigError);
                return e.problems.filter((p) => p.startsWith(`${FILE}: `));
            }
            assert.fail("the config parser accepted it");
        };
        const readerSays = (text: string): string => {
            try {
                readVersions(FILE, text);
            } catch (e) {
                assert.ok(e instanceof StackFileError, String(e));
                return e.message;
            }
            assert.fail("the stack-file reader accepted it");
        };
        const prod = fs.readFileSync(path.join(WORKSPACE, FILE), "utf8");

        it("a build number that is not a safe integer (1e20): both refuse it", () => {
            for (const written of ["1e20", "9007199254740993", "-3", "12.5"]) {
                const text = prod.replace(/^(\s+)web: \d+/m, `$1web: ${written}`);
                assert.notEqual(text, prod);
                const message = readerSays(text);
                assert.match(message, /^Pulumi\.prod\.yaml: conveyor:versions\.web: expected a build number \(positive integer\), got /);
                assert.deepEqual(configSays(text), [message], written);
            }
        });

        it("a map, a list or nothing where a build number belongs: both name it as such", () => {
            for (const [written, kind] of [
                ["{build: 12}", "a map"],
                ["[12]", "a list"],
                ["", "null"],
            ]) {
                const text = prod.replace(/^(\s+)web: \d+/m, `$1web: ${written}`);
                const message = readerSays(text);
                assert.equal(message, `Pulumi.prod.yaml: conveyor:versions.web: expected a build number (positive integer), got ${kind}`);
                assert.deepEqual(configSays(text), [message]);
            }
            const keyOnly = prod.replace(/^(\s+)web: \d+/m, "$1? web");
            assert.equal(
                readerSays(keyOnly),
                "Pulumi.prod.yaml: conveyor:versions.web: expected a build number (positive integer), got null",
            );
            assert.deepEqual(configSays(keyOnly), [readerSays(keyOnly)]);
        });

        it("a file of two YAML documents, or of none", () => {
            assert.equal(readerSays(`${prod}---\n${prod}`), "Pulumi.prod.yaml: expected one YAML document, found 2");
            assert.equal(readerSays("# emptied by mistake\n"), "Pulumi.prod.yaml: expected one YAML document, found 0");
        });

        it("an alias in conveyor:versions: both refuse it", () => {
            const text = prod
                .replace(/^(\s+)web: (\d+)/m, "$1web: *pinned")
                .replace("conveyor:versions:", "conveyor:pinned: &pinned 2255\n  conveyor:versions:");
            const message = readerSays(text);
            assert.equal(
                message,
                "Pulumi.prod.yaml: conveyor:versions.web: an alias is not allowed here: write the build number itself, one line per component",
            );
            assert.deepEqual(configSays(text), [message]);
        });

        it("an alias bomb, a duplicate key and an oversize file: both refuse them, naming the file", () => {
            const bomb = `${prod}${["  conveyor:b0: &b0 [x, x, x, x, x, x, x, x, x, x]", ...Array.from({ length: 8 }, (_, i) => `  conveyor:b${i + 1}: &b${i + 1} [${Array(10).fill(`*b${i}`).join(", ")}]`)].join("\n")}\n`;
            assert.match(readerSays(bomb), /^Pulumi\.prod\.yaml: YAML aliases expand too much/);
            assert.ok(configSays(bomb).some((l) => /^Pulumi\.prod\.yaml: YAML aliases expand too much/.test(l)));

            const dup = prod.replace("conveyor:versions:", "conveyor:versions:\n    twice: 1\n    twice: 2");
            assert.match(readerSays(dup), /^Pulumi\.prod\.yaml: invalid YAML at line \d+, column \d+: Map keys must be unique$/);
            assert.deepEqual(configSays(dup), [readerSays(dup)]);

            const big = `${prod}# ${"x".repeat(600 * 1024)}\n`;
            assert.match(readerSays(big), /^Pulumi\.prod\.yaml: the file is \d+ bytes, more than the 512 KiB a config file may have$/);
            assert.deepEqual(configSays(big), [readerSays(big)]);
        });
    });
});
