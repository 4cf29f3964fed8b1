// The field types every config file shares (weekdays, domains, GitHub names, dates, secrets, ...), each a
// zod schema whose message says what was expected and what was found, so a user can act on it.
import { z } from "zod";
import { BUILD_NUMBER_EXPECTED, echo, isBuildNumber, kindOf } from "./yaml";

export const WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Where a `secure:` value lives; the program resolves it through Pulumi's (decrypted) config. */
export interface SecretRef {
    readonly file: string;
    /** Full config key, e.g. `conveyor:dependabotSecrets`. */
    readonly key: string;
    /** Path inside the key's value, e.g. `["MAVEN_PASS"]`. */
    readonly path: readonly string[];
}

export const withInput = (reason: string) => (iss: { input?: unknown }) => `${reason}, got ${echo(iss.input)}`;

// The one definition of a build number, shared with the stack-file reader (config/stackfile.ts).
export const buildNumber = z.custom<number>(isBuildNumber, { error: withInput(BUILD_NUMBER_EXPECTED) });

export const weekday = z.enum(WEEKDAYS, { error: withInput(`expected a weekday (${WEEKDAYS.join(", ")})`) });

const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
export const domain = z.string().regex(DOMAIN, { error: withInput("expected a lower-case DNS domain like app.example.com") });
export const email = z.email({ error: withInput("expected an e-mail address") });
export const name = (what: string) =>
    z
        .string()
        .regex(/^[a-z][a-z0-9-]*[a-z0-9]$/, { error: withInput(`expected ${/^[aeiou]/.test(what) ? "an" : "a"} ${what} in kebab-case`) });
export const repoName = z.string().regex(/^[A-Za-z0-9._-]{1,100}$/, { error: withInput("expected a GitHub repository name") });
export const ghLogin = z.string().regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})$/, {
    error: withInput("expected a GitHub login"),
});
export const topic = z.string().regex(/^[a-z0-9][a-z0-9-]{0,49}$/, {
    error: withInput("expected a GitHub topic (lower-case letters, digits, hyphens; at most 50)"),
});
export const isoDate = z
    .string()
    // abort: a malformed date is told once, not once more as "not a real calendar date".
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: withInput("expected a date YYYY-MM-DD"), abort: true })
    .refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)) && new Date(`${d}T00:00:00Z`).toISOString().startsWith(d), {
        error: withInput("expected a real calendar date"),
    });
export const timezone = z.string().refine(
    (tz) => {
        try {
            new Intl.DateTimeFormat("en", { timeZone: tz });
            return true;
        } catch {
            return false;
        }
    },
    { error: withInput("expected an IANA time zone like Europe/Paris") },
);
export const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, { error: withInput("expected a time HH:MM (24h)") });
export const urlPath = z.string().regex(/^\/[\x21-\x7e]*$/, { error: withInput("expected a URL path starting with /") });
export const httpsUrl = z.url({ protocol: /^https$/, error: withInput("expected an https:// URL") });
export const SECURE_EXPECTED = "expected a secret ({secure: ...}, set with `pulumi config set --secret`)";
// Never `withInput`: what sits where a secret belongs is most likely the secret itself, in plain text.
export const secure = z.strictObject({ secure: z.string().min(1) }, { error: (iss) => `${SECURE_EXPECTED}, got ${kindOf(iss.input)}` });
/** Config keys (or key paths) whose values are secrets: their problems never repeat what was written. */
export const SECRET_KEYS = [
    "conveyor:dependabotSecrets",
    "conveyor:releaseControllerSecrets",
    "conveyor:circleciSecrets",
    "conveyor:notifications.slack.webhooks",
    "conveyor:sentry.authToken",
];
