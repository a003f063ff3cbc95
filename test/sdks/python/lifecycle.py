"""A Python program using the generated SDK (sdk/python) through Pulumi's Python Automation API, as an inline
program run by the real `pulumi` CLI (no Python language host needed).

    python lifecycle.py <request.json>

The request names the project directory (its Pulumi.yaml points the engine at the plugin), the stack, the CLI root,
the environment, the stack config to set and one command: preview, up, refresh or destroy. The program declares one
resource of each kind through an explicit provider configured from (secret) stack config, picks the integration
credential's role and reads a storefront with the provider's functions (lookups), and exports their outputs.
Prints one JSON line: the command's summary, change summary, outputs (with secretness) and the CLI's stdout.
"""

import json
import sys

import pulumi
import pulumi.automation as auto
import pulumi_platform_credentials as pc


def program() -> None:
    cfg = pulumi.Config("lifecycle")
    provider = pc.Provider(
        "emulator",
        interchange_base_url=cfg.require("interchangeBaseUrl"),
        interchange_api_key=cfg.require_secret("interchangeApiKey"),
        commerce_layer_base_url=cfg.require("commerceLayerBaseUrl"),
        commerce_layer_auth_url=cfg.require("commerceLayerAuthUrl"),
        commerce_layer_client_id=cfg.require("commerceLayerClientId"),
        commerce_layer_client_secret=cfg.require_secret("commerceLayerClientSecret"),
    )
    opts = pulumi.ResourceOptions(provider=provider)
    # Provider functions (the lookups), invoked with the same explicit provider.
    read_only = pc.commercelayer.get_role_output(
        organization_id="BlueBrnd01", kind="read_only", opts=pulumi.InvokeOutputOptions(provider=provider)
    )
    storefront = pc.interchange.get_storefront_output(storefront_id=101, opts=pulumi.InvokeOutputOptions(provider=provider))
    display = pc.interchange.StorefrontSourceCredential(
        "display",
        storefront_id=101,
        source_id="src_apikey",
        account_identifier=cfg.require("accountIdentifier"),
        auth=pc.interchange.StorefrontSourceCredentialAuthArgs(type="apiKey", token=cfg.require_secret("displayToken")),
        opts=opts,
    )
    azure = pc.interchange.DataDeliveryCredential(
        "lld-azure",
        advertiser_id="12345",
        name="py-lld-azure",
        destination=pc.interchange.DataDeliveryCredentialDestinationArgs(
            type="AZURE_BLOB",
            storage_account_name="acmelld",
            container_name=cfg.require("azureContainer"),
            sas_token=cfg.require_secret("sasToken"),
        ),
        opts=opts,
    )
    erp = pc.commercelayer.ApiCredential(
        "erp",
        organization_id="BlueBrnd01",
        name=cfg.require("erpName"),
        kind="integration",
        role_id=read_only.role_id,
        opts=opts,
    )
    pulumi.export("displayStatus", display.status)
    pulumi.export("displayCredentialId", display.credential_id)
    pulumi.export("azureStatus", azure.status)
    pulumi.export("azureExpiresAt", azure.expires_at)
    pulumi.export("erpName", erp.name)
    pulumi.export("erpClientSecret", erp.client_secret)
    pulumi.export("erpRoleId", erp.role_id)
    pulumi.export("storefrontSources", storefront.sources.apply(lambda sources: [f"{s.source_id}:{s.auth_type}" for s in sources]))


def outputs_json(outputs: dict) -> dict:
    return {name: {"value": out.value, "secret": out.secret} for name, out in outputs.items()}


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as f:
        request = json.load(f)
    stack = auto.create_or_select_stack(
        stack_name=request["stackName"],
        project_name="unused-when-Pulumi.yaml-exists",
        program=program,
        opts=auto.LocalWorkspaceOptions(
            work_dir=request["projectDir"],
            pulumi_command=auto.PulumiCommand(root=request["cliRoot"], skip_version_check=True),
            env_vars=request["env"],
        ),
    )
    stack.set_all_config({k: auto.ConfigValue(value=v["value"], secret=v.get("secret", False)) for k, v in request["config"].items()})
    command = request["command"]
    answer: dict = {"command": command}
    try:
        if command == "preview":
            result = stack.preview(diff=True)
            answer.update(stdout=result.stdout, changeSummary=result.change_summary)
        elif command == "up":
            result = stack.up(diff=True)
            answer.update(stdout=result.stdout, summary=result.summary.resource_changes, outputs=outputs_json(result.outputs))
        elif command == "refresh":
            result = stack.refresh()
            answer.update(stdout=result.stdout, summary=result.summary.resource_changes)
        elif command == "destroy":
            result = stack.destroy()
            answer.update(stdout=result.stdout, summary=result.summary.resource_changes)
        else:
            raise ValueError(f"unknown command {command}")
    except auto.errors.CommandError as error:
        answer.update(error=str(error))
    print(json.dumps(answer))


if __name__ == "__main__":
    main()
