package vanitygolden

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ssocli/ssocli/internal/idc"
	"github.com/ssocli/ssocli/internal/idc/directory"
	"github.com/ssocli/ssocli/internal/testutil/ptyterm"
)

// The terminal the wizards run in: wide and tall enough that nothing wraps
// or scrolls, so that the final screen is the whole transcript.
const (
	ScreenCols = 120
	ScreenRows = 60
)

// WizardCase is one case of wizard.json: a configure wizard driven through
// a pseudo-terminal with the same keys for the AWS CLI and for ssocli.
type WizardCase struct {
	Name string `json:"name"`
	// Config is ~/.aws/config before the run ("" for none).
	Config string `json:"config"`
	// Args are the command's arguments (after "aws" or "ssocli").
	Args []string `json:"args"`
	// Vanity are the vanity URLs the server answers.
	Vanity []idc.VanityURL `json:"vanity,omitempty"`
	// Steps are typed in order.
	Steps []Step `json:"steps"`
}

// Step is a step of a wizard case (ptyterm.Step).
type Step = ptyterm.Step

// WizardGolden is what a wizard run left: the final screen and the config.
type WizardGolden struct {
	Code   int    `json:"code"`
	Screen string `json:"screen"`
	Config string `json:"config"`
}

// LoadWizardCases reads wizard.json from dir.
func LoadWizardCases(dir string) ([]WizardCase, error) {
	b, err := os.ReadFile(filepath.Join(dir, "wizard.json"))
	if err != nil {
		return nil, err
	}
	var cs []WizardCase
	if err := json.Unmarshal(b, &cs); err != nil {
		return nil, fmt.Errorf("wizard.json: %w", err)
	}
	return cs, nil
}

// LoadWizardGolden reads the golden of a wizard case from dir.
func LoadWizardGolden(dir, name string) (*WizardGolden, error) {
	b, err := os.ReadFile(filepath.Join(dir, "wizard-"+name+".golden.json"))
	if err != nil {
		return nil, err
	}
	var g WizardGolden
	if err := json.Unmarshal(b, &g); err != nil {
		return nil, fmt.Errorf("wizard-%s.golden.json: %w", name, err)
	}
	return &g, nil
}

// WriteWizardGolden writes g as the golden of a wizard case into dir.
func WriteWizardGolden(dir, name string, g *WizardGolden) error {
	b, err := json.MarshalIndent(g, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "wizard-"+name+".golden.json"), append(b, '\n'), 0o644)
}

// StartWizard starts a server for a wizard case: the MixedCase directory,
// alice approved at once, the case's vanity URLs.
func StartWizard(c WizardCase, dataDir string) (*Server, error) {
	return start(idc.Config{Directory: MixedCase(), Vanity: c.Vanity}, dataDir)
}

// MixedCase is a directory whose account and role names differ in case, so
// that a menu sorted case-sensitively shows another order: four accounts
// (one without a name) with three roles each, all assigned to alice.
func MixedCase() *directory.Directory {
	d := directory.Generate(4, 3)
	names := []string{"prod", "Dev", "", "billing"}
	for i := range d.Accounts {
		d.Accounts[i].Name = names[i]
	}
	roles := map[string]string{"Role01": "ReadOnly", "Role02": "admin", "Role03": "Billing"}
	for i := range d.PermissionSets {
		d.PermissionSets[i].Name = roles[d.PermissionSets[i].Name]
	}
	for i := range d.Assignments {
		d.Assignments[i].PermissionSet = roles[d.Assignments[i].PermissionSet]
	}
	if err := d.Validate(); err != nil {
		panic("vanitygolden: mixed-case directory: " + err.Error())
	}
	return d
}
