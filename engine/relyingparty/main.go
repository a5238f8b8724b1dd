// Command pomerium-auth0-login signs in to Auth0 the way Pomerium does, with what a `pulumi up`
// put into the cluster: it reads the IdP Secret from the Kubernetes API server, then
//
//	signin     runs Pomerium's OIDC login (go-oidc and x/oauth2, configured as Pomerium's Auth0
//	           provider configures them) as one user, refreshes and signs out;
//	directory  lists roles and their members with IDP_SERVICE_ACCOUNT, as Pomerium v0.19's Auth0
//	           directory provider did.
//
// Each prints JSON on stdout; a failure exits 1 with Auth0's (or go-oidc's) error on one stderr line.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"
)

const usage = `usage: pomerium-auth0-login signin|directory [flags]  (-h after a command lists its flags)`

// secretFlags say where the IdP Secret is.
type secretFlags struct {
	kubeconfig, namespace, name string
}

func (s *secretFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&s.kubeconfig, "kubeconfig", os.Getenv("KUBECONFIG"), "kubeconfig whose current context reaches the cluster (client certificate)")
	fs.StringVar(&s.namespace, "namespace", "pomerium", "namespace of the IdP Secret")
	fs.StringVar(&s.name, "secret", "pomerium-idp", "name of the IdP Secret")
}

func (s *secretFlags) read() (map[string]string, error) {
	if s.kubeconfig == "" {
		return nil, fmt.Errorf("no kubeconfig: pass --kubeconfig or set KUBECONFIG")
	}
	api, err := loadKubeconfig(s.kubeconfig)
	if err != nil {
		return nil, err
	}
	return api.secretData(s.namespace, s.name)
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	ctx := context.Background()
	var result any
	var err error
	switch os.Args[1] {
	case "signin":
		result, err = signInCommand(ctx, os.Args[2:])
	case "directory":
		result, err = directoryCommand(ctx, os.Args[2:])
	default:
		fmt.Fprintln(os.Stderr, usage)
		os.Exit(2)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "pomerium-auth0-login: "+strings.Join(strings.Fields(err.Error()), " "))
		os.Exit(1)
	}
	out := json.NewEncoder(os.Stdout)
	out.SetIndent("", "  ")
	if err := out.Encode(result); err != nil {
		fmt.Fprintln(os.Stderr, "pomerium-auth0-login: "+err.Error())
		os.Exit(1)
	}
}

// require returns the Secret's value for key, or an error naming the key.
func require(secret map[string]string, key string) (string, error) {
	value := secret[key]
	if value == "" {
		return "", fmt.Errorf("the IdP Secret has no %s", key)
	}
	return value, nil
}
