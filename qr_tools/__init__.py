"""QR labels: signed payloads, label and sheet rendering, and verification by decoding."""
