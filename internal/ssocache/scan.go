package ssocache

// ReadLogoutInfo reads what aws sso logout looks at in a file of SSODir (spec §6):
// its accessToken and region. A file without accessToken (a client registration)
// gives "" and no error; such files are kept by logout. A file that is not a JSON
// object gives a *CorruptError (logout skips it).
func ReadLogoutInfo(path string) (accessToken, region string, err error) {
	data, err := readCacheFile(path, kindToken)
	if err != nil {
		return "", "", err
	}
	p := parser{sc: scanner{s: data}, path: path, kind: kindToken}
	for key := range p.members() {
		switch key {
		case "accessToken":
			accessToken = p.optString(key)
		case "region":
			region = p.optString(key)
		default:
			p.skip()
		}
	}
	if p.err != nil {
		return "", "", p.err
	}
	return accessToken, region, nil
}

// ReadProviderType returns the top-level "ProviderType" of a file in CLIDir, ""
// when it has none (assume-role entries). aws sso logout deletes the files whose
// type is ProviderTypeSSO (spec §6). A file that is not a JSON object gives a
// *CorruptError.
func ReadProviderType(path string) (string, error) {
	data, err := readCacheFile(path, kindRoleCreds)
	if err != nil {
		return "", err
	}
	var providerType string
	p := parser{sc: scanner{s: data}, path: path, kind: kindRoleCreds}
	for key := range p.members() {
		if key == "ProviderType" {
			providerType = p.optString(key)
		} else {
			p.skip()
		}
	}
	if p.err != nil {
		return "", p.err
	}
	return providerType, nil
}
