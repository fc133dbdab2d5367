package ncakey

import (
	"encoding/asn1"
	"slices"
)

// Role is what a certificate entitles its holder to do, from the NCA
// role OIDs in the extended key usage.
type Role int

// Roles, from the NCA RK certificate policy.
const (
	RoleUnknown     Role = iota
	RoleIndividual       // 1.2.398.3.3.4.1.1
	RoleLegalEntity      // 1.2.398.3.3.4.1.2 without a known sub-role
	RoleHead             // 1.2.398.3.3.4.1.2.1 first head
	RoleSigner           // 1.2.398.3.3.4.1.2.2 employee with the right to sign
	RoleFinance          // 1.2.398.3.3.4.1.2.3 right to sign financial documents
	RoleEmployee         // 1.2.398.3.3.4.1.2.5 employee
	RoleInfoSystem       // 1.2.398.5.19.1.2.2.1 information system
)

// Role OIDs carried in the extended key usage of NCA certificates.
// Unexported because slices could be changed by a caller; Role.OID hands
// out copies.
var (
	oidIndividual  = asn1.ObjectIdentifier{1, 2, 398, 3, 3, 4, 1, 1}
	oidLegalEntity = asn1.ObjectIdentifier{1, 2, 398, 3, 3, 4, 1, 2}
	oidHead        = asn1.ObjectIdentifier{1, 2, 398, 3, 3, 4, 1, 2, 1}
	oidSigner      = asn1.ObjectIdentifier{1, 2, 398, 3, 3, 4, 1, 2, 2}
	oidFinance     = asn1.ObjectIdentifier{1, 2, 398, 3, 3, 4, 1, 2, 3}
	oidEmployee    = asn1.ObjectIdentifier{1, 2, 398, 3, 3, 4, 1, 2, 5}
	oidInfoSystem  = asn1.ObjectIdentifier{1, 2, 398, 5, 19, 1, 2, 2, 1}
)

// roleOIDs lists the roles in decreasing precedence: a certificate that
// carries several role OIDs (the real ones carry the legal-entity OID and
// a sub-role) gets the most specific one.
var roleOIDs = []struct {
	role Role
	oid  asn1.ObjectIdentifier
}{
	{RoleInfoSystem, oidInfoSystem},
	{RoleHead, oidHead},
	{RoleSigner, oidSigner},
	{RoleFinance, oidFinance},
	{RoleEmployee, oidEmployee},
	{RoleLegalEntity, oidLegalEntity},
	{RoleIndividual, oidIndividual},
}

// roleOf picks the most specific role among the given EKU OIDs.
func roleOf(oids []asn1.ObjectIdentifier) Role {
	for _, r := range roleOIDs {
		for _, o := range oids {
			if o.Equal(r.oid) {
				return r.role
			}
		}
	}
	return RoleUnknown
}

// OID returns (a copy of) the OID that marks the role, or nil for
// RoleUnknown.
func (r Role) OID() asn1.ObjectIdentifier {
	for _, x := range roleOIDs {
		if x.role == r {
			return slices.Clone(x.oid)
		}
	}
	return nil
}

// IsLegalEntity reports whether the role acts for a legal entity, whose
// taxpayer identifier is the BIN. Information systems belong to a legal
// entity too.
func (r Role) IsLegalEntity() bool {
	switch r {
	case RoleLegalEntity, RoleHead, RoleSigner, RoleFinance, RoleEmployee, RoleInfoSystem:
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
	case RoleInfoSystem:
		return "information system"
	}
	return "unknown role"
}
