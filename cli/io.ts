// The process a command talks to: its own module, so cli/main.ts imports the subcommands and none of them
// imports main.ts back.

export interface Io {
    readonly out: (s: string) => void;
    readonly err: (s: string) => void;
    readonly cwd: string;
    readonly env: NodeJS.ProcessEnv;
    /** Set when stdout is a terminal: its width. Colour and the width of `conveyor status` follow it. */
    readonly terminal?: { readonly columns: number };
}
