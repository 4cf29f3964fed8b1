#!/usr/bin/env node
// Runs the TypeScript CLI without a build step; type checking happens in `npm test` (tsc --noEmit).
"use strict";
const path = require("path");
require("ts-node").register({ transpileOnly: true, project: path.join(__dirname, "..", "tsconfig.json") });
require("./main")
    .main(process.argv.slice(2), {
        out: (s) => process.stdout.write(`${s}\n`),
        err: (s) => process.stderr.write(`${s}\n`),
        cwd: process.cwd(),
        env: process.env,
        terminal: process.stdout.isTTY ? { columns: process.stdout.columns || 80 } : undefined,
    })
    .then((code) => process.exit(code));
