#!/bin/sh
# One-shot MinIO setup for Workroom (docker-compose.yml's minio-setup service, run with the
# MinIO root credentials): the bucket, a policy that allows only that bucket, and the app's
# own user with that policy. The server then uses that user, never the root credentials.
# Safe to run again: an existing bucket is kept, the policy is rewritten, and an existing
# user gets the current S3_SECRET_KEY (so changing it in .env and running `docker compose up`
# again rotates it).
set -eu

: "${MINIO_ROOT_USER:?}" "${MINIO_ROOT_PASSWORD:?}" "${S3_BUCKET:?}" "${S3_ACCESS_KEY:?}" "${S3_SECRET_KEY:?}"
policy_name="workroom-app-$S3_BUCKET"
policy_file=$(mktemp)

mc alias set root http://minio:9000 "$MINIO_ROOT_USER" "$MINIO_ROOT_PASSWORD" >/dev/null
mc mb --ignore-existing "root/$S3_BUCKET"

# What the server does: check the bucket, list, read, write and delete objects (multipart
# uploads included). Nothing on other buckets, no bucket creation or deletion, no admin API.
cat >"$policy_file" <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
      "Resource": ["arn:aws:s3:::$S3_BUCKET"]
    },
    {
      "Effect": "Allow",
      "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
      "Resource": ["arn:aws:s3:::$S3_BUCKET/*"]
    }
  ]
}
JSON
mc admin policy create root "$policy_name" "$policy_file"
mc admin user add root "$S3_ACCESS_KEY" "$S3_SECRET_KEY" >/dev/null
# Older mc releases fail when the policy is already attached; that state is the goal.
mc admin policy attach root "$policy_name" --user "$S3_ACCESS_KEY" \
  || mc admin user info root "$S3_ACCESS_KEY" | grep -q "$policy_name"
rm -f "$policy_file"
echo "minio-setup: bucket $S3_BUCKET, user $S3_ACCESS_KEY limited to it by policy $policy_name"
