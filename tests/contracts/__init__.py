"""Sample payloads for contract tests of parsers whose platform has no recorded answers."""
