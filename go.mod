module github.com/salyq/salyq

go 1.26.0

require (
	github.com/beevik/etree v1.8.1
	github.com/russellhaering/goxmldsig v1.6.1
	software.sslmate.com/src/go-pkcs12 v0.7.4
)

require (
	github.com/jonboulle/clockwork v0.5.0 // indirect
	golang.org/x/crypto v0.58.0 // indirect
)
