"""Storage in an S3-compatible object store (AWS S3, MinIO) through boto3, with presigned URLs."""

from __future__ import annotations

from typing import Any, BinaryIO, cast

import boto3
from botocore.config import Config as BotoConfig
from botocore.exceptions import ClientError

from backend.adapters.storage.base import PresignedPut, StoredObjectMissing, check_key

_MISSING = {"404", "NoSuchKey", "NotFound"}


class S3Storage:
    """Objects in one bucket; browsers get presigned URLs built for the public endpoint."""

    def __init__(
        self,
        bucket: str,
        endpoint_url: str | None = None,
        public_endpoint_url: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        region: str = "us-east-1",
    ) -> None:
        self.bucket = bucket
        self.client = self._client(endpoint_url, access_key_id, secret_access_key, region)
        # Presigned URLs embed the host they were signed for, so they are signed for the address browsers
        # reach. A private endpoint (MinIO inside the compose network) without a public one gets none:
        # the API streams the objects instead.
        self.public_client: Any = None
        if public_endpoint_url:
            self.public_client = self._client(public_endpoint_url, access_key_id, secret_access_key, region)
        elif endpoint_url is None:
            self.public_client = self.client

    @staticmethod
    def _client(endpoint: str | None, key_id: str | None, secret: str | None, region: str) -> Any:
        config = BotoConfig(
            signature_version="s3v4", s3={"addressing_style": "path"}, retries={"max_attempts": 3}
        )
        return boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint,
            aws_access_key_id=key_id,
            aws_secret_access_key=secret,
            region_name=region,
            config=config,
        )

    def ensure_bucket(self) -> None:
        """Create the bucket if it does not exist yet (development and tests)."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError:
            self.client.create_bucket(Bucket=self.bucket)

    def put(self, key: str, data: bytes, content_type: str) -> None:
        """Upload the bytes in one request (S3 writes are atomic per object)."""
        self.client.put_object(Bucket=self.bucket, Key=check_key(key), Body=data, ContentType=content_type)

    def open(self, key: str) -> BinaryIO:
        """A stream of the object's body."""
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=check_key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _MISSING:
                raise StoredObjectMissing(key) from None
            raise
        return cast(BinaryIO, response["Body"])

    def get(self, key: str) -> bytes:
        """The object's bytes."""
        body = self.open(key)
        try:
            return body.read()
        finally:
            body.close()

    def exists(self, key: str) -> bool:
        """Whether the object exists (a HEAD request)."""
        try:
            self.client.head_object(Bucket=self.bucket, Key=check_key(key))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _MISSING:
                return False
            raise
        return True

    def delete(self, key: str) -> None:
        """Delete the object (S3 does not mind when it is already gone)."""
        self.client.delete_object(Bucket=self.bucket, Key=check_key(key))

    def url_for_get(self, key: str, expires_in: int = 300) -> str | None:
        """A presigned GET URL, or None when browsers cannot reach the object store."""
        if self.public_client is None:
            return None
        url: str = self.public_client.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": check_key(key)}, ExpiresIn=expires_in
        )
        return url

    def presigned_put(self, key: str, content_type: str, expires_in: int = 300) -> PresignedPut | None:
        """A presigned PUT URL (the client must send the same Content-Type), or None as for GET."""
        if self.public_client is None:
            return None
        url: str = self.public_client.generate_presigned_url(
            "put_object",
            Params={"Bucket": self.bucket, "Key": check_key(key), "ContentType": content_type},
            ExpiresIn=expires_in,
        )
        return PresignedPut(url=url, headers={"Content-Type": content_type})
