"""clientguard connector for Jira Cloud (REST API v3): issues as work requests.

See ``docs/connectors/jira.md`` for setup, credentials, the client rules and what is synced.
"""

from clientguard_jira.connector import JiraConnector, JiraOptions, JiraRule

__version__ = "0.1.0"

__all__ = ["JiraConnector", "JiraOptions", "JiraRule", "__version__"]
