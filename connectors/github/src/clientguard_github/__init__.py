"""clientguard connector for GitHub issues (REST API): issues as work requests.

See ``docs/connectors/github.md`` for setup, the token, the client rules and what is synced.
"""

from clientguard_github.connector import GitHubConnector, GitHubOptions, GitHubRule

__version__ = "0.1.0"

__all__ = ["GitHubConnector", "GitHubOptions", "GitHubRule", "__version__"]
