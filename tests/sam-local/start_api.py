"""Serves template.yaml's API through SAM CLI's own local API Gateway, without Docker.

`sam local start-api` wires SamLocalStackProvider -> ApiProvider -> LocalApigwService and hands the
service a LocalLambdaRunner that runs each function in a Docker container (see
samcli/commands/local/lib/local_api_service.py). No Docker engine runs here, so this does the same
wiring with one change: the runner forwards the event SAM built to a Lambda Invoke endpoint and
writes the function's result to stdout, where the container's output would go. SAM's routing,
event construction (construct_v1_event) and response parsing are all its own.

Prints `SAM_LOCAL_API http://127.0.0.1:<port>` once the routes are mounted, then serves until
SIGTERM. Exit 3 when SAM CLI cannot be imported.
"""

import argparse
import os
import socket
import sys
import urllib.error
import urllib.parse
import urllib.request

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


class ForwardingLambdaRunner:
    """Stands in for samcli's LocalLambdaRunner: same invoke() contract, no container."""

    def __init__(self, invoke_url, function_not_found):
        self.invoke_url = invoke_url.rstrip("/")
        self.function_not_found = function_not_found

    def is_debugging(self):
        return False

    def invoke(self, function_identifier, event, tenant_id=None, stdout=None, stderr=None, **_kwargs):
        name = urllib.parse.quote(function_identifier, safe="")
        url = f"{self.invoke_url}/2015-03-31/functions/{name}/invocations"
        # The Invoke endpoint, like Lambda, wants SigV4; it accepts any key, as SAM's container would use.
        signed = AWSRequest(method="POST", url=url, data=event.encode("utf-8"), headers={"Content-Type": "application/json"})
        SigV4Auth(Credentials("S3RVER", "S3RVER"), "lambda", "us-east-1").add_auth(signed)
        request = urllib.request.Request(url, data=signed.body, method="POST", headers=dict(signed.headers.items()))
        try:
            # Above the functions' 10 s Timeout, so the endpoint's Sandbox.Timedout arrives first.
            with urllib.request.urlopen(request, timeout=60) as response:
                output = response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            if error.code == 404:
                raise self.function_not_found(f"Unable to find a function with name '{function_identifier}'") from error
            raise
        # A function error arrives as {errorType, errorMessage, trace}, as a container prints it;
        # SAM's LambdaOutputParser recognises that shape and answers 502.
        stdout.write_str(output)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--template", required=True)
    parser.add_argument("--invoke-url", required=True, help="Lambda Invoke endpoint that runs the functions")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()

    try:
        from samcli.commands.local.lib.local_api_service import LocalApiService
        from samcli.lib.providers.api_provider import ApiProvider
        from samcli.lib.providers.sam_stack_provider import SamLocalStackProvider
        from samcli.lib.utils.stream_writer import StreamWriter
        from samcli.local.apigw.local_apigw_service import LocalApigwService
        from samcli.local.docker.exceptions import ProcessSigTermException
        from samcli.local.lambdafn.exceptions import FunctionNotFound
    except ImportError as error:
        print(f"Cannot import SAM CLI from {sys.executable}: {error}. Install aws-sam-cli, or set SAM_PYTHON.", file=sys.stderr)
        return 3

    template = os.path.abspath(args.template)
    stacks, _ = SamLocalStackProvider.get_stacks(template)
    api = ApiProvider(stacks, cwd=os.path.dirname(template)).api
    port = args.port or free_port()
    service = LocalApigwService(
        api=api,
        lambda_runner=ForwardingLambdaRunner(args.invoke_url, FunctionNotFound),
        port=port,
        host="127.0.0.1",
        stderr=StreamWriter(sys.stderr, auto_flush=True),
    )
    service.create()
    for line in LocalApiService._print_routes(api.routes, "127.0.0.1", port):  # pylint: disable=protected-access
        print(line, file=sys.stderr)
    print(f"SAM_LOCAL_API http://127.0.0.1:{port}", flush=True)
    try:
        service.run()
    except (ProcessSigTermException, KeyboardInterrupt):
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
