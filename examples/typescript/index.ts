// Both components from TypeScript. The SDK is generated from the package schema (`sdk/`, see the
// README, "TypeScript, Go, C#, Java, YAML"); with a CLI that has the Node.js language host, use
// `pulumi package add https://github.com/<owner>/pomerium-auth0/provider@v0.1.0` instead.
import * as pulumi from "@pulumi/pulumi";
import * as pomeriumAuth0 from "@pulumi/pomerium-auth0";

const config = new pulumi.Config();
const authenticateServiceUrl = config.get("authenticateServiceUrl") ?? "https://authenticate.example.com";

const idp = new pomeriumAuth0.Auth0IdentityProvider("idp", {
    authenticateServiceUrl,
    auth0Domain: config.get("auth0Domain") ?? "acme.eu.auth0.com",
    appName: `pomerium-${pulumi.getStack()}`,
    namespace: config.get("namespace") ?? "pomerium",
    directorySync: "off",
});

const pomerium = new pomeriumAuth0.Pomerium("pomerium", {
    authenticateServiceUrl,
    namespace: idp.secretNamespace,
    idpSecretName: idp.secretName,
    idpSecretChecksum: idp.secretChecksum,
    routes: [{ from: "https://httpbin.example.com", to: "http://httpbin.default.svc.cluster.local:8000" }],
});

export const webClientId: pulumi.Output<string> = idp.webClientId;
export const serviceName: pulumi.Output<string> = pomerium.serviceName;
