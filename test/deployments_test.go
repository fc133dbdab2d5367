package test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
	"go.yaml.in/yaml/v3"
)

// What deployments/ ships is checked here, because a manifest that does
// not hang together fails only when someone applies it.

const k8sDir = "../deployments/kubernetes"

// k8sObject is the part of a Kubernetes object the checks read.
type k8sObject struct {
	file       string
	APIVersion string `yaml:"apiVersion"`
	Kind       string `yaml:"kind"`
	Metadata   struct {
		Name   string            `yaml:"name"`
		Labels map[string]string `yaml:"labels"`
	} `yaml:"metadata"`
	Data map[string]string `yaml:"data"`
	Spec struct {
		Replicas    *int   `yaml:"replicas"`
		ServiceName string `yaml:"serviceName"`
		ClusterIP   string `yaml:"clusterIP"`
		// Selector is a label map on a Service and {matchLabels: …} on
		// a workload.
		Selector map[string]any `yaml:"selector"`
		Ports    []struct {
			Name       string `yaml:"name"`
			TargetPort any    `yaml:"targetPort"`
		} `yaml:"ports"`
		Template *struct {
			Metadata struct {
				Labels map[string]string `yaml:"labels"`
			} `yaml:"metadata"`
			Spec podSpec `yaml:"spec"`
		} `yaml:"template"`
		VolumeClaimTemplates []struct {
			Metadata struct {
				Name string `yaml:"name"`
			} `yaml:"metadata"`
		} `yaml:"volumeClaimTemplates"`
	} `yaml:"spec"`
}

type podSpec struct {
	Containers []k8sContainer `yaml:"containers"`
	Volumes    []struct {
		Name   string `yaml:"name"`
		Secret *struct {
			SecretName string `yaml:"secretName"`
		} `yaml:"secret"`
		ConfigMap *struct {
			Name string `yaml:"name"`
		} `yaml:"configMap"`
		PersistentVolumeClaim *struct {
			ClaimName string `yaml:"claimName"`
		} `yaml:"persistentVolumeClaim"`
	} `yaml:"volumes"`
}

type k8sContainer struct {
	Name    string   `yaml:"name"`
	Image   string   `yaml:"image"`
	Command []string `yaml:"command"`
	Ports   []struct {
		Name          string `yaml:"name"`
		ContainerPort int    `yaml:"containerPort"`
	} `yaml:"ports"`
	Env []struct {
		Name      string `yaml:"name"`
		Value     string `yaml:"value"`
		ValueFrom *struct {
			SecretKeyRef *struct {
				Name string `yaml:"name"`
			} `yaml:"secretKeyRef"`
			ConfigMapKeyRef *struct {
				Name string `yaml:"name"`
			} `yaml:"configMapKeyRef"`
		} `yaml:"valueFrom"`
	} `yaml:"env"`
	EnvFrom []struct {
		ConfigMapRef *struct {
			Name string `yaml:"name"`
		} `yaml:"configMapRef"`
		SecretRef *struct {
			Name string `yaml:"name"`
		} `yaml:"secretRef"`
	} `yaml:"envFrom"`
	VolumeMounts []struct {
		Name      string `yaml:"name"`
		MountPath string `yaml:"mountPath"`
	} `yaml:"volumeMounts"`
	LivenessProbe  *k8sProbe `yaml:"livenessProbe"`
	ReadinessProbe *k8sProbe `yaml:"readinessProbe"`
}

type k8sProbe struct {
	HTTPGet *struct {
		Path string `yaml:"path"`
		Port any    `yaml:"port"`
	} `yaml:"httpGet"`
}

// env returns the value a container sees for name: its own env first,
// then the ConfigMaps it takes whole.
func (c k8sContainer) env(name string, configMaps map[string]*k8sObject) (string, bool) {
	for _, e := range c.Env {
		if e.Name == name {
			return e.Value, e.ValueFrom == nil
		}
	}
	for _, ef := range c.EnvFrom {
		if ef.ConfigMapRef == nil {
			continue
		}
		if cm, ok := configMaps[ef.ConfigMapRef.Name]; ok {
			if v, ok := cm.Data[name]; ok {
				return v, true
			}
		}
	}
	return "", false
}

