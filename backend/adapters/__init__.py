"""The outside world behind interfaces: file storage, photo processing, spreadsheets, password hashing."""
