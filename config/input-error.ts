// The one base class of bad input: a config or stack file, an argument, a missing credential. Every entry
// point treats it the same way: its message alone (it names file, key and reason), exit 2 in the CLI, and
// nothing applied or written. Anything else is a failure and keeps its stack trace.
export class InputError extends Error {}
