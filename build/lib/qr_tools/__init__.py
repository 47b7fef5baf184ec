"""QR label payloads, rendering and sheets (arrives with the QR issue)."""