// loadManifests parses every YAML document of the salyq manifests.
func loadManifests(t *testing.T) []*k8sObject {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(k8sDir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in %s: %v", k8sDir, err)
	}
	var out []*k8sObject
	for _, f := range files {
		switch filepath.Base(f) {
		case "nats-values.yaml", "kustomization.yaml":
			continue // Helm values and the kustomization are read apart
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		dec := yaml.NewDecoder(bytes.NewReader(data))
		for i := 0; ; i++ {
			var o k8sObject
			err := dec.Decode(&o)
			if errors.Is(err, io.EOF) {
				break
			}
			if err != nil {
				t.Fatalf("%s document %d: %v", f, i, err)
			}
			if o.APIVersion == "" || o.Kind == "" || o.Metadata.Name == "" {
				t.Errorf("%s document %d: apiVersion, kind or metadata.name missing", f, i)
				continue
			}
			o.file = filepath.Base(f)
			out = append(out, &o)
		}
	}
	return out
}

// externalSecrets are the Secrets the operator creates; deployments/README.md
// must say how.
var externalSecrets = []string{"salyq-credentials", "salyq-keys", "salyq-transport", "salyq-api-tokens"}

// TestKubernetesManifests checks that the manifests refer to each other
// consistently: every reference names an object that exists (or an
// external Secret the README lists), Services select pods, probes use a
// named container port, SALYQ_NATS is the Helm release's Service, and
// every container runs one of our binaries.
func TestKubernetesManifests(t *testing.T) {
	objs := loadManifests(t)
	byKind := map[string]map[string]*k8sObject{}
	for _, o := range objs {
		if byKind[o.Kind] == nil {
			byKind[o.Kind] = map[string]*k8sObject{}
		}
		if _, dup := byKind[o.Kind][o.Metadata.Name]; dup {
			t.Errorf("%s %s defined twice", o.Kind, o.Metadata.Name)
		}
		byKind[o.Kind][o.Metadata.Name] = o
	}
	readme, err := os.ReadFile("../deployments/README.md")
	if err != nil {
		t.Fatal(err)
	}
	secretExists := func(name string) bool {
		if _, ok := byKind["Secret"][name]; ok {
			return true
		}
		return slices.Contains(externalSecrets, name) && bytes.Contains(readme, []byte(name))
	}
	configMaps := byKind["ConfigMap"]

	workloads := map[string]*k8sObject{}
	for _, kind := range []string{"Deployment", "StatefulSet"} {
		maps.Copy(workloads, byKind[kind])
	}
	wantWorkloads := map[string]struct{ kind, binary, port string }{
		"salyq-producer": {"Deployment", "producer", "8480"},
		"salyq-worker":   {"Deployment", "worker", "8481"},
		"salyq-poller":   {"StatefulSet", "poller", "8482"},
	}
	for name, want := range wantWorkloads {
		o, ok := workloads[name]
		if !ok || o.Kind != want.kind {
			t.Errorf("want a %s %s", want.kind, name)
			continue
		}
		checkWorkload(t, o, want.binary, want.port, configMaps, secretExists)
	}
	if p := workloads["salyq-poller"]; p != nil {
		if p.Spec.Replicas == nil || *p.Spec.Replicas < 2 {
			t.Errorf("salyq-poller: want at least 2 replicas (one active, one standing by)")
		}
		svc, ok := byKind["Service"][p.Spec.ServiceName]
		if !ok {
			t.Errorf("salyq-poller: serviceName %q names no Service", p.Spec.ServiceName)
		} else if svc.Spec.ClusterIP != "None" {
			t.Errorf("Service %s governs a StatefulSet: want clusterIP None", svc.Metadata.Name)
		}
		checkPollerData(t, p, configMaps)
	}
	for _, svc := range byKind["Service"] {
		checkService(t, svc, workloads)
	}
	checkNATSURL(t, configMaps)
	checkKustomization(t, objs)
}

// checkWorkload checks one Deployment or StatefulSet.
// httpEnv is the variable that sets each binary's --http: the worker and
// the poller have their own, so that one environment file serves all three.
var httpEnv = map[string]string{"producer": "SALYQ_HTTP", "worker": "SALYQ_WORKER_HTTP", "poller": "SALYQ_POLLER_HTTP"}

func checkWorkload(t *testing.T, o *k8sObject, binary, port string, configMaps map[string]*k8sObject, secretExists func(string) bool) {
	t.Helper()
	name := o.Kind + " " + o.Metadata.Name
	if o.Spec.Template == nil {
		t.Errorf("%s: no pod template", name)
		return
	}
	labels := o.Spec.Template.Metadata.Labels
	match, _ := o.Spec.Selector["matchLabels"].(map[string]any)
	if len(match) == 0 {
		t.Errorf("%s: no selector.matchLabels", name)
	}
	for k, v := range match {
		if labels[k] != fmt.Sprint(v) {
			t.Errorf("%s: selector %s=%v does not match the pod labels %v", name, k, v, labels)
		}
	}
	pod := o.Spec.Template.Spec
	volumes := map[string]bool{}
	for _, v := range pod.Volumes {
		volumes[v.Name] = true
		switch {
		case v.Secret != nil && !secretExists(v.Secret.SecretName):
			t.Errorf("%s: volume %s: Secret %q is neither defined nor listed in deployments/README.md", name, v.Name, v.Secret.SecretName)
		case v.ConfigMap != nil && configMaps[v.ConfigMap.Name] == nil:
			t.Errorf("%s: volume %s: no ConfigMap %q", name, v.Name, v.ConfigMap.Name)
		case v.PersistentVolumeClaim != nil:
			t.Errorf("%s: volume %s: claim %q; pods of one workload must not share a claim", name, v.Name, v.PersistentVolumeClaim.ClaimName)
		}
	}
	for _, c := range o.Spec.VolumeClaimTemplates {
		volumes[c.Metadata.Name] = true
	}
	if len(pod.Containers) != 1 {
		t.Errorf("%s: want one container, have %d", name, len(pod.Containers))
		return
	}
	c := pod.Containers[0]
	if !strings.Contains(c.Image, "salyq") {
		t.Errorf("%s: image %q is not salyq's", name, c.Image)
	}
	if len(c.Command) == 0 || path.Base(c.Command[0]) != binary {
		t.Errorf("%s: command %v, want our %s binary", name, c.Command, binary)
	} else if _, err := os.Stat(filepath.Join("../cmd", binary)); err != nil {
		t.Errorf("%s: runs %s, which cmd/ does not build", name, binary)
	}
	for _, m := range c.VolumeMounts {
		if !volumes[m.Name] {
			t.Errorf("%s: mount %s names no volume or claim template", name, m.Name)
		}
	}
	for _, ef := range c.EnvFrom {
		if ef.ConfigMapRef != nil && configMaps[ef.ConfigMapRef.Name] == nil {
			t.Errorf("%s: envFrom: no ConfigMap %q", name, ef.ConfigMapRef.Name)
		}
		if ef.SecretRef != nil && !secretExists(ef.SecretRef.Name) {
			t.Errorf("%s: envFrom: Secret %q is neither defined nor listed in deployments/README.md", name, ef.SecretRef.Name)
		}
	}
	for _, e := range c.Env {
		if e.ValueFrom == nil {
			continue
		}
		if r := e.ValueFrom.SecretKeyRef; r != nil && !secretExists(r.Name) {
			t.Errorf("%s: env %s: Secret %q is neither defined nor listed in deployments/README.md", name, e.Name, r.Name)
		}
		if r := e.ValueFrom.ConfigMapKeyRef; r != nil && configMaps[r.Name] == nil {
			t.Errorf("%s: env %s: no ConfigMap %q", name, e.Name, r.Name)
		}
	}
	ports := map[string]int{}
	for _, p := range c.Ports {
		ports[p.Name] = p.ContainerPort
	}
	if fmt.Sprint(ports["http"]) != port {
		t.Errorf("%s: container port http = %d, want %s", name, ports["http"], port)
	}
	// The service listens where the port says, on every interface.
	if v, _ := c.env(httpEnv[binary], configMaps); v != "0.0.0.0:"+port {
		t.Errorf("%s: %s = %q, want 0.0.0.0:%s", name, httpEnv[binary], v, port)
	}
	// The producer refuses an API beyond loopback without tokens, and
	// every service needs the NATS account's user.
	if v, _ := c.env("SALYQ_API_TOKENS", configMaps); binary == "producer" && v == "" {
		t.Errorf("%s: no SALYQ_API_TOKENS: the producer will not serve 0.0.0.0 without it", name)
	}
	if v, _ := c.env("SALYQ_NATS_USER", configMaps); v == "" {
		t.Errorf("%s: no SALYQ_NATS_USER for the cluster's SALYQ account", name)
	}
	for _, p := range []struct {
		kind  string
		probe *k8sProbe
		path  string
	}{{"liveness", c.LivenessProbe, "/healthz"}, {"readiness", c.ReadinessProbe, "/readyz"}} {
		switch {
		case p.probe == nil || p.probe.HTTPGet == nil:
			t.Errorf("%s: no HTTP %s probe", name, p.kind)
		case p.probe.HTTPGet.Path != p.path:
			t.Errorf("%s: %s probe on %q, want %s", name, p.kind, p.probe.HTTPGet.Path, p.path)
		default:
			port, isName := p.probe.HTTPGet.Port.(string)
			if _, ok := ports[port]; !isName || !ok {
				t.Errorf("%s: %s probe port %v names no container port", name, p.kind, p.probe.HTTPGet.Port)
			}
		}
	}
}

// checkPollerData: the poller's store is on its claim.
func checkPollerData(t *testing.T, p *k8sObject, configMaps map[string]*k8sObject) {
	t.Helper()
	if p.Spec.Template == nil || len(p.Spec.Template.Spec.Containers) == 0 || len(p.Spec.VolumeClaimTemplates) == 0 {
		t.Errorf("salyq-poller: want a volumeClaimTemplate for its store")
		return
	}
	c := p.Spec.Template.Spec.Containers[0]
	data, _ := c.env("SALYQ_DATA", configMaps)
	claim := p.Spec.VolumeClaimTemplates[0].Metadata.Name
	for _, m := range c.VolumeMounts {
		if m.Name == claim && m.MountPath == data {
			return
		}
	}
	t.Errorf("salyq-poller: SALYQ_DATA %q is not where claim %s is mounted", data, claim)
}

// checkService: the selector matches a workload's pods and the target
// port is one of their named ports.
func checkService(t *testing.T, svc *k8sObject, workloads map[string]*k8sObject) {
	t.Helper()
	if len(svc.Spec.Selector) == 0 {
		t.Errorf("Service %s: no selector", svc.Metadata.Name)
		return
	}
	var matched []*k8sObject
	for _, w := range workloads {
		if w.Spec.Template == nil {
			continue
		}
		all := true
		for k, v := range svc.Spec.Selector {
			all = all && w.Spec.Template.Metadata.Labels[k] == fmt.Sprint(v)
		}
		if all {
			matched = append(matched, w)
		}
	}
	if len(matched) != 1 {
		t.Errorf("Service %s selects the pods of %d workloads, want 1", svc.Metadata.Name, len(matched))
		return
	}
	for _, p := range svc.Spec.Ports {
		name, ok := p.TargetPort.(string)
		found := false
		for _, c := range matched[0].Spec.Template.Spec.Containers {
			for _, cp := range c.Ports {
				found = found || cp.Name == name
			}
		}
		if !ok || !found {
			t.Errorf("Service %s: targetPort %v is no named port of %s", svc.Metadata.Name, p.TargetPort, matched[0].Metadata.Name)
		}
	}
}

// checkNATSURL: SALYQ_NATS names the Helm release's client Service, and
// the replicas salyq asks for are the servers the release runs.
func checkNATSURL(t *testing.T, configMaps map[string]*k8sObject) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(k8sDir, "nats-values.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var values struct {
		FullnameOverride string `yaml:"fullnameOverride"`
		Config           struct {
			Cluster struct {
				Enabled  bool `yaml:"enabled"`
				Replicas int  `yaml:"replicas"`
				TLS      struct {
					Enabled    bool   `yaml:"enabled"`
					SecretName string `yaml:"secretName"`
				} `yaml:"tls"`
			} `yaml:"cluster"`
			JetStream struct {
				Enabled   bool `yaml:"enabled"`
				FileStore struct {
					Enabled bool `yaml:"enabled"`
					PVC     struct {
						Enabled bool `yaml:"enabled"`
					} `yaml:"pvc"`
				} `yaml:"fileStore"`
			} `yaml:"jetstream"`
		} `yaml:"config"`
		TLSCA struct {
			Enabled    bool   `yaml:"enabled"`
			SecretName string `yaml:"secretName"`
		} `yaml:"tlsCA"`
	}
	if err := yaml.Unmarshal(data, &values); err != nil {
		t.Fatalf("nats-values.yaml: %v", err)
	}
	c := values.Config
	// Routes are mutual TLS, as in deployments/nats: the chart needs the
	// certificate and the CA it verifies peers against.
	if !c.Cluster.TLS.Enabled || c.Cluster.TLS.SecretName == "" || !values.TLSCA.Enabled || values.TLSCA.SecretName == "" {
		t.Errorf("nats-values.yaml: routes without mutual TLS: cluster.tls %+v, tlsCA %+v", c.Cluster.TLS, values.TLSCA)
	}
	if !c.Cluster.Enabled || c.Cluster.Replicas != 3 || !c.JetStream.Enabled || !c.JetStream.FileStore.Enabled || !c.JetStream.FileStore.PVC.Enabled {
		t.Errorf("nats-values.yaml: want a 3-server cluster with JetStream on a file store with a PVC: %+v", c)
	}
	// The chart names its Service after fullnameOverride, else the release
	// (installed as "nats", see the file's header).
	service := values.FullnameOverride
	if service == "" {
		service = "nats"
	}
	cm := configMaps["salyq-config"]
	if cm == nil {
		t.Fatal("no ConfigMap salyq-config")
	}
	if cm.Data["SALYQ_REPLICAS"] != fmt.Sprint(c.Cluster.Replicas) {
		t.Errorf("SALYQ_REPLICAS = %q, the release runs %d servers", cm.Data["SALYQ_REPLICAS"], c.Cluster.Replicas)
	}
	urls := strings.Split(cm.Data["SALYQ_NATS"], ",")
	for _, raw := range urls {
		u, err := url.Parse(strings.TrimSpace(raw))
		if err != nil || u.Scheme != "nats" {
			t.Errorf("SALYQ_NATS %q: not a nats:// URL", raw)
			continue
		}
		host := strings.Split(u.Hostname(), ".")[0] // nats, nats.ns, nats.ns.svc.cluster.local
		if host != service || (u.Port() != "" && u.Port() != "4222") {
			t.Errorf("SALYQ_NATS %q: want the release's Service %s:4222", raw, service)
		}
	}
}

