# Prints the Authorization header botocore's S3 SigV4 signer (the AWS CLI's and boto3's) gives the PUT
# described by the JSON in argv[1], signed at its "at" time with its headers and body
# (tests/contract/s3-signed-put-signature.test.ts compares the functions' own signed PUT with it).
import sys, json, datetime
from unittest import mock
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials
args = json.loads(sys.argv[1])
at = datetime.datetime.fromisoformat(args['at'].replace('Z', '+00:00'))
request = AWSRequest(method='PUT', url=args['url'], headers=args['headers'], data=args['body'].encode('utf-8'))
request.context['payload_signing_enabled'] = True
signer = botocore.auth.S3SigV4Auth(Credentials(args['accessKeyId'], args['secretAccessKey'], args.get('sessionToken')), 's3', args['region'])
with mock.patch.object(botocore.auth, 'get_current_datetime', side_effect=lambda remove_tzinfo=True: at.replace(tzinfo=None) if remove_tzinfo else at):
    signer.add_auth(request)
print(request.headers['Authorization'])
