package ncatest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/salyq/salyq/pkg/ncakey"
)

// RootFile is the name WriteDir gives the root CA certificate (PEM).
const RootFile = "root-ca.pem"

// WriteDir writes every key issued so far by Issue into dir as a keystore
// that ncakey.OpenKeystore reads: one .p12 per key, all with password,
// a passwords file listing them, and the root CA as RootFile. File names
// describe the key for people (order, role, usage, taxpayer id, and
// "notvalid" when outside its validity at the PKI's Now); the keystore
// does not rely on them. It returns the .p12 paths in issue order. dir is
// created if missing; the passwords file is replaced, so dir should be
// empty or an earlier WriteDir output of the same PKI.
func (p *PKI) WriteDir(dir, password string) ([]string, error) {
	if strings.ContainsAny(password, "\n\r") {
		return nil, fmt.Errorf("%w: password with a line break cannot go in a passwords file", ErrRequest)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("ncatest: %w", err)
	}
	p.mu.Lock()
	issued := append([]*Issued(nil), p.issued...)
	p.mu.Unlock()

	var paths []string
	var pw strings.Builder
	pw.WriteString("# <file name> <password>; written by ncatest\n")
	for i, is := range issued {
		id := is.Identity()
		state := ""
		if id.CheckValidAt(p.now) != nil {
			state = "-notvalid"
		}
		name := fmt.Sprintf("%02d-%s-%s-%s%s.p12", i+1, roleSlug(id.Role), strings.ToLower(strings.ReplaceAll(id.Usage.String(), "|", "+")), id.TaxpayerID(), state)
		path := filepath.Join(dir, name)
		if err := is.WriteP12(path, password); err != nil {
			return nil, err
		}
		paths = append(paths, path)
		fmt.Fprintf(&pw, "%s %s\n", name, password)
	}
	if err := os.WriteFile(filepath.Join(dir, ncakey.PasswordsFile), []byte(pw.String()), 0o600); err != nil {
		return nil, fmt.Errorf("ncatest: %w", err)
	}
	if err := p.WriteRootPEM(filepath.Join(dir, RootFile)); err != nil {
		return nil, err
	}
	return paths, nil
}

func roleSlug(r ncakey.Role) string {
	switch r {
	case ncakey.RoleIndividual:
		return "individual"
	case ncakey.RoleLegalEntity:
		return "legal"
	case ncakey.RoleHead:
		return "head"
	case ncakey.RoleSigner:
		return "signer"
	case ncakey.RoleFinance:
		return "finance"
	case ncakey.RoleEmployee:
		return "employee"
	case ncakey.RoleHR:
		return "hr"
	case ncakey.RoleInfoSystem:
		return "infosystem"
	}
	return "unknown"
}

// Set is a small population of keys covering what a sandbox needs: one
// individual and one legal entity, each with a SIGN and an AUTH key, the
// entity's information-system key, and an expired SIGN key of the
// individual.
type Set struct {
	IndividualSign, IndividualAuth *Issued
	HeadSign, HeadAuth             *Issued
	InfoSystem                     *Issued
	ExpiredSign                    *Issued
}

// IssueSet issues a Set: six RSA-2048 keys, so about a second of key
// generation.
func (p *PKI) IssueSet() (*Set, error) {
	iin, headIIN, bin := NewIIN(p.nextSeq()), NewIIN(p.nextSeq()), NewBIN(p.nextSeq())
	reqs := []Request{
		{Role: ncakey.RoleIndividual, Usage: ncakey.UsageSign, IIN: iin},
		{Role: ncakey.RoleIndividual, Usage: ncakey.UsageAuth, IIN: iin},
		{Role: ncakey.RoleHead, Usage: ncakey.UsageSign, IIN: headIIN, BIN: bin, Surname: "БАСШЫ", GivenName: "ТЕСТ"},
		{Role: ncakey.RoleHead, Usage: ncakey.UsageAuth, IIN: headIIN, BIN: bin, Surname: "БАСШЫ", GivenName: "ТЕСТ"},
		{Role: ncakey.RoleInfoSystem, Usage: ncakey.UsageSign, IIN: headIIN, BIN: bin, Surname: "ЖҮЙЕ", GivenName: "ТЕСТ"},
		{Role: ncakey.RoleIndividual, Usage: ncakey.UsageSign, IIN: iin,
			NotBefore: p.now.AddDate(-2, 0, 0), NotAfter: p.now.AddDate(-1, 0, 0).Add(-time.Hour)},
	}
	out := make([]*Issued, len(reqs))
	for i, r := range reqs {
		is, err := p.Issue(r)
		if err != nil {
			return nil, err
		}
		out[i] = is
	}
	return &Set{
		IndividualSign: out[0], IndividualAuth: out[1],
		HeadSign: out[2], HeadAuth: out[3],
		InfoSystem: out[4], ExpiredSign: out[5],
	}, nil
}
