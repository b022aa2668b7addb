"""Prints, as JSON, the layers SAM CLI's own providers give each function of a template.

`sam local invoke` and `sam local start-api` mount these into the function's container at /opt
(samcli/lib/providers/sam_function_provider.py, _parse_layer_info). That code skips a Layers entry
it cannot follow without resolving it (an !If, for one), so a function can lose a layer under
`sam local` that it has on AWS; tests/sam-local/start-api.ts compares this output with the
layers the local runtime gives each function.

Usage: function_layers.py --template template.yaml [--parameter-overrides Key=Value ...]
"""

import argparse
import json
import os

from samcli.lib.providers.sam_function_provider import SamFunctionProvider
from samcli.lib.providers.sam_stack_provider import SamLocalStackProvider


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--template", required=True)
    parser.add_argument("--parameter-overrides", nargs="*", default=[])
    args = parser.parse_args()
    overrides = dict(pair.split("=", 1) for pair in args.parameter_overrides)
    stacks, _ = SamLocalStackProvider.get_stacks(args.template, parameter_overrides=overrides)
    provider = SamFunctionProvider(stacks, ignore_code_extraction_warnings=True)
    template_dir = os.path.dirname(os.path.abspath(args.template))
    print(
        json.dumps(
            {
                function.name: [
                    {"name": layer.name, "codeuri": os.path.normpath(os.path.join(template_dir, layer.codeuri)) if layer.codeuri else None}
                    for layer in function.layers
                ]
                for function in provider.get_all()
            }
        )
    )


if __name__ == "__main__":
    main()
