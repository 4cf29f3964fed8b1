// Tests load TypeScript through ts-node, transpiling with swc: TypeScript's own transpiler spent about 12 s
// of CPU per mocha process on the program's and the tests' files, a tenth of `npm test`. Types are checked
// apart (`npm run typecheck`, run beside mocha by `npm test`). The program itself still loads the way
// `pulumi` loads it, through TypeScript (test/pulumi-load.test.ts).
"use strict";
require("ts-node").register({ transpileOnly: true, swc: true, compilerOptions: { module: "commonjs", moduleResolution: "node10" } });
