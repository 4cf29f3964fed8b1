// Types of what stryker.config.mjs exports for the tests (test/pipeline/circleci-config.test.ts reads FOLDERS).
import type { PartialStrykerOptions } from "@stryker-mutator/api/core";

/** The code under mutation, by folder: what TESTING.md reports on, one row each. */
export declare const FOLDERS: Record<string, string[]>;
declare const options: PartialStrykerOptions;
export default options;
