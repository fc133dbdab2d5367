package ncakey

import (
	"encoding/asn1"
	"slices"
)

// Role is what a certificate entitles its holder to do, from the NCA
// role OIDs in the extended key usage (or certificate policies).
type Role int

// Roles. Their OIDs, meanings and sources are in roleTable. The values are
// stable: new roles are appended.
const (
	RoleUnknown Role = iota
	RoleIndividual
	RoleLegalEntity
	RoleHead
	RoleSigner
	RoleFinance
	RoleEmployee
	RoleInfoSystem
	RoleHR
)

// RoleOID is one row of NCA's role table: an OID that NCA RK puts in the
// extended key usage of its end-entity certificates, the role salyq reads
// from it and what NCA calls it.
type RoleOID struct {
	OID     asn1.ObjectIdentifier
	Role    Role
	Meaning string // NCA's name for the template, in English
	Source  string // where the meaning comes from (see docs/nca-roles.md)
}

// Sources of the role table (docs/nca-roles.md gives the details).
const (
	srcPolicy = "NCA RK user-type OID arc 1.2.398.3.3.4.1 of its certificate templates (as read by Kalkan-based tools, e.g. NCANode's KeyUser); docs/PROTOCOL.md §5"
	src522    = "NCA RK template \"digital (information) system of a legal entity\", order No. 522/НҚ; issue #12 (the profile NCA issues for gateway transport keys)"
	srcLegacy = "NCA RK template for a participant of the \"Treasury – Client\" digital system; salyq's PROTOCOL.md §5 (information-system key)"
)

// roleTable is the one table of NCA role OIDs, in decreasing precedence:
// a certificate carries the legal-entity OID and a sub-role, and gets the
// most specific role it carries. The first row of a role is the OID the
// test PKI issues for it (Role.OID).
var roleTable = []RoleOID{
	{asn1.ObjectIdentifier{1, 2, 398, 3, 3, 4, 1, 2, 6}, RoleInfoSystem, "information system of a legal entity", src522},
	{asn1.ObjectIdentifier{1, 2, 398, 5, 19, 1, 2, 2, 1}, RoleInfoSystem, "information system (older profile: Treasury – Client participant)", srcLegacy},
	{asn1.ObjectIdentifier{1, 2, 398, 3, 3, 4, 1, 2, 1}, RoleHead, "first head of a legal entity", srcPolicy},
	{asn1.ObjectIdentifier{1, 2, 398, 3, 3, 4, 1, 2, 2}, RoleSigner, "person with the right to sign", srcPolicy},
	{asn1.ObjectIdentifier{1, 2, 398, 3, 3, 4, 1, 2, 3}, RoleFinance, "person with the right to sign financial documents", srcPolicy},
	{asn1.ObjectIdentifier{1, 2, 398, 3, 3, 4, 1, 2, 5}, RoleEmployee, "employee of an organisation", srcPolicy},
	{asn1.ObjectIdentifier{1, 2, 398, 3, 3, 4, 1, 2, 4}, RoleHR, "human-resources employee", srcPolicy},
	{asn1.ObjectIdentifier{1, 2, 398, 3, 3, 4, 1, 2}, RoleLegalEntity, "legal entity", srcPolicy},
	{asn1.ObjectIdentifier{1, 2, 398, 3, 3, 4, 1, 1}, RoleIndividual, "individual", srcPolicy},
}

// RoleTable returns (a copy of) the table of NCA role OIDs, in precedence
// order.
func RoleTable() []RoleOID {
	out := slices.Clone(roleTable)
	for i := range out {
		out[i].OID = slices.Clone(out[i].OID)
	}
	return out
}

// roleOf picks the most specific role among the given OIDs.
func roleOf(oids []asn1.ObjectIdentifier) Role {
	for _, r := range roleTable {
		for _, o := range oids {
			if o.Equal(r.OID) {
				return r.Role
			}
		}
	}
	return RoleUnknown
}

// OID returns (a copy of) the OID that marks the role in the current NCA
// profile, or nil for RoleUnknown.
func (r Role) OID() asn1.ObjectIdentifier {
	for _, x := range roleTable {
		if x.Role == r {
			return slices.Clone(x.OID)
		}
	}
	return nil
}

// IsLegalEntity reports whether the role acts for a legal entity, whose
// taxpayer identifier is the BIN. Information systems belong to a legal
// entity too.
func (r Role) IsLegalEntity() bool {
	switch r {
	case RoleLegalEntity, RoleHead, RoleSigner, RoleFinance, RoleEmployee, RoleHR, RoleInfoSystem:
		return true
	}
	return false
}

func (r Role) String() string {
	switch r {
	case RoleIndividual:
		return "individual"
	case RoleLegalEntity:
		return "legal entity"
	case RoleHead:
		return "legal entity head"
	case RoleSigner:
		return "legal entity right to sign"
	case RoleFinance:
		return "legal entity finance"
	case RoleEmployee:
		return "legal entity employee"
	case RoleHR:
		return "legal entity HR"
	case RoleInfoSystem:
		return "information system"
	}
	return "unknown role"
}
