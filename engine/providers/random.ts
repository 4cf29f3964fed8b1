// Stand-in for pulumi-random (its provider module is not served by the Go module proxy here): the password
// is derived from the resource's URN, so every run gives the same one, and kept secret as the real one is.
import { digest, secret, serve, type ResourceContext, type ResourceRule } from "./stand-in";

function password(c: ResourceContext): string {
    const length = Number(c.inputs.length ?? 16);
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let out = "";
    for (let i = 0; out.length < length; i++)
        for (const byte of Buffer.from(digest(`${c.urn}#${i}`), "hex")) out += alphabet[byte % alphabet.length];
    return out.slice(0, length);
}

export const resources: Record<string, ResourceRule> = {
    "random:index/randomPassword:RandomPassword": {
        replaceOn: "*",
        id: () => "none",
        outputs: (c) => ({ result: secret(password(c)), bcryptHash: secret(`$2a$10$${digest(password(c)).slice(0, 53)}`) }),
    },
};

if (require.main === module) serve({ pkg: "random", resources, invokes: {} });
