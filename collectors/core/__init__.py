"""What every collector is built on; it imports only `ossimpact.domain` of ours.

- `source`: the one opening of `collect()`. A new source is one module with a `Source` subclass
  (its `read`) and one parser module beside it.
- `politeness`: rate-limit headers of every platform (GitHub's, the Hub's IETF-draft RateLimit,
  Retry-After as seconds or a date), the default wait when they are unusable, back-off, and the
  run's `WaitBudget`. `collectors.http.HttpClient` applies them to httpx and PyGithub requests,
  `collectors.huggingface.client.HubLedger` to huggingface_hub's.
- `errors`: `CollectionError` and its subclasses; the failure reason a run records follows from
  the type (`reason_for_status` for HTTP answers).
- `secrets`: tokens of live clients and token-shaped text masked in messages and log records.
- `paging`: next-link walks that end on a repeated page, a page cap or a stop request.
"""
