#!/usr/bin/env python3
"""Checks template.yaml the way a deploy would: SAM's own translator, then cfn-lint on what it produces.

CloudFormation runs the AWS::Serverless transform when the stack is created, so a template the
translator rejects fails at `sam deploy` even though `sam build` and cfn-lint on the SAM template
pass. And the SAM template can lint clean while the CloudFormation it becomes has errors (a circular
dependency, for one). So for each samconfig.toml environment (with its parameter_overrides), for
no overrides at all, and for each EXTRA_CASES (WorkflowType=EXPRESS), this script:

1. runs samtranslator's `transform` offline, with local CodeUri/DefinitionUri replaced by S3 URIs
   (as `sam package` writes them) and a policy loader that knows no managed policies;
2. runs cfn-lint on each translated template and counts its errors (E-level rules).

Prints one line per environment and exits 1 if any environment fails. Needs samtranslator and, for
step 2, cfn-lint in the running Python (the aws-sam-cli venv has both).

  python3 scripts/sam_translate_check.py                      # every samconfig env + no overrides
  python3 scripts/sam_translate_check.py --template t.yaml --overrides Environment=prod --no-lint --json
  python3 scripts/sam_translate_check.py --dump before/   # also writes each translated template (to diff a refactor)
"""
from __future__ import annotations

import argparse
import copy
import importlib.util
import json
import logging
import os
import re
import shlex
import subprocess
import sys
import tempfile
from typing import Any

os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
# The translator logs feature-toggle and metrics chatter at INFO/WARNING; its verdict is the exception.
logging.disable(logging.WARNING)

try:
    from samtranslator.public.exceptions import InvalidDocumentException
    from samtranslator.translator.transform import transform
    from samtranslator.yaml_helper import yaml_parse
except ImportError as missing:  # Exit 3 (and 4 for a missing cfn-lint) lets callers tell "cannot check" from "rejected" (1).
    print(f"samtranslator is not installed in {sys.executable}: {missing}", file=sys.stderr)
    sys.exit(3)

NO_OVERRIDES = "(no overrides)"
# Parameter values no samconfig environment deploys but the template must still take: each is checked
# on top of the prod environment's overrides (the larger set), as an environment of its own.
EXTRA_CASES = {"prod + WorkflowType=EXPRESS": {"WorkflowType": "EXPRESS"}}
# The cfn-lint of the same Python (the package has no __main__), so the translator and the linter come from one install.
CFN_LINT_MAIN = "import sys; from cfnlint.runner import main; sys.argv[0] = 'cfn-lint'; sys.exit(main())"


class NoManagedPolicies:
    """The policy loader `sam validate` would fill from IAM; the template names no managed policies, so none are needed offline."""

    def load(self) -> dict[str, str]:
        return {}


def packaged(template: dict[str, Any]) -> dict[str, Any]:
    """Replaces local code and definition paths with S3 URIs, as `sam package` does before CloudFormation sees the template."""
    template = copy.deepcopy(template)
    uris = {
        "AWS::Serverless::Function": ("CodeUri", "zip"),
        "AWS::Serverless::LayerVersion": ("ContentUri", "zip"),
        "AWS::Serverless::StateMachine": ("DefinitionUri", "asl.json"),
        "AWS::Serverless::Api": ("DefinitionUri", "yaml"),
        "AWS::Serverless::HttpApi": ("DefinitionUri", "yaml"),
    }
    function_globals = (template.get("Globals") or {}).get("Function") or {}
    for name, resource in (template.get("Resources") or {}).items():
        key, suffix = uris.get(resource.get("Type"), (None, None))
        props = resource.get("Properties") or {}
        # sam package gives a function without CodeUri the Globals one, and uploads it per function (as does sam build).
        if resource.get("Type") == "AWS::Serverless::Function" and "CodeUri" not in props and "CodeUri" in function_globals:
            props["CodeUri"] = function_globals["CodeUri"]
        if key and isinstance(props.get(key), str) and not props[key].startswith("s3://"):
            props[key] = f"s3://packaged-artifacts/{name}.{suffix}"
    if isinstance(function_globals.get("CodeUri"), str) and not function_globals["CodeUri"].startswith("s3://"):
        function_globals["CodeUri"] = "s3://packaged-artifacts/globals.zip"
    return template


def parse_overrides(value: str | list[str] | None) -> dict[str, str]:
    """Parses `Key=Value Key2="a b"` (or a TOML list of such pairs) as `sam deploy --parameter-overrides` does."""
    if not value:
        return {}
    pairs = value if isinstance(value, list) else shlex.split(value)
    parsed: dict[str, str] = {}
    for pair in pairs:
        key, sep, val = pair.partition("=")
        if not sep:
            raise ValueError(f"parameter override {pair!r} is not Key=Value")
        parsed[key] = val
    return parsed


def samconfig_environments(path: str) -> dict[str, dict[str, str]]:
    """Each deploying config env's parameters: `[<env>.deploy.parameters]` over `[<env>.global.parameters]`, as the SAM CLI merges them."""
    import tomllib

    with open(path, "rb") as handle:
        config = tomllib.load(handle)
    envs: dict[str, dict[str, str]] = {}
    for env, commands in config.items():
        if not isinstance(commands, dict) or "deploy" not in commands:
            continue  # `version = 0.1`, and config envs that never deploy (`ci` only validates)
        merged = {**((commands.get("global") or {}).get("parameters") or {}), **((commands.get("deploy") or {}).get("parameters") or {})}
        envs[env] = parse_overrides(merged.get("parameter_overrides"))
    return envs


