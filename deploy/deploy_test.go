package deploy

import (
	"bytes"
	"errors"
	"io"
	"os"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// manifest is the part of a Kubernetes object the checks read.
type manifest struct {
	Kind string `yaml:"kind"`
	Spec struct {
		Template struct {
			Spec struct {
				AutomountServiceAccountToken *bool `yaml:"automountServiceAccountToken"`
				SecurityContext              struct {
					RunAsNonRoot *bool `yaml:"runAsNonRoot"`
					RunAsUser    int   `yaml:"runAsUser"`
				} `yaml:"securityContext"`
				Containers []struct {
					Image string `yaml:"image"`
					Env   []struct {
						Name  string `yaml:"name"`
						Value string `yaml:"value"`
					} `yaml:"env"`
					SecurityContext struct {
						ReadOnlyRootFilesystem   *bool `yaml:"readOnlyRootFilesystem"`
						AllowPrivilegeEscalation *bool `yaml:"allowPrivilegeEscalation"`
						Capabilities             struct {
							Drop []string `yaml:"drop"`
						} `yaml:"capabilities"`
					} `yaml:"securityContext"`
					LivenessProbe  probe `yaml:"livenessProbe"`
					ReadinessProbe probe `yaml:"readinessProbe"`
					Resources      struct {
						Requests map[string]string `yaml:"requests"`
						Limits   map[string]string `yaml:"limits"`
					} `yaml:"resources"`
					VolumeMounts []struct {
						Name      string `yaml:"name"`
						MountPath string `yaml:"mountPath"`
						ReadOnly  bool   `yaml:"readOnly"`
					} `yaml:"volumeMounts"`
				} `yaml:"containers"`
				Volumes []struct {
					Name   string `yaml:"name"`
					Secret *struct {
						SecretName string `yaml:"secretName"`
					} `yaml:"secret"`
				} `yaml:"volumes"`
			} `yaml:"spec"`
		} `yaml:"template"`
		Selector map[string]any `yaml:"selector"`
	} `yaml:"spec"`
}

type probe struct {
	HTTPGet struct {
		Path   string `yaml:"path"`
		Scheme string `yaml:"scheme"`
	} `yaml:"httpGet"`
}

// TestKubernetesManifest parses deploy/kubernetes.yaml and checks the
// hardening the service's security requirements call for: non-root,
// read-only root file system, no privilege escalation, probes on /healthz
// and /readyz, resource limits, TLS, and keys from a read-only Secret mount
// with no credential in the manifest.
//
// Verifies: SRS-SEC-001, SRS-SEC-003, SRS-API-003
func TestKubernetesManifest(t *testing.T) {
	data, err := os.ReadFile("kubernetes.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if regexp.MustCompile(`afs_[0-9a-f]{16}_`).Match(data) {
		t.Error("manifest contains an API key")
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	kinds := map[string]int{}
	for {
		var m manifest
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		kinds[m.Kind]++
		if m.Kind != "Deployment" {
			continue
		}
		pod := m.Spec.Template.Spec
		if pod.SecurityContext.RunAsNonRoot == nil || !*pod.SecurityContext.RunAsNonRoot || pod.SecurityContext.RunAsUser == 0 {
			t.Error("pod does not run as non-root")
		}
		if pod.AutomountServiceAccountToken == nil || *pod.AutomountServiceAccountToken {
			t.Error("service account token is mounted")
		}
		if len(pod.Containers) != 1 {
			t.Fatalf("got %d containers, want 1", len(pod.Containers))
		}
		c := pod.Containers[0]
		sc := c.SecurityContext
		if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
			t.Error("root file system is writable")
		}
		if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
			t.Error("privilege escalation allowed")
		}
		if len(sc.Capabilities.Drop) != 1 || sc.Capabilities.Drop[0] != "ALL" {
			t.Errorf("capabilities drop %v, want [ALL]", sc.Capabilities.Drop)
		}
		if c.LivenessProbe.HTTPGet.Path != "/healthz" || c.ReadinessProbe.HTTPGet.Path != "/readyz" {
			t.Errorf("probes %q, %q; want /healthz, /readyz", c.LivenessProbe.HTTPGet.Path, c.ReadinessProbe.HTTPGet.Path)
		}
		if c.LivenessProbe.HTTPGet.Scheme != "HTTPS" || c.ReadinessProbe.HTTPGet.Scheme != "HTTPS" {
			t.Error("probes are not HTTPS")
		}
		for _, r := range []string{"cpu", "memory"} {
			if c.Resources.Requests[r] == "" || c.Resources.Limits[r] == "" {
				t.Errorf("no %s request and limit", r)
			}
		}
		env := map[string]string{}
		for _, e := range c.Env {
			env[e.Name] = e.Value
		}
		if env["AFSCAN_TLS_CERT"] == "" || env["AFSCAN_TLS_KEY"] == "" {
			t.Error("TLS not configured")
		}
		secretVolumes := map[string]bool{}
		for _, v := range pod.Volumes {
			if v.Secret != nil {
				secretVolumes[v.Name] = true
			}
		}
		// The API key hashes and the device key come from read-only
		// Secrets, the same for every replica.
		for _, name := range []string{"AFSCAN_KEYS_FILE", "AFSCAN_DEVICE_KEY_FILE"} {
			fromSecret := false
			for _, vm := range c.VolumeMounts {
				if secretVolumes[vm.Name] && vm.ReadOnly && strings.HasPrefix(env[name], vm.MountPath+"/") {
					fromSecret = true
				}
			}
			if !fromSecret {
				t.Errorf("%s %q is not on a read-only Secret mount", name, env[name])
			}
		}
	}
	if kinds["Deployment"] != 1 || kinds["Service"] != 1 {
		t.Errorf("got kinds %v, want one Deployment and one Service", kinds)
	}
}

// TestContainerfile checks the image recipe: multi-stage, static binary,
// distroless or scratch runtime, non-root user, no credential.
//
// Verifies: SRS-SEC-001
func TestContainerfile(t *testing.T) {
	data, err := os.ReadFile("Containerfile")
	if err != nil {
		t.Fatal(err)
	}
	var froms []string
	var user string
	for line := range strings.SplitSeq(string(data), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 || strings.HasPrefix(f[0], "#") {
			continue
		}
		switch strings.ToUpper(f[0]) {
		case "FROM":
			froms = append(froms, f[1])
		case "USER":
			user = f[1]
		}
	}
	if len(froms) < 2 {
		t.Errorf("got %d stages, want a multi-stage build", len(froms))
	}
	if last := froms[len(froms)-1]; !strings.Contains(last, "distroless") && last != "scratch" {
		t.Errorf("runtime image %q is neither distroless nor scratch", last)
	}
	if user == "" || user == "root" || strings.HasPrefix(user, "0") {
		t.Errorf("USER %q, want a non-root user", user)
	}
	if !strings.Contains(string(data), "CGO_ENABLED=0") {
		t.Error("binary is not built with CGO_ENABLED=0")
	}
	if regexp.MustCompile(`afs_[0-9a-f]{16}_`).Match(data) {
		t.Error("Containerfile contains an API key")
	}
}