// checkKustomization: the kustomization lists exactly the manifests.
func checkKustomization(t *testing.T, objs []*k8sObject) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(k8sDir, "kustomization.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var k struct {
		Resources []string `yaml:"resources"`
	}
	if err := yaml.Unmarshal(data, &k); err != nil {
		t.Fatalf("kustomization.yaml: %v", err)
	}
	files := map[string]bool{}
	for _, o := range objs {
		files[o.file] = true
	}
	listed := map[string]bool{}
	for _, r := range k.Resources {
		listed[r] = true
		if !files[r] {
			t.Errorf("kustomization.yaml lists %s, which holds no manifest", r)
		}
	}
	for f := range files {
		if !listed[f] {
			t.Errorf("kustomization.yaml does not list %s", f)
		}
	}
}

var (
	confServerName = regexp.MustCompile(`(?m)^server_name:\s*(\S+)`)
	confClusterRE  = regexp.MustCompile(`(?ms)^cluster\s*\{(.*?)^\}`)
	confRouteRE    = regexp.MustCompile(`tls://([\w.-]+):(\d+)`)
	confClusterN   = regexp.MustCompile(`(?m)^\s*name:\s*(\S+)`)
	confListenRE   = regexp.MustCompile(`(?m)^\s*listen:\s*\S+:(\d+)`)
)

