package envelope

import "github.com/salyq/salyq/pkg/ncakey"

func checkTaxpayerID(id string, allowTest bool) error {
	return ncakey.ValidIdentifier(id, allowTest)
}
