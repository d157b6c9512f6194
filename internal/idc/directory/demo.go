package directory

import (
	"fmt"
	"time"
)

// Passwords of the Demo users. They are published on purpose: the demo
// directory is for local use and tests only.
const (
	DemoAlicePassword = "wonderland"
	DemoBobPassword   = "builder"
)

// Account ids of the Demo directory.
const (
	DemoDevAccount     = "111122223333" // "Development"
	DemoProdAccount    = "444455556666" // "Production"
	DemoSandboxAccount = "777788889999" // "Sandbox"
)

// The IAM side of the Demo directory, for profiles with role_arn. The key is
// AWS's documentation example, published on purpose like the passwords.
const (
	// DemoCrossAccountRole is the role of Production that the
	// AdministratorAccess permission set of Development may assume.
	DemoCrossAccountRole = "Deployer"
	// DemoMFARole is the role of Production that IAM user ci may assume
	// with a code of DemoMFASerial.
	DemoMFARole = "Auditor"
	// DemoIAMUser is the IAM user of Development with DemoAccessKeyID.
	DemoIAMUser         = "ci"
	DemoAccessKeyID     = "AKIAIOSFODNN7EXAMPLE"
	DemoSecretAccessKey = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
	// DemoMFASerial is ci's virtual MFA device; DemoMFASecret its TOTP seed.
	DemoMFASerial = "arn:aws:iam::" + DemoDevAccount + ":mfa/ci-phone"
	DemoMFASecret = "CPY7K24MBI4F7JIJPELNFUEVA7ALL7FR"
)

// Demo returns the built-in directory of `ssocli serve`:
//
//	instance d-0000000000, start URL https://d-0000000000.awsapps.com/start, us-east-1
//	users    alice (password "wonderland", groups admins, developers)
//	         bob   (password "builder", group developers)
//	accounts 111122223333 Development, 444455556666 Production, 777788889999 Sandbox
//	psets    AdministratorAccess (1h), ReadOnly (8h)
//	grants   developers: Development/ReadOnly, Sandbox/AdministratorAccess
//	         admins:     Development/AdministratorAccess, Production/AdministratorAccess, Production/ReadOnly
//	         bob:        Production/ReadOnly
//	IAM      Development: IAM user ci (DemoAccessKeyID), MFA device ci-phone (ci's)
//	         Production:  role Deployer, trusting Development/AdministratorAccess and ci (1h)
//	                      role Auditor, trusting ci with MFA
//
// So alice sees three accounts with both roles where admin, and bob sees three
// accounts but may not take AdministratorAccess in Development or Production;
// alice's Development/AdministratorAccess credentials may assume
// arn:aws:iam::444455556666:role/Deployer (a profile with role_arn and
// source_profile), and so may ci's static keys.
func Demo() *Directory {
	d := &Directory{
		Instance: Instance{ID: DefaultInstanceID, StartURL: StartURLFor(DefaultInstanceID), Region: DefaultRegion},
		Users: []User{
			{Name: "alice", Password: DemoAlicePassword, Email: "alice@example.com", DisplayName: "Alice Liddell", Groups: []string{"admins", "developers"}},
			{Name: "bob", Password: DemoBobPassword, Email: "bob@example.com", DisplayName: "Bob Builder", Groups: []string{"developers"}},
		},
		Groups: []Group{
			{Name: "admins", Description: "Administrators of every account"},
			{Name: "developers", Description: "Everyone who writes code"},
		},
		Accounts: []Account{
			{ID: DemoDevAccount, Name: "Development", Email: "aws-dev@example.com"},
			{ID: DemoProdAccount, Name: "Production", Email: "aws-prod@example.com"},
			{ID: DemoSandboxAccount, Name: "Sandbox", Email: "aws-sandbox@example.com"},
		},
		PermissionSets: []PermissionSet{
			{Name: "AdministratorAccess", SessionDuration: time.Hour},
			{Name: "ReadOnly", SessionDuration: 8 * time.Hour},
		},
		Assignments: []Assignment{
			{Group: "developers", Account: DemoDevAccount, PermissionSet: "ReadOnly"},
			{Group: "developers", Account: DemoSandboxAccount, PermissionSet: "AdministratorAccess"},
			{Group: "admins", Account: DemoDevAccount, PermissionSet: "AdministratorAccess"},
			{Group: "admins", Account: DemoProdAccount, PermissionSet: "AdministratorAccess"},
			{Group: "admins", Account: DemoProdAccount, PermissionSet: "ReadOnly"},
			{User: "bob", Account: DemoProdAccount, PermissionSet: "ReadOnly"},
		},
		IAMUsers: []IAMUser{
			{Account: DemoDevAccount, Name: DemoIAMUser, AccessKeys: []AccessKey{{ID: DemoAccessKeyID, Secret: DemoSecretAccessKey}}},
		},
		MFADevices: []MFADevice{
			{Account: DemoDevAccount, Name: "ci-phone", Secret: DemoMFASecret, User: DemoIAMUser},
		},
		Roles: []Role{
			{Account: DemoProdAccount, Name: DemoCrossAccountRole, Trust: []Trust{
				{Kind: TrustPermissionSet, Account: DemoDevAccount, Name: "AdministratorAccess"},
				{Kind: TrustIAMUser, Account: DemoDevAccount, Name: DemoIAMUser},
			}},
			{Account: DemoProdAccount, Name: DemoMFARole, RequireMFA: true, Trust: []Trust{
				{Kind: TrustIAMUser, Account: DemoDevAccount, Name: DemoIAMUser},
			}},
		},
	}
	if err := d.Validate(); err != nil {
		panic("directory: demo directory is invalid: " + err.Error())
	}
	return d
}

// Generate returns a large organisation for load tests (many accounts and
// roles, so ListAccounts and ListAccountRoles page): accounts 100000000000,
// 100000000001, … named "account-0000", …; permission sets "Role01" … with a
// one-hour session; and the demo users alice and bob (same passwords as Demo)
// in group "everyone", which is assigned every role in every account.
func Generate(accounts, rolesPerAccount int) *Directory {
	d := &Directory{
		Instance: Instance{ID: DefaultInstanceID, StartURL: StartURLFor(DefaultInstanceID), Region: DefaultRegion},
		Users: []User{
			{Name: "alice", Password: DemoAlicePassword, Email: "alice@example.com", DisplayName: "Alice Liddell", Groups: []string{"everyone"}},
			{Name: "bob", Password: DemoBobPassword, Email: "bob@example.com", DisplayName: "Bob Builder", Groups: []string{"everyone"}},
		},
		Groups: []Group{{Name: "everyone", Description: "Every user"}},
	}
	for r := 0; r < rolesPerAccount; r++ {
		d.PermissionSets = append(d.PermissionSets, PermissionSet{Name: fmt.Sprintf("Role%02d", r+1), SessionDuration: time.Hour})
	}
	for a := 0; a < accounts; a++ {
		id := fmt.Sprintf("%012d", 100000000000+a)
		d.Accounts = append(d.Accounts, Account{ID: id, Name: fmt.Sprintf("account-%04d", a), Email: fmt.Sprintf("aws+%04d@example.com", a)})
		for _, p := range d.PermissionSets {
			d.Assignments = append(d.Assignments, Assignment{Group: "everyone", Account: id, PermissionSet: p.Name})
		}
	}
	if err := d.Validate(); err != nil {
		panic("directory: generated directory is invalid: " + err.Error())
	}
	return d
}
