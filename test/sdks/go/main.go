// A Go program using the generated SDK (sdk/go) through Pulumi's Go Automation API, as an inline program run by the
// real `pulumi` CLI (no Go language host needed).
//
//	lifecycle <request.json>
//
// The request names the project directory (its Pulumi.yaml points the engine at the plugin), the stack, the CLI
// root, the environment, the stack config to set and one command: preview, up, refresh or destroy. The program
// declares one resource of each kind through an explicit provider configured from (secret) stack config, and exports
// their outputs. Prints one JSON line: the command's summary, change summary, outputs (with secretness) and stdout.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	pc "github.com/pulumi-platform-credentials/sdk/go/platformcredentials"
	"github.com/pulumi-platform-credentials/sdk/go/platformcredentials/commercelayer"
	"github.com/pulumi-platform-credentials/sdk/go/platformcredentials/interchange"
	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

type configValue struct {
	Value  string `json:"value"`
	Secret bool   `json:"secret"`
}

type request struct {
	ProjectDir string                 `json:"projectDir"`
	StackName  string                 `json:"stackName"`
	CliRoot    string                 `json:"cliRoot"`
	Env        map[string]string      `json:"env"`
	Config     map[string]configValue `json:"config"`
	Command    string                 `json:"command"`
}

type output struct {
	Value  any  `json:"value"`
	Secret bool `json:"secret"`
}

type answer struct {
	Command       string            `json:"command"`
	Stdout        string            `json:"stdout,omitempty"`
	Summary       *map[string]int   `json:"summary,omitempty"`
	ChangeSummary map[string]int    `json:"changeSummary,omitempty"`
	Outputs       map[string]output `json:"outputs,omitempty"`
	Error         string            `json:"error,omitempty"`
}

