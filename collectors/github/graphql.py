"""The bulk path: one GraphQL query returns up to 100 repositories of an organisation.

Every query asks for `rateLimit { cost remaining resetAt }` so the run records the points spent.
Releases come with up to 10 assets of the 10 latest releases: enough to sum the downloads of most
repositories without a REST call; a repository with more falls back to the REST listing.
The issues and PRs touched in the window come along too (20 of each, 5 comments each): where
nothing was cut by paging, the window's activity and first responses need no REST listing.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from collectors.github.parse import GraphqlFailure, GraphqlRepoPage, graphql_repo_page
from collectors.http import HttpClient

# 10,000 repositories at 100 a page: past that the cursor is going round in circles
MAX_PAGES = 100

ORGANIZATION_REPOSITORIES = """
query($org: String!, $cursor: String, $first: Int!, $since: GitTimestamp!) {
  rateLimit { cost limit remaining used resetAt }
  organization(login: $org) {
    repositories(first: $first, after: $cursor, privacy: PUBLIC,
                 orderBy: {field: NAME, direction: ASC}) {
      totalCount
      pageInfo { hasNextPage endCursor }
      nodes {
        databaseId nameWithOwner description isFork isArchived createdAt pushedAt
        stargazerCount forkCount watchers { totalCount }
        issues(states: OPEN) { totalCount }
        pullRequests(states: OPEN) { totalCount }
        releases(first: 10, orderBy: {field: CREATED_AT, direction: DESC}) {
          totalCount
          nodes { tagName releaseAssets(first: 10) { totalCount nodes { downloadCount } } }
        }
        latestRelease { tagName publishedAt }
        windowIssues: issues(first: 20, filterBy: {since: $since},
                             orderBy: {field: CREATED_AT, direction: DESC}) {
          totalCount
          nodes {
            number createdAt closedAt author { login __typename }
            comments(first: 5) { totalCount nodes { createdAt author { login __typename } } }
          }
        }
        windowPullRequests: pullRequests(first: 20, orderBy: {field: UPDATED_AT, direction: DESC}) {
          nodes {
            updatedAt number createdAt closedAt author { login __typename }
            comments(first: 5) { totalCount nodes { createdAt author { login __typename } } }
          }
        }
        primaryLanguage { name } licenseInfo { spdxId }
        repositoryTopics(first: 20) { nodes { topic { name } } }
        defaultBranchRef { target { ... on Commit { history(since: $since) { totalCount } } } }
      }
    }
  }
}
"""


def organization_repository_pages(
    client: HttpClient, graphql_url: str, org: str, since: datetime, *, page_size: int = 100
) -> Iterator[GraphqlRepoPage]:
    """Pages of the organisation's public repositories; raises GraphqlFailure on errors, and on
    a cursor that repeats (a listing that would never end) or more than MAX_PAGES pages."""
    cursor: str | None = None
    seen: set[str] = set()
    for _ in range(MAX_PAGES):
        answer = client.post_json(
            graphql_url,
            {
                "query": ORGANIZATION_REPOSITORIES,
                "variables": {
                    "org": org,
                    "cursor": cursor,
                    "first": page_size,
                    "since": since.strftime("%Y-%m-%dT%H:%M:%SZ"),
                },
            },
        )
        page = graphql_repo_page(answer.data)
        yield page
        if not page.has_next_page or not page.end_cursor:
            return
        if page.end_cursor in seen:
            raise GraphqlFailure("PAGING", f"repositories of {org}: the cursor repeats")
        seen.add(page.end_cursor)
        cursor = page.end_cursor
    raise GraphqlFailure("PAGING", f"repositories of {org}: more than {MAX_PAGES} pages")
