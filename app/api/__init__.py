"""The public JSON API: leaders near a place and place suggestions for search boxes."""
