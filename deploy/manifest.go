package deploy

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"

	"go.yaml.in/yaml/v3"
)

// Manifest is the part of a Kubernetes object that the manifest checks
// (deploy_test.go) and the podman run (play-kube.sh, through imagetool
// kube-spec) read.
type Manifest struct {
	Kind     string `yaml:"kind"`
	Metadata struct {
		Name string `yaml:"name"`
	} `yaml:"metadata"`
	Spec struct {
		Replicas *int `yaml:"replicas"`
		Template struct {
			Spec PodSpec `yaml:"spec"`
		} `yaml:"template"`
		Selector map[string]any `yaml:"selector"`
	} `yaml:"spec"`
}

// PodSpec is a Deployment's pod template spec.
type PodSpec struct {
	AutomountServiceAccountToken *bool `yaml:"automountServiceAccountToken"`
	SecurityContext              struct {
		RunAsNonRoot *bool `yaml:"runAsNonRoot"`
		RunAsUser    int   `yaml:"runAsUser"`
		RunAsGroup   int   `yaml:"runAsGroup"`
		FSGroup      int   `yaml:"fsGroup"`
	} `yaml:"securityContext"`
	Containers []Container `yaml:"containers"`
	Volumes    []struct {
		Name   string `yaml:"name"`
		Secret *struct {
			SecretName string `yaml:"secretName"`
			// DefaultMode is the file mode; YAML 1.1 reads 0440 as octal,
			// as Kubernetes does.
			DefaultMode *int `yaml:"defaultMode"`
		} `yaml:"secret"`
		EmptyDir map[string]any `yaml:"emptyDir"`
	} `yaml:"volumes"`
}

// Container is one container of a pod spec.
type Container struct {
	Image string `yaml:"image"`
	Env   []struct {
		Name  string `yaml:"name"`
		Value string `yaml:"value"`
	} `yaml:"env"`
	Ports []struct {
		Name          string `yaml:"name"`
		ContainerPort int    `yaml:"containerPort"`
	} `yaml:"ports"`
	SecurityContext struct {
		ReadOnlyRootFilesystem   *bool `yaml:"readOnlyRootFilesystem"`
		AllowPrivilegeEscalation *bool `yaml:"allowPrivilegeEscalation"`
		Capabilities             struct {
			Drop []string `yaml:"drop"`
		} `yaml:"capabilities"`
	} `yaml:"securityContext"`
	LivenessProbe  Probe `yaml:"livenessProbe"`
	ReadinessProbe Probe `yaml:"readinessProbe"`
	Resources      struct {
		Requests map[string]string `yaml:"requests"`
		Limits   map[string]string `yaml:"limits"`
	} `yaml:"resources"`
	VolumeMounts []struct {
		Name      string `yaml:"name"`
		MountPath string `yaml:"mountPath"`
		ReadOnly  bool   `yaml:"readOnly"`
	} `yaml:"volumeMounts"`
}

// Probe is an HTTP probe; Port is a number or the name of a container port.
type Probe struct {
	HTTPGet struct {
		Path   string `yaml:"path"`
		Port   string `yaml:"port"`
		Scheme string `yaml:"scheme"`
	} `yaml:"httpGet"`
}

// PortNumber resolves a probe's port (a number or a port name) against c's
// ports.
func (c *Container) PortNumber(port string) (int, error) {
	for _, p := range c.Ports {
		if p.Name == port {
			return p.ContainerPort, nil
		}
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 {
		return 0, fmt.Errorf("port %q is neither a container port name nor a port number", port)
	}
	return n, nil
}

// ReadManifests reads every object of a multi-document YAML file.
func ReadManifests(path string) ([]Manifest, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var out []Manifest
	for {
		var m Manifest
		err := dec.Decode(&m)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: object %d: %w", path, len(out)+1, err)
		}
		out = append(out, m)
	}
}
