package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/pem"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// selfSigned returns a certificate and its key, PEM-encoded.
func selfSigned(t *testing.T) (certPEM, keyPEM []byte) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	template := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test"}, IsCA: true, BasicConstraintsValid: true,
		NotBefore: time.Now(), NotAfter: time.Now().Add(time.Hour),
	}
	der, err := x509.CreateCertificate(rand.Reader, template, template, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
}

func TestKubeconfigFilesRelativeToItOrInlineData(t *testing.T) {
	cert, key := selfSigned(t)
	dir := t.TempDir()
	for name, content := range map[string][]byte{"ca.pem": cert, "admin.pem": cert, "admin-key.pem": key} {
		if err := os.WriteFile(filepath.Join(dir, name), content, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	b64 := func(b []byte) string { return base64.StdEncoding.EncodeToString(b) }
	for name, config := range map[string]string{
		"files": `{"current-context":"c","contexts":[{"name":"c","context":{"cluster":"k","user":"u"}}],
			"clusters":[{"name":"k","cluster":{"server":"https://127.0.0.1:6443","certificate-authority":"ca.pem"}}],
			"users":[{"name":"u","user":{"client-certificate":"admin.pem","client-key":"` + filepath.Join(dir, "admin-key.pem") + `"}}]}`,
		"data": "current-context: c\ncontexts: [{name: c, context: {cluster: k, user: u}}]\n" +
			"clusters: [{name: k, cluster: {server: 'https://127.0.0.1:6443', certificate-authority-data: " + b64(cert) + "}}]\n" +
			"users: [{name: u, user: {client-certificate-data: " + b64(cert) + ", client-key-data: " + b64(key) + "}}]\n",
	} {
		path := filepath.Join(dir, name+".kubeconfig")
		if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
			t.Fatal(err)
		}
		api, err := loadKubeconfig(path)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		tlsConfig := api.client.Transport.(*http.Transport).TLSClientConfig
		if api.server != "https://127.0.0.1:6443" || len(tlsConfig.Certificates) != 1 || tlsConfig.RootCAs == nil {
			t.Errorf("%s: server %s, %d client certificates, CA pool %v", name, api.server, len(tlsConfig.Certificates), tlsConfig.RootCAs)
		}
	}
}

func TestKubeconfigWithoutAClientCertificateIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "kubeconfig")
	config := `{"current-context":"c","contexts":[{"name":"c","context":{"cluster":"k","user":"u"}}],
		"clusters":[{"name":"k","cluster":{"server":"https://127.0.0.1:6443"}}],"users":[{"name":"u","user":{}}]}`
	if err := os.WriteFile(path, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := loadKubeconfig(path)
	want := "kubeconfig " + path + ": user u has no client certificate (the only credential this tool reads)"
	if err == nil || err.Error() != want {
		t.Errorf("got %v, want %q", err, want)
	}
}
