// cli/: the `conveyor` command, the top layer: main.ts dispatches to one module per group of subcommands,
// which get the process as an Io (io.ts) and never import main.ts back.
//
// The `conveyor` command line. Exit codes: 0 done, 1 failure, 2 bad input.
import * as path from "path";
import { parseArgs } from "util";
import { stackRole } from "../config";
import { InputError } from "../config/input-error";
import { newEnvCommand } from "./new-env";
import { driftCommand, previewCommentCommand } from "./pipeline";
import { deployedCommand, releaseCommand, targetsCommand, UsageError } from "./release";
import { statusCommand } from "./status";
import { renderTree, synthesize, writeSynthOutput } from "./synth";
import type { Io } from "./io";

export { UsageError };

const USAGE = `usage: conveyor <command> [options]

commands:
  synth <stack>                   run the program offline on Pulumi mocks; print the resource tree; write out/<stack>/
  release <env> [--dry-run]       open or refresh the release-<env> PR (--dry-run: print the plan and body, write nothing)
  release --due [--now <iso>]     release every environment whose train runs today, in train order
  rollback <env> [--dry-run]      open a release PR restoring the previous release of <env>
  targets --sha <sha>             the stacks a commit of the default branch must deploy, one a line
  deployed <env> --sha <sha> --build-url <url>
                                  after a deploy: label the release PR, comment on its issues, move them along
  new-env <client> [--staging-day <d>] [--prod-day <d>] [--domain <d>]
                                  write the client's two stack files and register its customer label
  preview-comment --pr <n> [--not-previewed <stack>]... [--event-log <stack>=<events.jsonl>]... <stack>=<preview.json>...
                                  CI: one PR comment summing up every stack's pulumi preview (policy
                                  violations from each preview's --event-log)
  status [--offline] [--json] [--html <file>] [--milestones] [--dashboard] [--now <iso>]
                                  what runs where: every component's build in every environment, what
                                  waits, when each train leaves (--html writes the status page,
                                  --dashboard brings the release dashboard issue up to date,
                                  --milestones adds how far this week's and next week's milestones are)
  drift <stack> --preview <preview.json>
                                  CI, nightly: open, update or close the stack's drift issue

environment: GITHUB_TOKEN, GITHUB_API_URL (https://api.github.com), GITHUB_WRITE_DELAY_MS (ms
between two writes; octokit's pacing, 1000, when unset), CIRCLECI_TOKEN, CIRCLECI_API_URL
(https://circleci.com/api/v2)
exit codes: 0 done or nothing to do, 1 failure, 2 bad input
`;

async function synthCommand(args: string[], io: Io): Promise<number> {
    const { positionals, values } = parseArgs({
        args,
        allowPositionals: true,
        options: { out: { type: "string" }, now: { type: "string" } },
    });
    const [stack] = positionals;
    if (!stack || positionals.length > 1) throw new UsageError("synth takes exactly one stack name, e.g. `conveyor synth staging`");
    if (!stackRole(stack))
        throw new UsageError(`"${stack}" is not a stack name: expected org, staging, demo, prod, <client>-staging or <client>-prod`);
    const now = values.now === undefined ? new Date() : new Date(values.now);
    if (Number.isNaN(now.getTime())) throw new UsageError(`--now: expected an ISO date-time, got "${values.now}"`);
    const result = await synthesize({ dir: io.cwd, stack, now });
    const target = writeSynthOutput(result, path.resolve(io.cwd, values.out ?? "out"));
    io.out(renderTree(result.resources));
    const custom = result.resources.filter((r) => r.custom).length;
    io.out(`\n${result.resources.length} resources (${custom} custom, ${result.resources.length - custom} components)`);
    io.out(`outputs: ${JSON.stringify(result.outputs)}`);
    io.out(`${result.files.length} repository files; output in ${path.relative(io.cwd, target) || target}`);
    return 0;
}

const oneLine = (s: string): string => s.replace(/\s*\n\s*/g, " ");

export async function main(argv: string[], io: Io): Promise<number> {
    const [command, ...rest] = argv;
    try {
        switch (command) {
            case "synth":
                return await synthCommand(rest, io);
            case "release":
                return await releaseCommand(rest, io, "release");
            case "rollback":
                return await releaseCommand(rest, io, "rollback");
            case "targets":
                return await targetsCommand(rest, io);
            case "deployed":
                return await deployedCommand(rest, io);
            case "new-env":
                return await newEnvCommand(rest, io);
            case "preview-comment":
                return await previewCommentCommand(rest, io);
            case "drift":
                return await driftCommand(rest, io);
            case "status":
                return await statusCommand(rest, io);
            case undefined:
            case "help":
            case "--help":
                io.out(USAGE);
                return command === undefined ? 2 : 0;
            default:
                throw new UsageError(`unknown command "${command}"`);
        }
    } catch (e) {
        // Bad input is the user's to fix: the message alone, one line per problem, never a stack trace.
        if (e instanceof UsageError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
            io.err(`conveyor: ${oneLine((e as Error).message)} (usage: conveyor help)`);
            return 2;
        }
        if (e instanceof InputError) {
            io.err(e.message);
            return 2;
        }
        // An API's refusal is a message for the user; anything else is our bug and keeps its stack.
        const http = e as { status?: number; request?: { method?: string; url?: string } };
        if (typeof http.status === "number" && http.request) {
            io.err(`conveyor: ${http.request.method} ${http.request.url} answered ${http.status}: ${(e as Error).message}`);
        } else {
            io.err(`conveyor: ${(e as Error).stack ?? String(e)}`);
        }
        return 1;
    }
}
