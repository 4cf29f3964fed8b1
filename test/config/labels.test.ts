// The label taxonomy every repository carries: fixed families, the configured topics and customers, a deploy
// label per environment, each family in its own hue from dark (most pressing) to light.
import * as assert from "node:assert/strict";
import { labelTaxonomy, STALE_LABEL, type Label } from "../../config/labels";

// Built inside each test, not once for the file: Stryker credits a mutant only to the tests that run it.
const taxonomyOf = (): Label[] =>
    labelTaxonomy({
        topics: [
            { name: "billing", description: "Invoices and payments", renamedFrom: ["payments"] },
            { name: "erp", description: "ERP integrations", renamedFrom: [] },
        ],
        customers: [
            { name: "globex", description: "Globex Corporation", renamedFrom: [] },
            { name: "initech", description: "Initech", renamedFrom: [] },
        ],
        environments: ["staging", "globex-prod"],
        renamedFrom: { "type/change-feature": ["improvement"], "topic/billing": ["invoices"] },
    });
const byName = (n: string): Label => taxonomyOf().find((l) => l.name === n)!;

/** Hue in degrees and lightness (0..1) of a six-digit hex colour. */
function hsl(hex: string): { hue: number; lightness: number } {
    const [r, g, b] = [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16) / 255);
    const max = Math.max(r, g, b);
    const min = Math.min(r, g, b);
    const d = max - min;
    const h = max === r ? ((g - b) / d) % 6 : max === g ? (b - r) / d + 2 : (r - g) / d + 4;
    return { hue: (h * 60 + 360) % 360, lightness: (max + min) / 2 };
}

const FAMILIES: [string, (name: string) => boolean, number][] = [
    ["type", (n) => n.startsWith("type/"), 0],
    ["priority", (n) => n.startsWith("priority/"), 28],
    ["effort", (n) => n.startsWith("effort/"), 270],
    ["workflow", (n) => n.startsWith("workflow/"), 212],
    ["topic", (n) => n.startsWith("topic/"), 140],
    ["customer", (n) => n.startsWith("customer/"), 180],
    ["delivery", (n) => !n.includes("/") || n.startsWith("deploy/"), 48],
];

describe("config: the label taxonomy", () => {
    it("has the fixed families, the configured topics and customers, and a deploy label per environment", () => {
        const taxonomy = taxonomyOf();
        assert.deepEqual(
            taxonomy.map((l) => l.name),
            [
                ...["type/bug", "type/new-feature", "type/change-feature", "type/operations", "type/devops"],
                ...["priority/P1", "priority/P2", "priority/P3", "priority/P4"],
                ...["effort/light", "effort/medium", "effort/high", "effort/epic"],
                ...["workflow/in-progress", "workflow/ready-for-staging", "workflow/test", "workflow/ready", "workflow/awaiting-feedback"],
                "workflow/blocked",
                ...["topic/billing", "topic/erp", "customer/globex", "customer/initech"],
                ...["release", "deployed", "drift", STALE_LABEL, "deploy/staging", "deploy/globex-prod"],
            ],
        );
        assert.equal(byName("deploy/globex-prod").description, "Deploy the globex-prod stack when this PR is merged");
        for (const l of taxonomy) assert.ok(l.description.length > 0 && l.description.length <= 100, `${l.name}: "${l.description}"`);
        assert.equal(new Set(taxonomy.map((l) => l.description)).size, taxonomy.length, "no two labels say the same");
    });

    it("adopts GitHub's default labels and the configured renames, built-in renames first", () => {
        assert.deepEqual(byName("type/bug").renamedFrom, ["bug"]);
        assert.deepEqual(byName("type/new-feature").renamedFrom, ["enhancement"]);
        assert.deepEqual(byName("type/change-feature").renamedFrom, ["improvement"]);
        assert.deepEqual(byName("topic/billing").renamedFrom, ["payments", "invoices"]);
        assert.deepEqual(byName("topic/erp").renamedFrom, []);
        assert.deepEqual(byName("release").renamedFrom, []);
    });

    it("colours each family in its own hue, every label its own colour, from dark to light", () => {
        const taxonomy = taxonomyOf();
        for (const l of taxonomy) assert.match(l.color, /^[0-9A-F]{6}$/, `${l.name}: ${l.color}`);
        assert.equal(new Set(taxonomy.map((l) => l.color)).size, taxonomy.length, "every label has its own colour");
        for (const [family, member, hue] of FAMILIES) {
            const colours = taxonomy.filter((l) => member(l.name)).map((l) => hsl(l.color));
            for (const c of colours) assert.ok(Math.abs(c.hue - hue) < 2, `${family}: hue ${c.hue}, expected ${hue}`);
            assert.ok(Math.abs(colours[0].lightness - 0.35) < 0.01, `${family} starts dark: ${colours[0].lightness}`);
            assert.ok(Math.abs(colours[colours.length - 1].lightness - 0.8) < 0.01, `${family} ends light`);
            for (let i = 1; i < colours.length; i++) assert.ok(colours[i].lightness > colours[i - 1].lightness, `${family} ${i}`);
        }
    });

    it("gives a family of one label a middle lightness", () => {
        const [customer] = labelTaxonomy({
            topics: [],
            customers: [{ name: "initech", description: "Initech", renamedFrom: [] }],
            environments: [],
        }).filter((l) => l.name.startsWith("customer/"));
        const c = hsl(customer.color);
        assert.ok(Math.abs(c.hue - 180) < 2 && Math.abs(c.lightness - 0.45) < 0.01, `${customer.color}: ${JSON.stringify(c)}`);
    });
});
