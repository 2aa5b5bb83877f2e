"""What every collector is built on: politeness (rate limits, waits, back-off), one error
vocabulary, secret redaction and listing pagination. Imports only `ossimpact.domain` of ours."""
