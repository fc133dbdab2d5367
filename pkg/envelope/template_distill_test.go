package envelope

import (
	"archive/tar"
	"compress/bzip2"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/salyq/salyq/internal/testenv"

	"github.com/beevik/etree"
)

var update = flag.Bool("update", false, "rewrite golden files and distilled templates")

// distill reduces an official machine template to what Template holds.
func distill(t *testing.T, tarball string) *Template {
	f, err := os.Open(tarball)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tr := tar.NewReader(bzip2.NewReader(f))
	for {
		h, err := tr.Next()
		if err == io.EOF {
			t.Fatalf("%s: no template document", tarball)
		}
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(h.Name)
		if strings.HasSuffix(name, "_chr.xml") || strings.HasSuffix(name, "_loc.xml") || strings.HasSuffix(name, "_packInfo.xml") || !strings.HasSuffix(name, ".xml") {
			continue
		}
		doc := etree.NewDocument()
		if _, err := doc.ReadFrom(tr); err != nil {
			t.Fatal(err)
		}
		return distillDoc(t, doc)
	}
}

func distillDoc(t *testing.T, doc *etree.Document) *Template {
	root := doc.Root()
	date := func(attr string) string {
		d, err := time.Parse("02.01.2006", root.SelectAttrValue(attr, ""))
		if err != nil {
			t.Fatalf("%s: %v", attr, err)
		}
		return d.Format(time.DateOnly)
	}
	tmpl := &Template{
		Code:    root.SelectAttrValue("code", ""),
		Version: root.SelectAttrValue("version", ""),
		Start:   date("startDate"),
		End:     date("endDate"),
		Fields:  map[string]FieldSpec{},
	}
	for _, sheet := range root.FindElements("mainForm/sheetGroup/sheet") {
		for _, fld := range sheet.FindElements("fields/*") {
			name := fld.SelectAttrValue("fieldName", "")
			if name == "" {
				continue
			}
			if _, seen := tmpl.Fields[name]; seen {
				continue
			}
			spec := FieldSpec{
				Sheet:     sheet.SelectAttrValue("pageName", ""),
				Type:      fld.Tag,
				Mandatory: fld.SelectAttrValue("isMandatory", "") == "true",
			}
			spec.Length, _ = strconv.Atoi(fld.SelectAttrValue("length", "0"))
			for attr, dst := range map[string]**float64{"min": &spec.Min, "max": &spec.Max} {
				if v, err := strconv.ParseFloat(fld.SelectAttrValue(attr, ""), 64); err == nil {
					*dst = &v
				}
			}
			tmpl.Fields[name] = spec
		}
	}
	return tmpl
}

// TestEmbeddedTemplatesMatchOfficial distills the official 910.00 template
// and compares it with the embedded copy; -update rewrites the copy.
func TestEmbeddedTemplatesMatchOfficial(t *testing.T) {
	tarballs, _ := filepath.Glob(filepath.Join(testenv.Path(t, "docs", "fno"), "*.tar.bz2"))
	if len(tarballs) == 0 {
		t.Fatal("no official templates found")
	}
	for _, tb := range tarballs {
		tmpl := distill(t, tb)
		want, err := json.MarshalIndent(tmpl, "", "  ")
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join("templates", tmpl.Code+"_v"+tmpl.Version+".json")
		if *update {
			if err := os.WriteFile(path, append(want, '\n'), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run with -update)", err)
		}
		if strings.TrimSpace(string(got)) != string(want) {
			t.Errorf("%s differs from %s (run with -update)", path, filepath.Base(tb))
		}
	}
}
