package deploy

import (
	"encoding/json"
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/afscan/afscan/deploy/image"
)

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
	manifests, err := ReadManifests("kubernetes.yaml")
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string]int{}
	for _, m := range manifests {
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

// TestContainerfile checks the image recipe against the runtime image's
// definition (package deploy/image, which deploy/build-image.sh builds and
// CI checks): multi-stage, the build stage on the toolchain go.mod names,
// a static binary, the layer written by deploy/imagetool, a scratch runtime
// stage whose COPYs give every file the definition's owner, and USER,
// ENTRYPOINT, CMD, ENV, EXPOSE and LABEL as the definition has them, no
// VOLUME, no credential.
//
// Verifies: SRS-SEC-001
func TestContainerfile(t *testing.T) {
	data, err := os.ReadFile("Containerfile")
	if err != nil {
		t.Fatal(err)
	}
	if regexp.MustCompile(`afs_[0-9a-f]{16}_`).Match(data) {
		t.Error("Containerfile contains an API key")
	}
	for _, s := range []string{"CGO_ENABLED=0", "-trimpath", "go run ./deploy/imagetool layer", "--rootfs deploy/rootfs", "/out/rootfs"} {
		if !strings.Contains(string(data), s) {
			t.Errorf("Containerfile lacks %q", s)
		}
	}
	stages := parseContainerfile(t, string(data))
	if len(stages) < 2 {
		t.Fatalf("got %d stages, want a multi-stage build", len(stages))
	}
	gomod, err := os.ReadFile("../go.mod")
	if err != nil {
		t.Fatal(err)
	}
	toolchain := regexp.MustCompile(`(?m)^toolchain go(\S+)$`).FindSubmatch(gomod)
	if toolchain == nil {
		t.Fatal("go.mod has no toolchain line")
	}
	if got, want := stages[0].from, "docker.io/library/golang:"+string(toolchain[1]); got != want+" AS build" {
		t.Errorf("build stage FROM %q, want %q (go.mod's toolchain)", got, want+" AS build")
	}
	run := stages[len(stages)-1]
	if run.from != "scratch" {
		t.Errorf("runtime stage FROM %q, want scratch (the image holds only the definition's files)", run.from)
	}
	want := image.WantConfig("linux", "amd64")
	var env, ports []string
	labels := map[string]string{}
	for _, in := range run.instrs {
		switch in.cmd {
		case "USER":
			if in.args != want.User {
				t.Errorf("USER %q, want %q", in.args, want.User)
			}
		case "ENTRYPOINT":
			checkExecForm(t, in, want.Entrypoint)
		case "CMD":
			checkExecForm(t, in, want.Cmd)
		case "ENV":
			env = append(env, in.args)
		case "EXPOSE":
			ports = append(ports, strings.Fields(in.args)...)
		case "LABEL":
			k, v, _ := strings.Cut(in.args, "=")
			labels[k] = strings.Trim(v, `"`)
		case "VOLUME":
			t.Errorf("VOLUME %s: the deployment mounts the data volume; the image declares none", in.args)
		}
	}
	slices.Sort(env)
	slices.Sort(ports)
	if wantEnv := slices.Sorted(slices.Values(want.Env)); !slices.Equal(env, wantEnv) {
		t.Errorf("ENV %q, want %q", env, wantEnv)
	}
	if wantPorts := slices.Sorted(slices.Values(want.ExposedPorts)); !slices.Equal(ports, wantPorts) {
		t.Errorf("EXPOSE %q, want %q", ports, wantPorts)
	}
	for k, v := range want.Labels {
		if labels[k] != v {
			t.Errorf("LABEL %s=%q, want %q", k, labels[k], v)
		}
	}
	if labels[image.RevisionLabel] == "" {
		t.Errorf("no LABEL %s", image.RevisionLabel)
	}
	checkCopies(t, run.instrs)
}

// checkCopies requires every runtime-stage COPY to copy a directory of the
// build stage's /out/rootfs to the same place, and every entry of the
// definition to get its owner: the COPY's --chown for what it copies, root
// for the directories the builder creates.
func checkCopies(t *testing.T, instrs []instruction) {
	t.Helper()
	type copyInstr struct{ dir, chown string }
	var copies []copyInstr
	for _, in := range instrs {
		if in.cmd != "COPY" {
			continue
		}
		f := strings.Fields(in.args)
		var c copyInstr
		var from string
		var paths []string
		for _, a := range f {
			switch {
			case strings.HasPrefix(a, "--from="):
				from = strings.TrimPrefix(a, "--from=")
			case strings.HasPrefix(a, "--chown="):
				c.chown = strings.TrimPrefix(a, "--chown=")
			default:
				paths = append(paths, a)
			}
		}
		if from != "build" || len(paths) != 2 {
			t.Errorf("COPY %s: want COPY --from=build SRC DST", in.args)
			continue
		}
		dir, ok := strings.CutPrefix(paths[0], "/out/rootfs/")
		if !ok || paths[1] != "/"+dir || !strings.HasSuffix(dir, "/") {
			t.Errorf("COPY %s: want /out/rootfs/DIR/ /DIR/", in.args)
			continue
		}
		c.dir = dir
		copies = append(copies, c)
	}
	for _, e := range image.Entries("afscan", "rootfs") {
		owner := "0:0"
		for _, c := range copies {
			if strings.HasPrefix(e.Name, c.dir) && e.Name != c.dir {
				owner = c.chown
				if owner == "" {
					owner = "0:0"
				}
			}
		}
		if want := fmt.Sprintf("%d:%d", e.UID, e.GID); owner != want {
			t.Errorf("%s gets owner %s from the COPYs, want %s", e.Name, owner, want)
		}
	}
}

func checkExecForm(t *testing.T, in instruction, want []string) {
	t.Helper()
	var got []string
	if err := json.Unmarshal([]byte(in.args), &got); err != nil {
		t.Errorf("%s %s: not the exec (JSON) form: %v", in.cmd, in.args, err)
		return
	}
	if !slices.Equal(got, want) {
		t.Errorf("%s %q, want %q", in.cmd, got, want)
	}
}

type instruction struct{ cmd, args string }

type stage struct {
	from   string
	instrs []instruction
}

// parseContainerfile splits a Containerfile into stages of instructions,
// joining continued lines and dropping comments.
func parseContainerfile(t *testing.T, text string) []stage {
	t.Helper()
	var stages []stage
	var cont string
	for line := range strings.SplitSeq(text, "\n") {
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") || trimmed == "" && cont == "" {
			continue
		}
		if more, ok := strings.CutSuffix(trimmed, "\\"); ok {
			cont += more + " "
			continue
		}
		full := cont + trimmed
		cont = ""
		cmd, args, _ := strings.Cut(full, " ")
		cmd = strings.ToUpper(cmd)
		args = strings.TrimSpace(args)
		if cmd == "FROM" {
			stages = append(stages, stage{from: args})
			continue
		}
		if len(stages) == 0 {
			if cmd != "ARG" {
				t.Errorf("%s before the first FROM", cmd)
			}
			continue
		}
		s := &stages[len(stages)-1]
		s.instrs = append(s.instrs, instruction{cmd, args})
	}
	return stages
}
