"""IoT rows and their SQL."""