func program(ctx *pulumi.Context) error {
	cfg := config.New(ctx, "lifecycle")
	provider, err := pc.NewProvider(ctx, "emulator", &pc.ProviderArgs{
		InterchangeBaseUrl:        pulumi.StringPtr(cfg.Require("interchangeBaseUrl")),
		InterchangeApiKey:         cfg.RequireSecret("interchangeApiKey"),
		CommerceLayerBaseUrl:      pulumi.StringPtr(cfg.Require("commerceLayerBaseUrl")),
		CommerceLayerAuthUrl:      pulumi.StringPtr(cfg.Require("commerceLayerAuthUrl")),
		CommerceLayerClientId:     pulumi.StringPtr(cfg.Require("commerceLayerClientId")),
		CommerceLayerClientSecret: cfg.RequireSecret("commerceLayerClientSecret"),
	})
	if err != nil {
		return err
	}
	withProvider := pulumi.Provider(provider)
	// Provider functions (the lookups), invoked with the same explicit provider.
	readOnly := commercelayer.GetRoleOutput(ctx, commercelayer.GetRoleOutputArgs{
		OrganizationId: pulumi.String("BlueBrnd01"),
		Kind:           pulumi.StringPtr("read_only"),
	}, pulumi.Provider(provider))
	storefront := interchange.GetStorefrontOutput(ctx, interchange.GetStorefrontOutputArgs{
		StorefrontId: pulumi.Int(101),
	}, pulumi.Provider(provider))
	display, err := interchange.NewStorefrontSourceCredential(ctx, "display", &interchange.StorefrontSourceCredentialArgs{
		StorefrontId:      pulumi.Int(101),
		SourceId:          pulumi.String("src_apikey"),
		AccountIdentifier: pulumi.String(cfg.Require("accountIdentifier")),
		Auth: &interchange.StorefrontSourceCredentialAuthArgs{
			Type:  pulumi.String("apiKey"),
			Token: cfg.RequireSecret("displayToken"),
		},
	}, withProvider)
	if err != nil {
		return err
	}
	azure, err := interchange.NewDataDeliveryCredential(ctx, "lld-azure", &interchange.DataDeliveryCredentialArgs{
		AdvertiserId: pulumi.String("12345"),
		Name:         pulumi.String("go-lld-azure"),
		Destination: &interchange.DataDeliveryCredentialDestinationArgs{
			Type:               pulumi.String("AZURE_BLOB"),
			StorageAccountName: pulumi.String("acmelld"),
			ContainerName:      pulumi.String(cfg.Require("azureContainer")),
			SasToken:           cfg.RequireSecret("sasToken"),
		},
	}, withProvider)
	if err != nil {
		return err
	}
	erp, err := commercelayer.NewApiCredential(ctx, "erp", &commercelayer.ApiCredentialArgs{
		OrganizationId: pulumi.String("BlueBrnd01"),
		Name:           pulumi.String(cfg.Require("erpName")),
		Kind:           pulumi.String("integration"),
		RoleId:         readOnly.RoleId().ToStringPtrOutput(),
	}, withProvider)
	if err != nil {
		return err
	}
	ctx.Export("displayStatus", display.Status)
	ctx.Export("displayCredentialId", display.CredentialId)
	ctx.Export("azureStatus", azure.Status)
	ctx.Export("azureExpiresAt", azure.ExpiresAt)
	ctx.Export("erpName", erp.Name)
	ctx.Export("erpClientSecret", erp.ClientSecret)
	ctx.Export("erpRoleId", erp.RoleId)
	ctx.Export("storefrontSources", storefront.Sources().ApplyT(func(sources []interchange.GetStorefrontSourcesItem) []string {
		described := make([]string, 0, len(sources))
		for _, source := range sources {
			authType := ""
			if source.AuthType != nil {
				authType = *source.AuthType
			}
			described = append(described, source.SourceId+":"+authType)
		}
		return described
	}))
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run() error {
	text, err := os.ReadFile(os.Args[1])
	if err != nil {
		return err
	}
	var req request
	if err := json.Unmarshal(text, &req); err != nil {
		return err
	}
	ctx := context.Background()
	cmd, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: req.CliRoot, SkipVersionCheck: true})
	if err != nil {
		return err
	}
	stack, err := auto.UpsertStackInlineSource(ctx, req.StackName, "unused-when-Pulumi.yaml-exists", program,
		auto.WorkDir(req.ProjectDir), auto.Pulumi(cmd), auto.EnvVars(req.Env))
	if err != nil {
		return err
	}
	cfg := auto.ConfigMap{}
	for key, value := range req.Config {
		cfg[key] = auto.ConfigValue{Value: value.Value, Secret: value.Secret}
	}
	if err := stack.SetAllConfig(ctx, cfg); err != nil {
		return err
	}
	out := answer{Command: req.Command}
	switch req.Command {
	case "preview":
		res, err := stack.Preview(ctx, optpreview.Diff())
		out.Stdout, out.Error = res.StdOut, errorText(err)
		out.ChangeSummary = map[string]int{}
		for op, n := range res.ChangeSummary {
			out.ChangeSummary[string(op)] = n
		}
	case "up":
		res, err := stack.Up(ctx, optup.Diff())
		out.Stdout, out.Error = res.StdOut, errorText(err)
		if res.Summary.ResourceChanges != nil {
			out.Summary = res.Summary.ResourceChanges
		}
		out.Outputs = map[string]output{}
		for name, value := range res.Outputs {
			out.Outputs[name] = output{Value: value.Value, Secret: value.Secret}
		}
	case "refresh":
		res, err := stack.Refresh(ctx)
		out.Stdout, out.Error = res.StdOut, errorText(err)
		out.Summary = res.Summary.ResourceChanges
	case "destroy":
		res, err := stack.Destroy(ctx, optdestroy.ProgressStreams())
		out.Stdout, out.Error = res.StdOut, errorText(err)
		out.Summary = res.Summary.ResourceChanges
	default:
		return fmt.Errorf("unknown command %q", req.Command)
	}
	return json.NewEncoder(os.Stdout).Encode(out)
}

func errorText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