def translate(template: dict[str, Any], parameters: dict[str, str]) -> tuple[dict[str, Any] | None, list[str]]:
    """The translated CloudFormation, or the translator's messages when it rejects the template."""
    try:
        return transform(copy.deepcopy(template), parameters, NoManagedPolicies()), []
    except InvalidDocumentException as rejected:
        return None, [cause.message for cause in rejected.causes]
    except Exception as crashed:  # A crash in the translator is a rejection too: CloudFormation would fail the same way.
        return None, [f"{type(crashed).__name__}: {crashed}"]


def lint_errors(translated: dict[str, dict[str, Any]]) -> dict[str, list[str]]:
    """cfn-lint errors (E rules) per environment, from one cfn-lint run over every translated template."""
    with tempfile.TemporaryDirectory(prefix="sam-translated-") as workdir:
        files: dict[str, str] = {}
        for index, (env, template) in enumerate(translated.items()):
            files[env] = os.path.join(workdir, f"env{index}.json")
            with open(files[env], "w", encoding="utf8") as handle:
                json.dump(template, handle)
        lint = subprocess.run(
            [sys.executable, "-c", CFN_LINT_MAIN, "--format", "parseable", *files.values()], capture_output=True, text=True, check=False
        )
        # cfn-lint's exit code is a bit mask of what it found (2 errors, 4 warnings, 8 informational); 1 means it crashed.
        if lint.returncode & 1:
            raise RuntimeError(f"cfn-lint did not run in {sys.executable} (exit {lint.returncode}): {lint.stderr.strip()[:400]}")
        by_file = {path: env for env, path in files.items()}
        errors: dict[str, list[str]] = {env: [] for env in translated}
        for line in lint.stdout.splitlines():
            # path:line:column:end line:end column:rule:message
            match = re.match(r"^(.*?):\d+:\d+:\d+:\d+:(E\d{4}):(.*)$", line)
            if match and match.group(1) in by_file:
                errors[by_file[match.group(1)]].append(f"{match.group(2)} {match.group(3).strip()}")
        return errors


def dump(translated: dict[str, dict[str, Any]], directory: str) -> None:
    """Writes each translated template with sorted keys, so two dumps of equivalent templates diff clean."""
    os.makedirs(directory, exist_ok=True)
    for env, template in translated.items():
        name = re.sub(r"[^A-Za-z0-9_-]+", "-", env).strip("-") or "template"
        with open(os.path.join(directory, f"{name}.json"), "w", encoding="utf8") as handle:
            json.dump(template, handle, indent=1, sort_keys=True)
            handle.write("\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--template", default="template.yaml")
    parser.add_argument("--samconfig", default="samconfig.toml", help="environments to check (ignored with --overrides)")
    parser.add_argument("--overrides", help="check only these parameter overrides (Key=Value ...), not the samconfig environments")
    parser.add_argument("--no-lint", action="store_true", help="run the translator only")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of lines")
    parser.add_argument("--dump", metavar="DIR", help="write each translated template to DIR/<environment>.json, keys sorted")
    args = parser.parse_args()

    if args.overrides is not None:
        environments = {"given overrides": parse_overrides(args.overrides)}
    else:
        environments = {NO_OVERRIDES: {}, **(samconfig_environments(args.samconfig) if os.path.exists(args.samconfig) else {})}
        for case, extra in EXTRA_CASES.items():
            environments[case] = {**environments.get("prod", {}), **extra}

    with open(args.template, encoding="utf8") as handle:
        template = packaged(yaml_parse(handle.read()))
    results: list[dict[str, Any]] = []
    translated: dict[str, dict[str, Any]] = {}
    for env, parameters in environments.items():
        output, rejections = translate(template, parameters)
        results.append({"environment": env, "parameters": parameters, "translatorErrors": rejections, "lintErrors": []})
        if output is not None:
            results[-1]["resources"] = len(output.get("Resources", {}))
            translated[env] = output
    if args.dump:
        dump(translated, args.dump)
    if translated and not args.no_lint:
        if importlib.util.find_spec("cfnlint") is None:
            print(f"cfn-lint is not installed in {sys.executable} (pass --no-lint to run the translator only)", file=sys.stderr)
            return 4
        linted = lint_errors(translated)
        for result in results:
            result["lintErrors"] = linted.get(result["environment"], [])
    ok = all(not r["translatorErrors"] and not r["lintErrors"] for r in results)

    if args.json:
        print(json.dumps({"ok": ok, "linted": not args.no_lint, "results": results}))
        return 0 if ok else 1
    for r in results:
        where = f"{r['environment']} {' '.join(f'{k}={v}' for k, v in r['parameters'].items())}".strip()
        if r["translatorErrors"]:
            print(f"FAIL {where}: the SAM translator rejects the template: {' | '.join(r['translatorErrors'])}")
        elif r["lintErrors"]:
            print(f"FAIL {where}: translated to {r['resources']} resources; cfn-lint on them: {' | '.join(r['lintErrors'][:5])}")
        else:
            linted = "" if args.no_lint else "; cfn-lint on the translated template: no errors"
            print(f"ok   {where}: translated to {r['resources']} resources{linted}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
