package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"time"

	"gopkg.in/yaml.v3"
)

// kubeconfig is the part of a kubeconfig file a client-certificate GET needs. Paths are relative
// to the file, as kubectl reads them; the *-data fields hold base64 PEM instead.
type kubeconfig struct {
	CurrentContext string `yaml:"current-context"`
	Contexts       []struct {
		Name    string `yaml:"name"`
		Context struct {
			Cluster string `yaml:"cluster"`
			User    string `yaml:"user"`
		} `yaml:"context"`
	} `yaml:"contexts"`
	Clusters []struct {
		Name    string `yaml:"name"`
		Cluster struct {
			Server                   string `yaml:"server"`
			CertificateAuthority     string `yaml:"certificate-authority"`
			CertificateAuthorityData string `yaml:"certificate-authority-data"`
		} `yaml:"cluster"`
	} `yaml:"clusters"`
	Users []struct {
		Name string `yaml:"name"`
		User struct {
			ClientCertificate     string `yaml:"client-certificate"`
			ClientCertificateData string `yaml:"client-certificate-data"`
			ClientKey             string `yaml:"client-key"`
			ClientKeyData         string `yaml:"client-key-data"`
		} `yaml:"user"`
	} `yaml:"users"`
}

// apiServer is where the current context's cluster is and how to authenticate to it.
type apiServer struct {
	server string
	client *http.Client
}

func loadKubeconfig(path string) (*apiServer, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("kubeconfig: %w", err)
	}
	var config kubeconfig
	if err := yaml.Unmarshal(raw, &config); err != nil {
		return nil, fmt.Errorf("kubeconfig %s: %w", path, err)
	}
	dir := filepath.Dir(path)
	pem := func(file, data string) ([]byte, error) {
		if data != "" {
			return base64.StdEncoding.DecodeString(data)
		}
		if file == "" {
			return nil, nil
		}
		if !filepath.IsAbs(file) {
			file = filepath.Join(dir, file)
		}
		return os.ReadFile(file)
	}
	var clusterName, userName string
	for _, c := range config.Contexts {
		if c.Name == config.CurrentContext {
			clusterName, userName = c.Context.Cluster, c.Context.User
		}
	}
	if clusterName == "" {
		return nil, fmt.Errorf("kubeconfig %s: no context named %q (current-context)", path, config.CurrentContext)
	}
	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12}
	var server string
	for _, c := range config.Clusters {
		if c.Name != clusterName {
			continue
		}
		server = c.Cluster.Server
		ca, err := pem(c.Cluster.CertificateAuthority, c.Cluster.CertificateAuthorityData)
		if err != nil {
			return nil, fmt.Errorf("kubeconfig %s: cluster %s CA: %w", path, clusterName, err)
		}
		if ca != nil {
			tlsConfig.RootCAs = x509.NewCertPool()
			if !tlsConfig.RootCAs.AppendCertsFromPEM(ca) {
				return nil, fmt.Errorf("kubeconfig %s: cluster %s: no certificate in its CA", path, clusterName)
			}
		}
	}
	if server == "" {
		return nil, fmt.Errorf("kubeconfig %s: no server for cluster %q", path, clusterName)
	}
	for _, u := range config.Users {
		if u.Name != userName {
			continue
		}
		cert, err := pem(u.User.ClientCertificate, u.User.ClientCertificateData)
		if err != nil {
			return nil, fmt.Errorf("kubeconfig %s: user %s certificate: %w", path, userName, err)
		}
		key, err := pem(u.User.ClientKey, u.User.ClientKeyData)
		if err != nil {
			return nil, fmt.Errorf("kubeconfig %s: user %s key: %w", path, userName, err)
		}
		if cert == nil || key == nil {
			return nil, fmt.Errorf("kubeconfig %s: user %s has no client certificate (the only credential this tool reads)", path, userName)
		}
		pair, err := tls.X509KeyPair(cert, key)
		if err != nil {
			return nil, fmt.Errorf("kubeconfig %s: user %s: %w", path, userName, err)
		}
		tlsConfig.Certificates = []tls.Certificate{pair}
	}
	return &apiServer{
		server: server,
		client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{TLSClientConfig: tlsConfig}},
	}, nil
}

// secretData reads a Secret from the API server and returns its data, decoded.
func (a *apiServer) secretData(namespace, name string) (map[string]string, error) {
	path := "/api/v1/namespaces/" + url.PathEscape(namespace) + "/secrets/" + url.PathEscape(name)
	resp, err := a.client.Get(a.server + path)
	if err != nil {
		return nil, fmt.Errorf("kubernetes: GET %s: %w", path, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("kubernetes: GET %s: %w", path, err)
	}
	if resp.StatusCode != http.StatusOK {
		var status struct {
			Message string `json:"message"`
		}
		_ = json.Unmarshal(body, &status)
		return nil, fmt.Errorf("kubernetes: GET %s: %s: %s", path, resp.Status, status.Message)
	}
	var secret struct {
		Data map[string]string `json:"data"`
	}
	if err := json.Unmarshal(body, &secret); err != nil {
		return nil, fmt.Errorf("kubernetes: GET %s: %w", path, err)
	}
	data := make(map[string]string, len(secret.Data))
	for key, value := range secret.Data {
		decoded, err := base64.StdEncoding.DecodeString(value)
		if err != nil {
			return nil, fmt.Errorf("kubernetes: secret %s/%s key %s: %w", namespace, name, key, err)
		}
		data[key] = string(decoded)
	}
	return data, nil
}
