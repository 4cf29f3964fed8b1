// config/: the bottom layer, imports nothing else of conveyor. The single place that parses and validates
// conveyor's configuration: Pulumi.yaml (project config, the component catalog) and every
// Pulumi.<stack>.yaml; nothing else reads config files. Every problem is reported as
// `<file>: <key path>: <reason>`, and all problems of a workspace at once.
//
// One module per thing the files describe, and this index is the public API:
//   fields.ts       field types every file shares (weekdays, domains, GitHub names, dates, secrets)
//   project.ts      Pulumi.yaml: the component catalog
//   repository.ts   a managed repository's settings: org-wide defaults and per-repository overrides
//   org.ts          Pulumi.org.yaml: the organisation
//   notifications.ts  its optional feedback loops: Slack announcements and Sentry releases
//   weeks.ts        the names of the weekly milestones (created by components/github, read by status/)
//   environment.ts  Pulumi.<env>.yaml: an environment and the order of the train
//   stack-names.ts  what a stack's name says it is (no imports: the webhook intake bundles it)
//   checks.ts       checks across files, once every file is parsed
//   problems.ts     how problems become `<file>: <key>: <reason>` lines, and ConfigError
//   yaml.ts         the YAML rules every reader of these files applies (size, aliases, duplicate keys)
//   input-error.ts  the one base class of bad input, for every entry point
//   load.ts         the loader: files in, one Workspace out
//   labels.ts       the label taxonomy every repository carries
//   stackfile.ts    the byte-preserving edit of `conveyor:versions` in a stack file
export { type EnvironmentConfig, trainOrder } from "./environment";
export { type SecretRef, type Weekday, WEEKDAYS } from "./fields";
export { loadWorkspace, parseWorkspace, type SourceFile, type Workspace } from "./load";
export { type DependabotRegistry, type LabelDef, type OrgConfig, REGISTRY_TYPES } from "./org";
export { ConfigError } from "./problems";
export { type Component, ECOSYSTEMS, PROJECT_FILE } from "./project";
export { type ManagedRepositoryConfig, type RepositorySettings } from "./repository";
export { type EnvironmentRole, MAIN_ENVIRONMENTS, stackFileName, stackRole } from "./stack-names";
