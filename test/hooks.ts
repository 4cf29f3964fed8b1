// Root hooks (loaded by .mocharc.json for every test file, in serial and parallel runs alike).
import { removeScratchDirs } from "./scratch";

export const mochaHooks = {
    afterEach(): void {
        removeScratchDirs();
    },
};
