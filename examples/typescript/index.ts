// The components from TypeScript. The SDK is generated from the package schema (`sdk/`, see the
// README, "TypeScript, Go, C#, Java, YAML"); with a CLI that has the Node.js language host, use
// `pulumi package add https://github.com/<owner>/pomerium-auth0/provider@v0.1.0` instead.
import * as pulumi from "@pulumi/pulumi";
import * as pomeriumAuth0 from "@pulumi/pomerium-auth0";

const config = new pulumi.Config();
const authenticateServiceUrl = config.get("authenticateServiceUrl") ?? "https://authenticate.example.com";

// Who reads the credentials: the all-in-one Deployment (default) or the Pomerium Ingress Controller.
const consumer = config.get("consumer") ?? "deployment";

const idp = new pomeriumAuth0.Auth0IdentityProvider("idp", {
    authenticateServiceUrl,
    auth0Domain: config.get("auth0Domain") ?? "acme.eu.auth0.com",
    appName: `pomerium-${pulumi.getStack()}`,
    namespace: config.get("namespace") ?? "pomerium",
    consumer,
    directorySync: "off",
});
const routes = [{ from: "https://httpbin.example.com", to: "http://httpbin.default.svc.cluster.local:8000" }];

export const webClientId: pulumi.Output<string> = idp.webClientId;
export let serviceName: pulumi.Output<string> | undefined;
export let ingressNames: pulumi.Output<string[]> | undefined;

if (consumer === "ingress-controller") {
    // Patches the controller's existing `global` Pomerium resource; each route becomes an Ingress.
    const controller = new pomeriumAuth0.PomeriumIngressController("pomerium", {
        authenticateServiceUrl,
        idpProviderUrl: idp.idpProviderUrl,
        idpSecretNamespace: idp.secretNamespace,
        idpSecretName: idp.secretName,
        namespace: idp.secretNamespace,
        bootstrapSecret: "pomerium/bootstrap",
        routes,
    });
    ingressNames = controller.ingressNames;
} else {
    const pomerium = new pomeriumAuth0.Pomerium("pomerium", {
        authenticateServiceUrl,
        namespace: idp.secretNamespace,
        idpSecretName: idp.secretName,
        idpSecretChecksum: idp.secretChecksum,
        routes,
    });
    serviceName = pomerium.serviceName;
}
