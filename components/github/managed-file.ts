import type { CreateNodeOptions, DocumentOptions, ToStringOptions } from "yaml";

// Every file conveyor commits to a repository starts with this header, so that nobody edits it in place
// and loses the change at the next `pulumi up`.
export function managedHeader(opsRepo: string, configFile: string, key: string): string {
    return [
        "# Managed by conveyor: edits here are overwritten by the next `pulumi up`.",
        `# Change it in the ${opsRepo} repository: ${configFile}, key ${key}.`,
    ].join("\n");
}

/**
 * Emit YAML that YAML 1.1 readers (Dependabot runs Ruby's Psych) read the same way we meant it: with 1.1
 * rules the writer quotes `04:00` (else a base-60 number), `on`, `yes` and friends.
 */
export const YAML_FOR_GITHUB: DocumentOptions & CreateNodeOptions & ToStringOptions = {
    version: "1.1",
    lineWidth: 0,
    aliasDuplicateObjects: false,
};