// TestNATSClusterConfigs checks that the three nats-N.conf files are one
// cluster: each is its own server, and every route list names all three
// at the port they listen on for routes.
func TestNATSClusterConfigs(t *testing.T) {
	names := []string{"nats-1", "nats-2", "nats-3"}
	for _, name := range names {
		data, err := os.ReadFile(filepath.Join(natsConfDir, name+".conf"))
		if err != nil {
			t.Fatal(err)
		}
		conf := string(data)
		if m := confServerName.FindStringSubmatch(conf); m == nil || m[1] != name {
			t.Errorf("%s.conf: server_name %v, want %s", name, m, name)
		}
		cluster := confClusterRE.FindStringSubmatch(conf)
		if cluster == nil {
			t.Errorf("%s.conf: no cluster block", name)
			continue
		}
		if m := confClusterN.FindStringSubmatch(cluster[1]); m == nil || m[1] != "salyq" {
			t.Errorf("%s.conf: cluster name %v, want salyq", name, m)
		}
		listen := confListenRE.FindStringSubmatch(cluster[1])
		routes := map[string]string{}
		for _, m := range confRouteRE.FindAllStringSubmatch(cluster[1], -1) {
			routes[m[1]] = m[2]
		}
		for _, peer := range names {
			if listen == nil || routes[peer] != listen[1] {
				t.Errorf("%s.conf: routes %v do not name %s at the cluster port %v", name, routes, peer, listen)
			}
		}
		for _, want := range []string{"sync_interval: always", "max_payload: 8MB", "http: 127.0.0.1:8222", shippedStoreDir} {
			if !strings.Contains(conf, want) {
				t.Errorf("%s.conf: no %q", name, want)
			}
		}
	}
}

