#!/usr/bin/env node
// `npm test`: the type-check and the mocha suite side by side (mocha itself runs two workers), so the
// type-check's single core of work overlaps the tests' waits. The type-check's report is printed after
// mocha's, and the run fails when either fails. Arguments go to mocha, after the spec: `npm test -- -g CAS`.
"use strict";
const { spawn } = require("child_process");
const path = require("path");

const root = path.resolve(__dirname, "..");
// The slowest file first, so that it never runs alone at the end.
const SPEC = ["test/pulumi-load.test.ts", "test/**/!(pulumi-load).test.ts"];

function run(command, args, capture) {
    const child = spawn(command, args, { cwd: root, stdio: capture ? ["ignore", "pipe", "pipe"] : "inherit" });
    let output = "";
    if (capture) for (const s of [child.stdout, child.stderr]) s.on("data", (d) => (output += d));
    return new Promise((resolve) => child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 1 : 0), output })));
}

(async () => {
    const npm = process.platform === "win32" ? "npm.cmd" : "npm";
    const typecheck = run(npm, ["run", "--silent", "typecheck"], true);
    const mocha = await run(
        process.execPath,
        [require.resolve("mocha/bin/mocha.js"), "--parallel", "--jobs", "2", ...SPEC, ...process.argv.slice(2)],
        false,
    );
    const tsc = await typecheck;
    if (tsc.output) process.stdout.write(tsc.output);
    process.stdout.write(`typecheck (tsc --noEmit): ${tsc.code === 0 ? "ok" : "FAILED"}\n`);
    process.exit(mocha.code !== 0 || tsc.code !== 0 ? 1 : 0);
})();
