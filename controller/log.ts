// The release controller's log lines: structured, so CloudWatch keeps each as one searchable record.

export type LogFields = Readonly<Record<string, unknown>>;

export interface Logger {
    info(message: string, fields?: LogFields): void;
    warn(message: string, fields?: LogFields): void;
    error(message: string, fields?: LogFields): void;
}

/** JSON lines: with the function's JSON log format, CloudWatch keeps each as one searchable record. */
export const consoleLogger: Logger = {
    info: (message, fields) => console.info(JSON.stringify({ message, ...fields })),
    warn: (message, fields) => console.warn(JSON.stringify({ message, ...fields })),
    error: (message, fields) => console.error(JSON.stringify({ message, ...fields })),
};