// TestNATSAuthorization: the shipped configurations parse as nats-server
// reads them, admit only the SALYQ account's user (password from the
// environment) with JetStream in that account, and name a system account.
func TestNATSAuthorization(t *testing.T) {
	t.Setenv("SALYQ_NATS_PASSWORD", clusterPassword)
	certs := newRouteCerts(t, "salyq test cluster CA")
	confs := map[string]string{}
	for _, name := range []string{"nats-1", "nats-2", "nats-3"} {
		confs[name] = localNATSConf(t, name, filepath.Join(t.TempDir(), name), certs)
		opts, err := server.ProcessConfigFile(confs[name])
		if err != nil {
			t.Fatalf("%s.conf: %v", name, err)
		}
		if opts.SystemAccount != "SYS" {
			t.Errorf("%s.conf: system account %q, want SYS", name, opts.SystemAccount)
		}
		var user *server.User
		for _, u := range opts.Users {
			if u.Username == clusterUser {
				user = u
			}
		}
		if user == nil || user.Password != clusterPassword || user.Account == nil || user.Account.Name != "SALYQ" {
			t.Fatalf("%s.conf: no user %s with the password from SALYQ_NATS_PASSWORD in account SALYQ: %+v", name, clusterUser, user)
		}
		if opts.NoAuthUser != "" {
			t.Errorf("%s.conf: no_auth_user %q lets clients in without credentials", name, opts.NoAuthUser)
		}
	}
	// One node alone, on this machine: the user gets JetStream, nobody
	// else gets in.
	opts, err := server.ProcessConfigFile(confs["nats-1"])
	if err != nil {
		t.Fatal(err)
	}
	opts.Host, opts.Port, opts.HTTPPort, opts.StoreDir = "127.0.0.1", server.RANDOM_PORT, 0, t.TempDir()
	opts.Cluster, opts.Routes = server.ClusterOpts{}, nil
	srv := startConfServer(t, opts)
	nc, err := nats.Connect(srv.ClientURL(), nats.UserInfo(clusterUser, clusterPassword))
	if err != nil {
		t.Fatalf("the SALYQ user: %v", err)
	}
	defer nc.Close()
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := js.AccountInfo(t.Context()); err != nil {
		t.Errorf("JetStream for the SALYQ user: %v", err)
	}
	if nc, err := nats.Connect(srv.ClientURL()); err == nil {
		nc.Close()
		t.Error("a client without credentials got in")
	}
	if nc, err := nats.Connect(srv.ClientURL(), nats.UserInfo(clusterUser, "wrong")); err == nil {
		nc.Close()
		t.Error("a wrong password got in")
	}
	t.Setenv("SALYQ_NATS_PASSWORD", "")
	os.Unsetenv("SALYQ_NATS_PASSWORD")
	if _, err := server.ProcessConfigFile(confs["nats-1"]); err == nil {
		t.Error("nats-1.conf parses without SALYQ_NATS_PASSWORD: a server would start with an empty password")
	}
}
