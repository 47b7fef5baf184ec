"""A real S3 API for tests: moto's server on a free loopback port, in a thread of the test process."""

from __future__ import annotations

import socket
from dataclasses import dataclass

from moto.server import ThreadedMotoServer

ACCESS_KEY_ID = "test-access-key"
SECRET_ACCESS_KEY = "test-secret-key"
REGION = "us-east-1"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class MotoS3:
    """A running moto server and the settings that point an S3 client at it."""

    server: ThreadedMotoServer
    endpoint_url: str

    def settings(self, bucket: str) -> dict[str, str]:
        """App configuration for S3 storage in the given bucket."""
        return {
            "STORAGE_BACKEND": "s3",
            "S3_ENDPOINT_URL": self.endpoint_url,
            "S3_PUBLIC_ENDPOINT_URL": self.endpoint_url,
            "S3_BUCKET": bucket,
            "S3_ACCESS_KEY_ID": ACCESS_KEY_ID,
            "S3_SECRET_ACCESS_KEY": SECRET_ACCESS_KEY,
            "S3_REGION": REGION,
        }


def start_moto_s3() -> MotoS3:
    """Start moto's S3 server on a free loopback port."""
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return MotoS3(server, f"http://127.0.0.1:{port}")
