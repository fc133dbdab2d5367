package test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

// TestPrometheusAlerts: the alert rules parse, each has a name, an
// expression and a summary, and every salyq metric they use is one the
// README lists (and so one the services export).
func TestPrometheusAlerts(t *testing.T) {
	data, err := os.ReadFile("../deployments/prometheus/salyq-alerts.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Groups []struct {
			Name  string `yaml:"name"`
			Rules []struct {
				Alert       string            `yaml:"alert"`
				Expr        string            `yaml:"expr"`
				Annotations map[string]string `yaml:"annotations"`
			} `yaml:"rules"`
		} `yaml:"groups"`
	}
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	metric := regexp.MustCompile(`salyq_[a-z_]+`)
	rules := 0
	for _, g := range doc.Groups {
		for _, r := range g.Rules {
			rules++
			if r.Alert == "" || r.Expr == "" || r.Annotations["summary"] == "" {
				t.Errorf("incomplete rule %+v", r)
			}
			for _, m := range metric.FindAllString(r.Expr, -1) {
				if !strings.Contains(string(readme), "| `"+m+"` |") {
					t.Errorf("rule %s uses %s, which the README's metric table does not list", r.Alert, m)
				}
			}
		}
	}
	if rules == 0 || !strings.Contains(string(data), "salyq_key_expiry_days) < 30") {
		t.Errorf("no rule for keys expiring within 30 days")
	}
}
