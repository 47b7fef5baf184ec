"""Pure rules of banking: statement values, bank profiles, reading tables, balance and duplicate checks."""
