package intake

import (
	_ "embed"
	"net/http"
)

//go:embed openapi.json
var openapiDoc []byte

// OpenAPI returns the OpenAPI 3 document of the HTTP API (a copy), the
// contract the end-to-end tests hold every request and answer to.
func OpenAPI() []byte { return append([]byte(nil), openapiDoc...) }

func serveOpenAPI(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Write(openapiDoc)
}
