package credential

import (
	"encoding/json"
	"fmt"

	"github.com/go-jose/go-jose/v4"
)

// Sign secures a credential as VC-JOSE-COSE prescribes: a compact JWS
// whose payload is the credential's JSON itself, with typ "vc+jwt", cty
// "vc", alg EdDSA and kid the DID URL of the key. go-jose does the
// signing; nothing is canonicalised (the signature covers these bytes).
func (o Office) Sign(k Key, credential any) (string, error) {
	payload, err := json.Marshal(credential)
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.EdDSA, Key: jose.JSONWebKey{Key: k.Private, KeyID: o.KeyURL(k.ID)}},
		(&jose.SignerOptions{}).WithType("vc+jwt").WithContentType("vc"))
	if err != nil {
		return "", fmt.Errorf("credential signer: %w", err)
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", fmt.Errorf("sign credential: %w", err)
	}
	return jws.CompactSerialize()
}
