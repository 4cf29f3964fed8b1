// Runs CommonJS module text the way Node's loader would. Two things conveyor generates are module text that
// something else runs later: Pulumi's serialised dynamic providers (run by the engine) and the Lambda bundle
// (run by Lambda); the tests run the text itself, not the source it came from.

/** Evaluates `code` as a CommonJS module whose `require` is `requireFn`; returns its exports. */
export function evalCommonJs<T>(code: string, requireFn: (id: string) => unknown): T {
    const mod = { exports: {} as Record<string, unknown> };
    // eslint-disable-next-line @typescript-eslint/no-implied-eval -- the text under test is code conveyor generated: running it is the test
    new Function("module", "exports", "require", code)(mod, mod.exports, requireFn);
    return mod.exports as T;
}

/** The value a function serialised by `pulumi.runtime.serializeFunction` returns, revived from its text. */
export function reviveSerialized<T>(text: string): T {
    return evalCommonJs<{ handler: () => T }>(text, require).handler();
}
