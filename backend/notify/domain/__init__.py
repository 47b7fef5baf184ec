"""Pure rules of notifications: what an inbox entry and a Web Push message hold, and for whom."""
