//go:build tools

// Package tools pins the control-plane commands this module builds: the API server and the
// controller manager (garbage collection, namespace deletion, Deployments to Pods).
package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
)
