"""Site-wide notifications: the kinds features declare, the in-app list, mail with one-click unsubscribe."""
