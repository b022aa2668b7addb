# Prints botocore's presigned GetObject URL for the JSON arguments in argv[1], signed at their "at" time
# (tests/contract/receipt-presigner.test.ts compares the functions' own presigner with it).
import sys, json, datetime
from unittest import mock
import botocore.session, botocore.auth
from botocore.config import Config
args = json.loads(sys.argv[1])
s = botocore.session.get_session()
s.set_credentials(args['accessKeyId'], args['secretAccessKey'], args.get('sessionToken'))
kw = {'region_name': args['region'], 'config': Config(signature_version='s3v4', s3={'addressing_style': 'path' if args['pathStyle'] else 'virtual'})}
if args.get('endpoint'): kw['endpoint_url'] = args['endpoint']
client = s.create_client('s3', **kw)
at = datetime.datetime.fromisoformat(args['at'].replace('Z', '+00:00'))
import contextlib
with contextlib.ExitStack() as stack:
    stack.enter_context(mock.patch.object(botocore.auth, 'get_current_datetime', side_effect=lambda remove_tzinfo=True: at.replace(tzinfo=None) if remove_tzinfo else at))
    try:
        import botocore.crt.auth
        stack.enter_context(mock.patch.object(botocore.crt.auth, 'get_current_datetime', side_effect=lambda remove_tzinfo=True: at.replace(tzinfo=None) if remove_tzinfo else at))
    except ImportError:
        pass
    print(client.generate_presigned_url('get_object', Params={'Bucket': args['bucket'], 'Key': args['key']}, ExpiresIn=args['expires']))
