package pkcs12

// ncaPassword is the published password of every NCA test container.
const ncaPassword = "Qwerty12"
